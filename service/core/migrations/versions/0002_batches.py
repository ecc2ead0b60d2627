"""Batches of dictations, and the original file name of a dictation.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("batch_id", sa.String(32), nullable=True))
        table.add_column(sa.Column("source_name", sa.String(500), nullable=True))
        table.create_index("ix_dictations_batch_id", ["batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.drop_index("ix_dictations_batch_id")
        table.drop_column("source_name")
        table.drop_column("batch_id")
    op.drop_table("batches")
