"""outbox priorities and expiry: urgent rows first, stale confirmations dropped

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows queued by an older version keep their order among themselves: all of them "normal".
NORMAL = 2


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('priority', sa.SmallInteger(), nullable=False, server_default=str(NORMAL))
        )
        batch_op.add_column(
            sa.Column('expires_at', bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        # The default only filled the rows already there; the bot always says which it means.
        batch_op.alter_column('priority', server_default=None)
        batch_op.drop_index('ix_outbox_pending_chat')
        batch_op.create_index(
            'ix_outbox_pending_chat_priority',
            ['status', 'chat_id', 'priority', 'id'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending_chat_priority')
        batch_op.create_index('ix_outbox_pending_chat', ['status', 'chat_id', 'id'], unique=False)
        batch_op.drop_column('expires_at')
        batch_op.drop_column('priority')
