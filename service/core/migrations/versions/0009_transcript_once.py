"""The transcript is stored once: as note version 1 (the ASR draft), not again on the
dictation row. Every finished dictation already has that version (written in the same
transaction as the row's status), so the column carries nothing that would be lost.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.drop_column("transcript")


def downgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("transcript", sa.Text(), nullable=True))
