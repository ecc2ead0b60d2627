"""`dikta tenants`: each municipality's template, written standard, lexicon, model."""

from __future__ import annotations

from pathlib import Path

import click

from service.cli.common import EXIT_USAGE, fail
from service.core.settings import get_settings


@click.group()
def tenants() -> None:
    """Tenants (municipalities) of the service."""


@tenants.command("set-template")
@click.argument("tenant")
@click.argument("template")
def tenants_set_template(tenant: str, template: str) -> None:
    """Use section TEMPLATE (funksjonsomrader, isbar) for TENANT's notes."""
    from service.core.store import open_store
    from structuring.sections import template as load_template

    try:
        load_template(template)
        open_store(get_settings()).set_template(tenant, template)
    except (ValueError, LookupError) as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    click.echo(f"{tenant}: notes use the '{template}' template")


@tenants.command("set-standard")
@click.argument("tenant")
@click.argument("standard", type=click.Choice(["bokmaal", "nynorsk", "nynorsk-a",
                                               "as-dictated"]))
def tenants_set_standard(tenant: str, standard: str) -> None:
    """Write TENANT's notes in STANDARD (språkloven); as-dictated follows each dictation."""
    from service.core.store import open_store

    value = None if standard == "as-dictated" else standard
    try:
        open_store(get_settings()).update_tenant(tenant, written_standard=value)
    except LookupError as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    click.echo(f"{tenant}: notes written in {standard}")


@tenants.command("set-lexicon")
@click.argument("tenant")
@click.argument("terms", type=click.Path(dir_okay=False, path_type=Path))
def tenants_set_lexicon(tenant: str, terms: Path) -> None:
    """Use TERMS (a file, one term per line, '#' comments; empty to clear) as TENANT's
    lexicon: drug names, local places, staff words. Near misses of them are corrected; with
    DIKTA_ASR__LEXICON_HOTWORDS=true the first ~600 characters also bias decoding."""
    from pipelines.lexicon import read_lexicon
    from service.core.store import open_store

    try:
        words = read_lexicon(terms)
        open_store(get_settings()).update_tenant(tenant, lexicon=list(words) or None)
    except (ValueError, LookupError) as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    click.echo(f"{tenant}: lexicon of {len(words)} terms")


@tenants.command("set-text-template")
@click.argument("tenant")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def tenants_set_text_template(tenant: str, name: str, file: Path) -> None:
    """Register FILE (a Jinja2 template) as TENANT's paste-ready text template NAME, for
    GET /v1/dictations/{id}/text?template=NAME. It is validated first (it must parse and
    render every sample note); a shipped template of the same name is replaced for TENANT."""
    from service.core.errors import Problem
    from service.core.store import open_store
    from service.feed.templates import put_template_by_tenant_name

    try:
        created = put_template_by_tenant_name(open_store(get_settings()), tenant, name,
                                              file.read_text(encoding="utf-8"))
    except LookupError as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    except Problem as exc:
        fail(exc.detail, EXIT_USAGE)
    click.echo(f"{tenant}: text template '{name}' {'added' if created else 'replaced'}")


@tenants.command("show")
@click.argument("tenant")
def tenants_show(tenant: str) -> None:
    """TENANT's settings: template, written standard, lexicon size, model."""
    import json

    from service.core.store import open_store
    from service.tenants.profile import tenant_profile

    settings = get_settings()
    store = open_store(settings)
    row = store.tenant_by_name(tenant)
    if row is None:
        fail(f"no tenant named '{tenant}'", EXIT_USAGE)
    profile = tenant_profile(store, settings, row.id)
    click.echo(json.dumps({"tenant": tenant, "template": profile.template,
                           "written_standard": profile.written_standard or "as-dictated",
                           "lexicon_terms": len(profile.lexicon),
                           "model": profile.model or settings.model.name},
                          ensure_ascii=False, indent=2))
