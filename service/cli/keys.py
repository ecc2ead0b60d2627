"""`dikta keys`: API keys per tenant and the data key."""

from __future__ import annotations

import click

from service.cli.common import EXIT_USAGE, fail
from service.core.settings import get_settings


@click.group()
def keys() -> None:
    """API keys of tenants (stored only as hashes)."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant (municipality) name.")
@click.option("--scope", "scopes", multiple=True, default=("dictate", "read_notes"),
              type=click.Choice(["dictate", "read_notes", "approve", "export", "ingest", "stats",
                                 "admin"]),
              help="ingest: post alarms (a VKP/JFT hub); stats: read gains figures.",
              show_default=True)
def keys_create(tenant: str, scopes: tuple[str, ...]) -> None:
    """Create an API key for TENANT; it is printed once and cannot be shown again."""
    from service.core.store import open_store

    key = open_store(get_settings()).create_key(tenant, " ".join(scopes))
    click.echo(key)
    click.echo(f"API key for tenant '{tenant}' created; store it now, it is not shown again.",
               err=True)



@keys.command("list")
@click.option("--tenant", default=None)
def keys_list(tenant: str | None) -> None:
    """List API keys (ids, tenants, scopes, state) — never the keys themselves."""
    from service.core.store import open_store

    for name, key in open_store(get_settings()).list_keys(tenant):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{name}\t{key.scopes}\t{state}")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke the API key KEY_ID (from `dikta keys list`); it stops working at once."""
    from service.core.store import open_store

    if not open_store(get_settings()).revoke_key(key_id):
        fail(f"no active key with id {key_id}")
    click.echo(f"{key_id}: revoked")


@keys.command("rotate-data-key")
def keys_rotate_data_key() -> None:
    """Create a new data key and re-seal stored notes and recordings with it."""
    import service.alarms.tables  # noqa: F401  (its sealed tables are re-sealed too)
    from service.core.crypto import keyring_for, use_keyring
    from service.core.rotation import rotate_data_key
    from service.core.store import Store

    settings = get_settings()
    keyring = keyring_for(settings)
    use_keyring(keyring)
    try:
        result = rotate_data_key(Store(settings.sql_url), keyring)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(f"new data key {result.key_id}: {result.rows} rows and {result.files} "
               "recordings re-sealed")
