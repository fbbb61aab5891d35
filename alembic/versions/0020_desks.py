"""desks: every record of a duty room carries its desk's key

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:40:00.000000

The rows kept so far belong to the one desk a configuration without `desks:` runs, key "main":
the column's server default fills them. What was unique in the one desk (a shift's date, an
incident's number, the logbook's line numbers and chain) becomes unique within a desk.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_DESK = 'main'

# Tables that only gain the column (and its index).
ADDED = (
    'audit_event',
    'camera_alert',
    'camera_event',
    'camera_status',
    'camera_transition',
    'chat_message',
    'enterprise_contact',
    'epz_outage',
    'gate_movement',
    'incident_attachment',
    'invite',
    'outbox_message',
    'proposal',
    'shift_note',
    'unit_request',
)
# Unique within a desk: (table, the old unique columns). The old constraints were unnamed;
# SQLite's copy of the table names them by this convention so they can be dropped.
UNIQUE = {
    'deadline': ('kind', 'subject', 'seq'),
    'draft': ('user_id', 'chat_id'),
    'epz_rotation_check': ('month', 'enterprise'),
    'handover': ('shift_date',),
    'incident': ('year', 'number'),
    'logbook_entry': ('shift_date', 'seq'),
}
# Keyed by the desk too: (table, the old key).
KEYED = {
    'daily_report': ('shift_date',),
    'duty_shift': ('shift_date',),
    'logbook_chain': ('id',),
}
CONVENTION = {'uq': 'uq_%(table_name)s_%(column_0_N_name)s', 'pk': 'pk_%(table_name)s'}
LIVE_DEADLINES = dict(
    sqlite_where=sa.text('fired_at IS NULL AND cancelled IS 0'),
    postgresql_where=sa.text('fired_at IS NULL AND cancelled IS false'),
)


def _desk_column(primary_key: bool = False) -> sa.Column:
    return sa.Column(
        'desk',
        sqlmodel.sql.sqltypes.AutoString(length=64),
        nullable=False,
        server_default=DEFAULT_DESK,
        primary_key=primary_key,
    )


def _unique_name(table: str, columns: tuple[str, ...]) -> str:
    if op.get_bind().dialect.name == 'postgresql':
        return f"{table}_{'_'.join(columns)}_key"
    return f"uq_{table}_{'_'.join(columns)}"


def _key_name(table: str) -> str:
    return f'{table}_pkey' if op.get_bind().dialect.name == 'postgresql' else f'pk_{table}'


def upgrade() -> None:
    op.create_table(
        'desk_choice',
        sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('desk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('chosen_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
    )
    for table in ADDED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(_desk_column())
            batch_op.create_index(f'ix_{table}_desk', ['desk'], unique=False)
    # SQLite copies the deadline table to change its constraint; its partial index is made
    # again by hand, as a copy would not keep its condition.
    op.drop_index('ix_deadline_live_due', table_name='deadline', **LIVE_DEADLINES)
    for table, columns in UNIQUE.items():
        with op.batch_alter_table(table, naming_convention=CONVENTION) as batch_op:
            batch_op.add_column(_desk_column())
            batch_op.create_index(f'ix_{table}_desk', ['desk'], unique=False)
            batch_op.drop_constraint(_unique_name(table, columns), type_='unique')
            if table == 'logbook_entry':
                batch_op.drop_index('ix_logbook_entry_chain_seq')
                batch_op.create_index(
                    'ix_logbook_entry_chain_seq', ['desk', 'chain_seq'], unique=True
                )
            batch_op.create_unique_constraint(
                _unique_name(table, ('desk', *columns)), ['desk', *columns]
            )
    op.create_index('ix_deadline_live_due', 'deadline', ['due_at'], **LIVE_DEADLINES)
    for table, key in KEYED.items():
        with op.batch_alter_table(table, naming_convention=CONVENTION) as batch_op:
            batch_op.add_column(_desk_column())
            batch_op.drop_constraint(_key_name(table), type_='primary')
            batch_op.create_primary_key(_key_name(table), ['desk', *key])


def downgrade() -> None:
    for table, key in KEYED.items():
        with op.batch_alter_table(table, naming_convention=CONVENTION) as batch_op:
            batch_op.drop_constraint(_key_name(table), type_='primary')
            batch_op.create_primary_key(_key_name(table), list(key))
            batch_op.drop_column('desk')
    op.drop_index('ix_deadline_live_due', table_name='deadline', **LIVE_DEADLINES)
    for table, columns in UNIQUE.items():
        with op.batch_alter_table(table, naming_convention=CONVENTION) as batch_op:
            batch_op.drop_constraint(_unique_name(table, ('desk', *columns)), type_='unique')
            if table == 'logbook_entry':
                batch_op.drop_index('ix_logbook_entry_chain_seq')
                batch_op.create_index('ix_logbook_entry_chain_seq', ['chain_seq'], unique=True)
            batch_op.drop_index(f'ix_{table}_desk')
            batch_op.drop_column('desk')
            batch_op.create_unique_constraint(_unique_name(table, columns), list(columns))
    op.create_index('ix_deadline_live_due', 'deadline', ['due_at'], **LIVE_DEADLINES)
    for table in ADDED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(f'ix_{table}_desk')
            batch_op.drop_column('desk')
    op.drop_table('desk_choice')
