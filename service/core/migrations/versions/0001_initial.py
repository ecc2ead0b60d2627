"""Initial schema: tenants, API keys, dictations, jobs, note versions, uploads.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("note_template", sa.String(50), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_table(
        "dictations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("patient_ref", sa.String(200), nullable=True),
        sa.Column("note_type", sa.String(100), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("recorded_at", TS, nullable=True),
        sa.Column("device_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("audio_path", sa.String(500), nullable=True),
        sa.Column("audio_sha256", sa.String(64), nullable=True),
        sa.Column("audio_duration_s", sa.Float, nullable=True),
        sa.Column("transcript", sa.Text, nullable=True),
        sa.Column("note", sa.JSON, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("tenant_id", "idempotency_key"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("dictation_id", sa.String(32),
                  sa.ForeignKey("dictations.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("queued_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("timings", sa.JSON, nullable=True),
    )
    op.create_table(
        "note_versions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("dictation_id", sa.String(32),
                  sa.ForeignKey("dictations.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("note", sa.JSON, nullable=True),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("dictation_id", "version"),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("dictation_id", sa.String(32), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("uploads", "note_versions", "jobs", "dictations", "api_keys", "tenants"):
        op.drop_table(table)
