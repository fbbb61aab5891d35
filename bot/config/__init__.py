"""The settings model: one YAML file plus DUTY_DESK_* environment overrides, loaded once.

Each section lives with its job (connections, duty, people, cameras, EPZ); `settings.py` puts
them together and checks what they name in each other; `loading.py` reads and reports. Every
section forbids unknown keys, so a misspelt key fails at load and names itself.
"""

from __future__ import annotations

from bot.config.base import ENV_PREFIX, ConfigError, Section
from bot.config.cameras import AlertSettings, Camera, OnvifAccess, PtzPreset
from bot.config.connections import (
    DatabaseSettings,
    ForumTopics,
    IntakeSettings,
    RateLimits,
    TelegramSettings,
)
from bot.config.coordination import CoordinationSettings
from bot.config.desks import DEFAULT_DESK_KEY, DeskConfig, deployment_desks
from bot.config.duty import (
    BusinessHours,
    CalendarSettings,
    DocumentSettings,
    EscalationSettings,
    ShiftCycleSettings,
    ShiftSettings,
)
from bot.config.epz import Enterprise, EnterpriseCamera, EpzSettings, RotationSettings
from bot.config.loading import config_path, load_settings, read_roster_csv
from bot.config.operations import OpsSettings
from bot.config.people import Person, RosterDay, RosterSettings, Unit
from bot.config.retention import RetentionSettings
from bot.config.settings import Settings
from bot.config.webhook import WebhookSettings

__all__ = [
    "DEFAULT_DESK_KEY",
    "ENV_PREFIX",
    "AlertSettings",
    "BusinessHours",
    "CalendarSettings",
    "Camera",
    "ConfigError",
    "CoordinationSettings",
    "DatabaseSettings",
    "DeskConfig",
    "DocumentSettings",
    "Enterprise",
    "EnterpriseCamera",
    "EpzSettings",
    "EscalationSettings",
    "ForumTopics",
    "IntakeSettings",
    "OnvifAccess",
    "OpsSettings",
    "Person",
    "PtzPreset",
    "RateLimits",
    "RetentionSettings",
    "RosterDay",
    "RosterSettings",
    "RotationSettings",
    "Section",
    "Settings",
    "ShiftCycleSettings",
    "ShiftSettings",
    "TelegramSettings",
    "Unit",
    "WebhookSettings",
    "config_path",
    "deployment_desks",
    "load_settings",
    "read_roster_csv",
]
