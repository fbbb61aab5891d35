"""Escalation (888 Art. 8-9): incidents, the shift leader's decisions, requests to units.

- `incidents.py` opens incidents and reads their history; `approvals.py` records proposals and
  the decisions on them; `leader_reminders.py` reminds the leader of decisions still owed;
- `requests.py` delivers approved requests and records the answers; `reply_clock.py` runs the
  30-minute reply rule (reminders, the breach); `request_book.py` is what both read and note;
- `rights.py` says who may take each step (services check it themselves); `buttons.py` holds
  the codecs of every escalation button; `texts.py` how it all reads in chats;
- `eta.py` (with the vocabulary in `eta_words.py`) reads a unit's typed finishing time;
  `pending.py` lists what waits; `deadline_kinds.py` names the clocks; `services.py` wires them.

Nothing here imports Telegram; `bot/handlers/` translates updates into these services' calls.
"""
