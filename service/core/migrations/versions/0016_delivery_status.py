"""Delivery status follow-up: a JFT entry goes registered → read → journaled after the 202.

`deliveries.remote_status_at` is when the receiver says the entry reached `remote_status`;
`deliveries.status_check_at` is when the worker asks the recorded status URL next (NULL: the
row is not followed — not a status-reporting target, journaled, or given up).

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as table:
        table.add_column(sa.Column("remote_status_at", sa.DateTime(timezone=True),
                                   nullable=True))
        table.add_column(sa.Column("status_check_at", sa.DateTime(timezone=True),
                                   nullable=True))
        table.create_index("ix_deliveries_status_check_at", ["status_check_at"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as table:
        table.drop_index("ix_deliveries_status_check_at")
        table.drop_column("status_check_at")
        table.drop_column("remote_status_at")
