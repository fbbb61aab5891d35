"""A simulated ONVIF camera (SOAP 1.2 over aiohttp) for end-to-end tests, benchmarks, a sandbox."""

from .events import (
    CELL_MOTION,
    DIGITAL_INPUT,
    GLOBAL_SCENE_CHANGE,
    IMAGE_TOO_BLURRY,
    IMAGE_TOO_DARK,
    MOTION_ALARM,
    SIGNAL_LOSS,
    STORAGE_FAILURE,
    TAMPER,
    TOPICS,
)
from .server import SimulatedCamera
from .state import MAX_SUBSCRIPTIONS, Mode, Preset

__all__ = [
    "CELL_MOTION",
    "DIGITAL_INPUT",
    "GLOBAL_SCENE_CHANGE",
    "IMAGE_TOO_BLURRY",
    "IMAGE_TOO_DARK",
    "MAX_SUBSCRIPTIONS",
    "MOTION_ALARM",
    "SIGNAL_LOSS",
    "STORAGE_FAILURE",
    "TAMPER",
    "TOPICS",
    "Mode",
    "Preset",
    "SimulatedCamera",
]
