"""What a test needs from this machine, checked directly (never through the code under test).

On a developer's machine a missing service or system package skips the test, with the reason
in `make test`'s summary (`-ra`). In CI (`CI=true`, as `.ci/run` is run) it fails instead:
CI must run every test, so a missing PostgreSQL, Redis, RabbitMQ, word list or Apertium is
an error with a message saying what to install or start (see docs/deployment.md).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
START_SERVICES = "start it (docs/deployment.md, 'Services for the tests'), or run make test"
WORD_LISTS = (Path("/usr/share/dict/bokmaal"), Path("/usr/share/dict/nynorsk"))
APERTIUM_MODE = Path("/usr/share/apertium/modes/nob-nno_e.mode")


def need(ok: bool, what: str, how: str) -> None:
    """Skip (locally) or fail (CI=true) unless `ok`."""
    if ok:
        return
    message = f"{what}: {how}"
    if CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def need_word_lists() -> None:
    need(all(p.is_file() for p in WORD_LISTS),
         "Debian's wnorwegian word lists (/usr/share/dict/bokmaal, nynorsk) are missing",
         "make setup installs them (apt-get install wnorwegian)")


def need_apertium() -> None:
    need(shutil.which("apertium") is not None and APERTIUM_MODE.is_file(),
         "apertium with the nob-nno_e mode is missing",
         "make setup installs it (apt-get install apertium-nno-nob)")


def _answers(host: str, port: int, hello: bytes, expect: bytes) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3) as sock:
            sock.sendall(hello)
            return sock.recv(16).startswith(expect)
    except OSError:
        return False


def redis_answers(port: int = 6379) -> bool:
    return _answers("127.0.0.1", port, b"PING\r\n", b"+PONG")


def rabbitmq_answers(port: int = 5672) -> bool:
    # AMQP 0-9-1 protocol header; the broker answers with a method frame (type 1, channel 0).
    return _answers("127.0.0.1", port, b"AMQP\x00\x00\x09\x01", b"\x01\x00\x00")


def need_redis() -> None:
    need(redis_answers(), "no Redis answers on 127.0.0.1:6379", START_SERVICES)


def need_rabbitmq() -> None:
    need(rabbitmq_answers(), "no RabbitMQ answers on 127.0.0.1:5672", START_SERVICES)


def need_broker(kind: str) -> None:
    {"redis": need_redis, "rabbitmq": need_rabbitmq}[kind]()


def need_postgres() -> None:
    from tests.databases import postgres_problem

    problem = postgres_problem()
    need(problem is None, f"no PostgreSQL answers on 127.0.0.1:5432 ({problem})",
         START_SERVICES)


# The VKP conformance files (licensed reference data, never copied into the repository) sit
# next to the checkout: <repo>/../shared/data/vkp.
VKP_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "vkp"


def need_vkp_profiles() -> Path:
    need((VKP_DIR / "StructureDefinition").is_dir(),
         f"the VKP conformance files are missing at {VKP_DIR}",
         "put the VKP-R4 CodeSystem/ValueSet/StructureDefinition folders there "
         "(HL7Norway/Velferdsteknologi, folder VKP-R4)")
    return VKP_DIR
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def need_chromium() -> None:
    need(CHROMIUM.is_file() and CHROMEDRIVER.is_file(),
         "Debian's chromium and chromium-driver are missing",
         "make setup installs them (apt-get install chromium chromium-driver)")
