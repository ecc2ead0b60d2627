"""Language adaptation: the tenant's written standard, lexicon and promoted model; who
dictated and whether they consented to training use; the promotion decisions.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as table:
        table.add_column(sa.Column("written_standard", sa.String(20), nullable=True))
        table.add_column(sa.Column("lexicon", sa.JSON(), nullable=True))
        table.add_column(sa.Column("model", sa.String(500), nullable=True))
    with op.batch_alter_table("dictations") as table:
        table.add_column(sa.Column("speaker", sa.String(200), nullable=True))
        table.add_column(sa.Column("training_consent", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "model_promotions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant_id", sa.String(32), sa.ForeignKey("tenants.id"), index=True),
        sa.Column("old_model", sa.String(500), nullable=False),
        sa.Column("new_model", sa.String(500), nullable=False),
        sa.Column("promoted", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("model_promotions")
    with op.batch_alter_table("dictations") as table:
        table.drop_column("training_consent")
        table.drop_column("speaker")
    with op.batch_alter_table("tenants") as table:
        table.drop_column("model")
        table.drop_column("lexicon")
        table.drop_column("written_standard")
