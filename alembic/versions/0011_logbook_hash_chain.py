"""logbook hash chain

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:01:46.001490

Entries written before this migration stay outside the chain (chain_seq NULL); `duty-desk
logbook verify` counts them apart.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logbook_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("logbook_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "prev_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "entry_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_index("ix_logbook_entry_chain_seq", ["chain_seq"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("logbook_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_logbook_entry_chain_seq")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("chain_seq")
    op.drop_table("logbook_chain")
