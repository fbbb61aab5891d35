"""what the official forms need from the chat: the proposer's assessment, the unit's
suggestion, the enterprise's legal representative

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('unit_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggestion', sa.Text(), nullable=True))
    with op.batch_alter_table('enterprise_contact', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'legal_representative',
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default='',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('enterprise_contact', schema=None) as batch_op:
        batch_op.drop_column('legal_representative')
    with op.batch_alter_table('unit_request', schema=None) as batch_op:
        batch_op.drop_column('suggestion')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('assessment')
