"""Alembic environment: migrations run on the connection Dikta hands over (Store.upgrade)."""

from alembic import context

from service.core.store import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through service.core.store.upgrade() or `dikta db upgrade`")
context.configure(connection=connection, target_metadata=target_metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
