"""The shift's cycle: the opening message, the handover and its acceptance, the daily report."""
