"""duty-desk: the Telegram duty desk for Customs duty and online-monitoring rooms."""

import os

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta) before it is
# imported anywhere; the sender already handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")
