"""Welfare-technology alarms (VKP/JFT), their links to dictations, and each tenant's
pseudonym secret (issue 16).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "alarms",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("vkp_code", sa.String(20), nullable=False),
        _when("occurred_at"),
        sa.Column("severity", sa.String(50), nullable=True),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("patient_pseudonym", sa.String(64), nullable=True),
        sa.Column("national_id", sa.Text(), nullable=True),
        sa.Column("patient_ref", sa.String(200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("resources", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("dictation_id", sa.String(32), nullable=True),
        _when("documented_at", nullable=True),
        _when("created_at"),
        sa.UniqueConstraint("tenant_id", "source", "source_id"),
    )
    for column in ("tenant_id", "occurred_at", "patient_pseudonym", "patient_ref", "status"):
        op.create_index(f"ix_alarms_{column}", "alarms", [column])
    op.create_table(
        "alarm_links",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("alarm_id", sa.String(32),
                  sa.ForeignKey("alarms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("dictation_id", sa.String(32),
                  sa.ForeignKey("dictations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(16), nullable=False, server_default="match"),
        sa.Column("state", sa.String(16), nullable=False, server_default="proposed"),
        _when("created_at"),
        sa.UniqueConstraint("alarm_id", "dictation_id"),
    )
    for column in ("tenant_id", "alarm_id", "dictation_id"):
        op.create_index(f"ix_alarm_links_{column}", "alarm_links", [column])
    op.create_table(
        "pseudonym_secrets",
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("secret", sa.Text(), nullable=False),
        _when("created_at"),
    )


def downgrade() -> None:
    op.drop_table("pseudonym_secrets")
    op.drop_table("alarm_links")
    op.drop_table("alarms")
