"""The sandbox: the real bot against the Bot API emulator and simulated cameras, in a browser."""
