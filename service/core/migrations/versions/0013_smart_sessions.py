"""SMART on FHIR launch: pending launches (state, PKCE verifier, nonce — single use, short
expiry) and launch sessions (hashed session id → tenant, EPJ patient, practitioner, issuer);
dictations remember the EPJ that launched their session (`epj_issuer`), for write-back.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "smart_launches",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("launch_hash", sa.String(64), nullable=True),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("redirect_uri", sa.String(1000), nullable=False),
        sa.Column("token_endpoint", sa.String(1000), nullable=False),
        sa.Column("jwks_uri", sa.String(1000), nullable=False),
        sa.Column("id_token_issuer", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("issuer", "launch_hash", name="uq_smart_launches_launch"),
    )
    op.create_table(
        "smart_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("patient_ref", sa.String(200), nullable=False),
        sa.Column("practitioner", sa.String(300), nullable=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("epj_issuer", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dictations") as table:
        table.drop_column("epj_issuer")
    op.drop_table("smart_sessions")
    op.drop_table("smart_launches")
