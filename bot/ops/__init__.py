"""What the operator watches: health, readiness and metrics on a small HTTP port.

`metrics.py` holds the counters and histograms (one registry per application), `collector.py`
reads what the database knows at each scrape (the outbox, the deadlines, the cameras),
`readiness.py` decides whether this process can do its work, and `server.py` serves the three
endpoints. Nothing here knows Telegram or the desk: the wiring (`bot/operating.py`) hands them in.
"""
