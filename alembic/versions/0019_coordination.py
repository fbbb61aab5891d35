"""coordination: camera leases, and wake-ups for the other processes on PostgreSQL

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On PostgreSQL a committed outbox row, or a deadline added or moved, tells every process
# listening (LISTEN duty_desk_outbox / duty_desk_deadline): the sender wakes at once and each
# alarm re-arms, whichever process wrote the row. Sent at commit, once per statement.
# Channel names are kept in step with bot/coordination/channels.py.
NOTIFY_FUNCTIONS = {
    'duty_desk_notify_outbox': 'duty_desk_outbox',
    'duty_desk_notify_deadline': 'duty_desk_deadline',
}
TRIGGERS = (
    ('duty_desk_outbox_queued', 'AFTER INSERT ON outbox_message', 'duty_desk_notify_outbox'),
    (
        'duty_desk_deadline_changed',
        'AFTER INSERT OR UPDATE OF due_at, cancelled ON deadline',
        'duty_desk_notify_deadline',
    ),
)


def upgrade() -> None:
    op.create_table('coordination_lease',
    sa.Column('desk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('holder_key', sa.Integer(), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('taken_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('desk', 'name')
    )
    if op.get_bind().dialect.name != 'postgresql':
        return
    for function, channel in NOTIFY_FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_notify('{channel}', ''); RETURN NULL; END $$"
        )
    for trigger, when, function in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} {when} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for trigger, when, _function in TRIGGERS:
            table = when.rsplit(' ON ', 1)[1]
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in NOTIFY_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table('coordination_lease')
