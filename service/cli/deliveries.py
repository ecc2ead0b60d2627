"""`dikta deliveries`: the outbox as an operator sees it — list, retry the dead, make keys."""

from __future__ import annotations

import json

import click

from service.cli.common import EXIT_USAGE, fail
from service.core.settings import get_settings


@click.group()
def deliveries() -> None:
    """Approved notes on their way to the journal (JFT and other targets)."""


@deliveries.command("list")
@click.option("--state", type=click.Choice(["pending", "sending", "delivered", "dead"]),
              default=None, help="Only deliveries in this state (e.g. dead).")
@click.option("--tenant", default=None, help="Only this tenant's deliveries.")
def deliveries_list(state: str | None, tenant: str | None) -> None:
    """One line per delivery: id, tenant, dictation, target, state, attempts, last error."""
    from service.core.store import open_store
    from service.deliveries.outbox import list_deliveries

    for row in list_deliveries(open_store(get_settings()), state, tenant):
        when = row.delivered_at or row.next_attempt_at
        click.echo("\t".join([row.id, row.tenant, row.dictation_id, row.target, row.state,
                              str(row.attempts), when.isoformat() if when else "-",
                              row.last_error or "-"]))


@deliveries.command("retry")
@click.argument("ids", nargs=-1)
@click.option("--all-dead", is_flag=True, help="Retry every dead delivery.")
def deliveries_retry(ids: tuple[str, ...], all_dead: bool) -> None:
    """Send dead deliveries IDS (or --all-dead) again; the running service picks them up."""
    from service.core.store import open_store
    from service.deliveries.outbox import retry_dead

    if bool(ids) == all_dead:
        fail("name delivery ids or --all-dead (not both)", EXIT_USAGE)
    settings = get_settings()
    retried = retry_dead(open_store(settings), list(ids) or None, settings)
    missing = sorted(set(ids) - set(retried))
    for delivery_id in retried:
        click.echo(delivery_id)
    click.echo(f"{len(retried)} dead deliveries queued again", err=True)
    if missing:
        fail(f"not retried (not dead, unknown, or its document still cannot be rendered): "
             f"{', '.join(missing)}")


@deliveries.command("keygen")
@click.option("--target", "name", required=True, help="The delivery target's name.")
@click.option("--alg", type=click.Choice(["ES256", "PS256", "RS256"]), default="ES256",
              show_default=True, help="Signing algorithm of the client key.")
def deliveries_keygen(name: str, alg: str) -> None:
    """Make TARGET's client key (sealed, 0600) and print its public JWK to register at the
    identity provider (HelseID self-service). An existing key is never replaced."""
    from service.core.crypto import keyring_for
    from service.deliveries.helseid import (
        generate_private_jwk,
        key_path,
        public_jwk,
        save_private_jwk,
    )

    settings = get_settings()
    target = next((t for t in settings.deliveries.targets if t.name == name), None)
    if target is None:
        fail(f"no delivery target named '{name}' (settings deliveries.targets)", EXIT_USAGE)
    path = key_path(settings, target)
    if path.exists():
        fail(f"{path} exists: a key registered at the identity provider is not replaced "
             "(move it away first to make a new one)")
    jwk = generate_private_jwk(alg)
    save_private_jwk(path, jwk, keyring_for(settings))
    click.echo(json.dumps(public_jwk(jwk), indent=2))
    click.echo(f"private key sealed in {path}; register the public JWK above for client "
               f"'{target.client_id or '?'}'", err=True)


@deliveries.command("secret")
@click.option("--target", "name", required=True, help="The rest_json delivery target's name.")
def deliveries_secret(name: str) -> None:
    """Store TARGET's HMAC signing secret sealed (0600): the one given on standard input, or
    a new random one printed once for the EPJ side. An existing secret is never replaced."""
    import secrets
    import sys

    from service.core.crypto import keyring_for
    from service.deliveries.rest_json import save_secret, secret_path

    settings = get_settings()
    target = next((t for t in settings.deliveries.targets if t.name == name), None)
    if target is None or target.kind != "rest_json":
        fail(f"no rest_json delivery target named '{name}' (settings deliveries.targets)",
             EXIT_USAGE)
    path = secret_path(settings, target)
    if path.exists():
        fail(f"{path} exists: the EPJ holds the same secret (move it away to make a new one)")
    given = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    secret = given or secrets.token_urlsafe(32)
    save_secret(path, secret, keyring_for(settings))
    if not given:
        click.echo(secret)
    click.echo(f"secret sealed in {path}; configure the same secret at the receiving API",
               err=True)
