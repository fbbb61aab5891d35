"""camera subscriptions and event faults

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 02:40:22.510490

Each camera's event subscription is recorded so that a restart takes it up or ends it, and a
camera whose events do not reach the desk carries the fault in its status row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("camera", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("terminates_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("made_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("process", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("run", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("desk", "camera"),
    )
    with op.batch_alter_table("camera_status", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("events_fault", sa.String(length=16), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("camera_status", schema=None) as batch_op:
        batch_op.drop_column("events_fault")
    op.drop_table("camera_subscription")
