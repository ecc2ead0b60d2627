"""Daily per-tenant aggregates for gains reporting, kept apart from the rows they count so
purges leave them (issue 16).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_daily",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dictations", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("audio_seconds", sa.Float(), nullable=False, server_default="0"),
        sa.Column("notes_approved", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("notes_edited", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("approved_words", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("approved_audio_seconds", sa.Float(), nullable=False, server_default="0"),
        sa.Column("alarms_received", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("alarms_documented", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("alarm_minutes", sa.JSON(), nullable=False),
        sa.Column("technologies", sa.JSON(), nullable=False),
        sa.UniqueConstraint("tenant_id", "day"),
    )
    op.create_index("ix_stats_daily_tenant_id", "stats_daily", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("stats_daily")
