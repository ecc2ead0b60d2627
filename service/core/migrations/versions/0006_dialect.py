"""The speaker's dialect region on a dictation (for accuracy by dialect over time).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("dialect", sa.String(50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.drop_column("dialect")
