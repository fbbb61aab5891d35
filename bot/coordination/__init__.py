"""Several processes on one database: who polls, who sends, who watches which camera.

PostgreSQL's own primitives and nothing else: a role (the poller, the sender) is a
session-level advisory lock on a connection the process keeps, so PostgreSQL frees it the
moment the process dies, even on kill -9; cameras are spread by leases in a table, renewed by
every heartbeat and free once their holder's lock is gone; LISTEN/NOTIFY wakes the sender and
re-arms the alarms when another process queues a message or a deadline. SQLite is the
one-process embedded default: its coordinator holds everything, and a lock file beside the
database refuses a second process.

- `work`: what a process may be asked to do (roles, leases, wake-ups) and the `Coordinator`
  every implementation is.
- `sole`: the coordinator of a process alone on its database (SQLite, tests, the sandbox).
- `sqlite_lock`: the lock file that keeps SQLite to one process.
- `keys`: the advisory-lock keys and the NOTIFY channels.
- `leases`: the SQL of the camera leases.
- `postgres`: the coordinator of a process sharing PostgreSQL with others.
"""

from __future__ import annotations

from bot.coordination.sole import SoleCoordinator
from bot.coordination.work import Coordinator, Role

__all__ = ["Coordinator", "Role", "SoleCoordinator"]
