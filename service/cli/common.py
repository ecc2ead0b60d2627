"""What every command shares: exit codes, the one-line error, the engine from settings."""

from __future__ import annotations

import sys

import click

from service.core.settings import get_settings

EXIT_FAILED = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"dikta: error: {message}", err=True)
    sys.exit(code)


def engine_from_settings():
    from service.core.engine import Engine

    return Engine(get_settings())

