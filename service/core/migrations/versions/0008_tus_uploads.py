"""Resumable uploads on tus 1.0 (state, metadata, expiry, encrypted frames on disk) and the
payload fingerprint stored with each idempotency key.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("uploads") as table:
        table.add_column(sa.Column("status", sa.String(16), nullable=False,
                                   server_default="receiving"))
        table.add_column(sa.Column("stored_bytes", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        table.add_column(sa.Column("upload_metadata", sa.Text(), nullable=True))
        table.add_column(sa.Column("error", sa.Text(), nullable=True))
        table.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("idempotency_fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.drop_column("idempotency_fingerprint")
    with op.batch_alter_table("uploads") as table:
        for column in ("expires_at", "error", "upload_metadata", "stored_bytes", "status"):
            table.drop_column(column)
