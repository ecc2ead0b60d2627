"""Amendments: an approved note may be amended and approved again.

`note_versions.supersedes` names the approved version an approved amendment replaces (what a
FHIR DocumentReference's `relatesTo` replaces points at); `dictations.approved_version` is the
version the journal holds now, and `dictations.amending` says an amendment is open (a working
version after approval that is not approved yet).

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note_versions") as table:
        table.add_column(sa.Column("supersedes", sa.Integer(), nullable=True))
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("approved_version", sa.Integer(), nullable=True))
        table.add_column(sa.Column("amending", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    # Notes approved before amendments existed: their one approved version is the current one.
    op.execute("UPDATE dictations SET approved_version = (SELECT MAX(v.version) FROM "
               "note_versions v WHERE v.dictation_id = dictations.id AND v.kind = 'approved') "
               "WHERE approved_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.drop_column("amending")
        table.drop_column("approved_version")
    with op.batch_alter_table("note_versions") as table:
        table.drop_column("supersedes")
