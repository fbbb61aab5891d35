"""intake signatures kept for the replay window

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('intake_signature',
    sa.Column('desk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('signed_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('desk', 'digest')
    )
    with op.batch_alter_table('intake_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_signature_signed_at'), ['signed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_signature_signed_at'))

    op.drop_table('intake_signature')
