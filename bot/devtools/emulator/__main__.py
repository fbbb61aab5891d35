"""Run the Bot API emulator standalone: ``python -m bot.devtools.emulator --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .server import BotApiEmulator


async def _serve(args: argparse.Namespace) -> None:
    emulator = BotApiEmulator(token=args.token, bot_username=args.bot_username)
    if args.demo:
        emulator.add_user(1001, "Demo", username="demo_user")
        emulator.add_chat(-1001, "supergroup", "Demo duty room")
    await emulator.start(args.host, args.port)
    try:
        print(f"Bot API emulator: base_url={emulator.base_url}", flush=True)
        print(f"  base_file_url={emulator.base_file_url} token={emulator.token}", flush=True)
        print(f"  control API: {emulator.origin}/_emulator/state", flush=True)
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.devtools.emulator", description="Telegram Bot API emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--bot-username", default="duty_desk_bot")
    parser.add_argument("--demo", action="store_true", help="seed user 1001 and chat -1001")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
