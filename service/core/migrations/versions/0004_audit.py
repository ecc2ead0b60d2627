"""Append-only, hash-chained access audit (tilgangslogg).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("tenant_id", sa.String(32), nullable=False, index=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=True),
        sa.Column("patient_ref", sa.String(200), nullable=True, index=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} "
                       "ON audit_events BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); "
                       "END")
    else:
        op.execute("CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
                   "BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$ "
                   "LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE "
                   "ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_table("audit_events")
