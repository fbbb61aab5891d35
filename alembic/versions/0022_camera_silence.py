"""camera silences: a camera's alerts kept from the group for a while (maintenance, a planned
power cut), with who, why and until when

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'camera_silence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('desk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('camera', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('starts_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ends_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('by_id', sa.BigInteger(), nullable=True),
        sa.Column('by_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('camera_silence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_silence_desk'), ['desk'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_silence_ends_at'), ['ends_at'], unique=False)
    with op.batch_alter_table('camera_alert', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'silence_note', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                server_default='',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('camera_alert', schema=None) as batch_op:
        batch_op.drop_column('silence_note')
    with op.batch_alter_table('camera_silence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_silence_ends_at'))
        batch_op.drop_index(batch_op.f('ix_camera_silence_desk'))
    op.drop_table('camera_silence')
