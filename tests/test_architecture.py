"""Issue 14: the layers hold (import-linter), one use case structures text for a tenant,
optional system resources are reported rather than skipped, and no import changes the
environment."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from service.core.resources import optional_resources, report_missing
from service.notes.structure import structure_for_tenant
from service.tenants.profile import TenantProfile, service_profile
from tests.conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def test_import_contracts_hold():
    run = subprocess.run([LINT_IMPORTS], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 broken" in run.stdout and "kept" in run.stdout


def test_a_broken_contract_fails_the_check(tmp_path):
    """The contracts can fail: a core module that imports the HTTP layer is caught."""
    offender = ROOT / "service" / "core" / "_contract_probe.py"
    offender.write_text("import service.http.app  # noqa: F401\n")
    try:
        run = subprocess.run([LINT_IMPORTS], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
    finally:
        offender.unlink()
    assert run.returncode != 0 and "service.core._contract_probe" in run.stdout


def test_structure_for_tenant_follows_the_profile_and_explicit_choices():
    isbar = TenantProfile(template="isbar", written_standard=None, lexicon=(), model=None)
    text = "situasjon pasienten har feber punktum"
    assert structure_for_tenant(text, isbar).template == "isbar"
    from service.core.settings import Settings

    default = service_profile(Settings())
    assert structure_for_tenant(text, default).template == default.template
    assert structure_for_tenant(text, default, template="isbar").template == "isbar"


def test_a_missing_word_list_is_reported_not_skipped(monkeypatch):
    from pipelines import orthography

    monkeypatch.setitem(orthography.WORD_LISTS, "bokmaal", Path("/nonexistent/bokmaal"))
    orthography.norwegian_words.cache_clear()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("dikta.resources")
    logger.addHandler(handler)
    try:
        listed = report_missing()
    finally:
        logger.removeHandler(handler)
        monkeypatch.undo()
        orthography.norwegian_words.cache_clear()  # the real list again for other tests
    bokmaal = next(r for r in listed if r["name"].startswith("wnorwegian bokmål"))
    assert bokmaal["available"] is False and "kept" in bokmaal["without_it"]
    assert any("wnorwegian bokmål" in getattr(r, "event", "") for r in records)
    assert {r.name for r in optional_resources()} >= {"Apertium nob→nno",
                                                       "wnorwegian nynorsk word list"}


def test_importing_dikta_changes_no_environment_variable():
    code = ("import os; before = dict(os.environ); "
            "import models.manager, pipelines.asr, service.core.engine, service.http.app, "
            "service.cli; "
            "changed = {k for k in set(before) | set(os.environ) "
            "if before.get(k) != os.environ.get(k)}; print(sorted(changed))")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "TRANSFORMERS_", "ORT_", "DO_NOT_TRACK"))}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"
