"""Run one simulated camera: ``python -m bot.devtools.onvif_camera --port 8082``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random

from .events import TOPICS
from .server import SimulatedCamera
from .state import MAX_SUBSCRIPTIONS


async def _serve(args: argparse.Namespace) -> None:
    camera = SimulatedCamera(
        name=args.name,
        username=args.username,
        password=args.password,
        serial=args.serial,
        ptz=args.ptz,
        max_subscriptions=args.max_subscriptions,
    )
    await camera.start(args.host, args.port)
    try:
        print(f"ONVIF camera {camera.name!r} on {camera.host}:{camera.port}", flush=True)
        print(f"  device service: http://{camera.host}:{camera.port}/onvif/device_service")
        print(f"  user={camera.username}", flush=True)
        topics = list(TOPICS)
        while True:
            if args.events_every > 0:
                await asyncio.sleep(args.events_every)
                topic = random.choice(topics)
                data_name = TOPICS[topic].data[0][0]
                camera.emit(topic, {data_name: random.choice(["true", "false"])})
            else:
                await asyncio.Event().wait()
    finally:
        await camera.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.devtools.onvif_camera", description="Simulated ONVIF camera"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--name", default="Camera 1")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--serial", default="SIM-0001")
    parser.add_argument("--ptz", action="store_true")
    parser.add_argument(
        "--max-subscriptions",
        type=int,
        default=MAX_SUBSCRIPTIONS,
        help="event subscriptions kept at once; more are refused (real cameras: 2-5)",
    )
    parser.add_argument(
        "--events-every", type=float, default=0.0, help="emit a random event every N seconds"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
