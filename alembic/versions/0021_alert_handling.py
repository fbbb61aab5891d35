"""alert handling on the card: which incident an alert became and who opened it, and who
marked it seen and when

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('camera_alert', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'incident_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                server_default='',
            )
        )
        batch_op.add_column(
            sa.Column(
                'incident_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                server_default='',
            )
        )
        batch_op.add_column(
            sa.Column(
                'seen_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''
            )
        )
        batch_op.add_column(
            sa.Column('seen_at', bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('camera_alert', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
        batch_op.drop_column('seen_by')
        batch_op.drop_column('incident_by')
        batch_op.drop_column('incident_label')
