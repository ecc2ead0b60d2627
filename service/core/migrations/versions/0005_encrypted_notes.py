"""Note columns become text, to hold AES-GCM sealed values (see service/crypto.py).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in ("dictations", "note_versions"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("note", type_=sa.Text(), existing_type=sa.JSON(),
                               postgresql_using="note::text" if postgres else None)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in ("dictations", "note_versions"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("note", type_=sa.JSON(), existing_type=sa.Text(),
                               postgresql_using="note::json" if postgres else None)
