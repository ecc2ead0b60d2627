"""The access audit is tamper-evident against someone who can write the database (issue 13):
altered, forged, reordered, deleted and truncated rows are all found by `verify`, and by
`dikta audit verify`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess

import pytest
from sqlalchemy import text

from service.core.audit import AuditLog, _canonical
from service.core.settings import Settings
from service.core.store import Store
from tests.conftest import DIKTA


@pytest.fixture
def audit(tmp_path):
    settings = Settings(data_dir=tmp_path)
    store = Store(settings.sql_url)
    log = AuditLog.for_settings(store, settings)
    for number, action in enumerate(("create", "read", "update", "approve", "read"), 1):
        log.record(tenant_id="t", actor="key:1", action=action, resource_type="dictation",
                   resource_id=f"d{number}", patient_ref="p1", request_id="r")
    assert log.verify().ok and log.verify().rows == 5
    yield log, store, settings
    store.engine.dispose()


def _attacker(store: Store, *statements: str) -> None:
    """Raw database access: triggers dropped, then any change at all."""
    with store.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            connection.execute(text(statement))


def test_rows_are_append_only_in_the_database(audit):
    _, store, _ = audit
    with store.engine.begin() as connection, pytest.raises(Exception, match="append-only"):
        connection.execute(text("UPDATE audit_events SET actor='key:2' WHERE seq=2"))


def test_an_altered_row_is_found(audit):
    log, store, _ = audit
    _attacker(store, "UPDATE audit_events SET actor='key:2' WHERE seq=2")
    assert "row 2: contents altered or forged (MAC differs)" in log.verify().problems


def test_a_forged_last_row_with_a_recomputed_sha256_is_found(audit):
    """Issue 13 defect 5: the plain SHA-256 chain could be recomputed by anyone."""
    log, store, _ = audit
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM audit_events WHERE seq=5")).mappings().one()
    values = {**row, "actor": "key:innocent"}
    forged = hashlib.sha256((row["prev_hash"] + _canonical(values)).encode()).hexdigest()
    _attacker(store, f"UPDATE audit_events SET actor='key:innocent', hash='{forged}' "
                     "WHERE seq=5")
    problems = log.verify().problems
    assert "row 5: contents altered or forged (MAC differs)" in problems
    assert "row 5: differs from its checkpoint" in problems


def test_deleted_last_rows_are_found_by_the_checkpoint(audit):
    log, store, _ = audit
    _attacker(store, "DELETE FROM audit_events WHERE seq >= 4")
    assert log.verify().problems == [
        "rows 4..5 were checkpointed but are gone (the log was truncated)"]


def test_a_deleted_middle_row_is_found(audit):
    log, store, _ = audit
    _attacker(store, "DELETE FROM audit_events WHERE seq = 2")
    problems = log.verify().problems
    assert "row 2 is missing (next is 3)" in problems
    assert "row 3: chain broken (previous hash differs)" in problems


def test_the_whole_table_deleted_is_found(audit):
    log, store, _ = audit
    _attacker(store, "DELETE FROM audit_events")
    assert log.verify().problems == [
        "rows 1..5 were checkpointed but are gone (the log was truncated)"]


def test_checkpoint_file_is_private_signed_and_chained(audit):
    log, _, settings = audit
    path = settings.data_dir / "audit" / "checkpoints.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_file = settings.data_dir / "keys" / "audit-key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3, 4, 5]
    forged = json.loads(lines[-1])
    forged["seq"] = 3
    path.write_text("\n".join(lines[:-1] + [json.dumps(forged)]) + "\n")
    assert "checkpoint line 5: altered or forged" in log.verify().problems
    path.write_text("\n".join(lines[:2] + lines[3:]) + "\n")
    assert "checkpoint line 3: a line before it was removed" in log.verify().problems
    path.unlink()
    assert log.verify().problems == [
        "no checkpoint file: the newest rows cannot be checked for deletion"]


def test_rows_from_before_the_key_stay_verifiable(tmp_path):
    """An older Dikta wrote plain SHA-256 rows; the key file made on upgrade records them."""
    from service.core.audit import AuditKey

    settings = Settings(data_dir=tmp_path)
    store = Store(settings.sql_url)
    old = AuditLog(store, AuditKey(b"x" * 32), tmp_path / "unused.jsonl")
    old.key = None  # what the plain chain did
    old.checkpoints.append = lambda entry: None
    old.record(tenant_id="t", actor="key:1", action="read", resource_type="dictation",
               resource_id="d", patient_ref="p", request_id="r")
    upgraded = AuditLog.for_settings(store, settings)
    assert upgraded.legacy_until == 1
    upgraded.record(tenant_id="t", actor="key:1", action="read", resource_type="dictation",
                    resource_id="d", patient_ref="p", request_id="r")
    assert upgraded.verify().ok, upgraded.verify().problems
    store.engine.dispose()


def test_cli_verify_fails_on_truncation(audit, cli_env):
    _, store, settings = audit
    env = {**cli_env, "DIKTA_DATA_DIR": str(settings.data_dir)}
    intact = subprocess.run([DIKTA, "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert intact.returncode == 0 and "5 rows" in intact.stdout, intact.stderr
    _attacker(store, "DELETE FROM audit_events WHERE seq = 5")
    broken = subprocess.run([DIKTA, "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert broken.returncode != 0 and "truncated" in broken.stderr
    assert os.environ.get("DIKTA_SECURITY__AUDIT_KEY") is None


def test_cli_verify_without_the_key_says_so_instead_of_making_one(audit, cli_env, tmp_path):
    _, _, settings = audit
    env = {**cli_env, "DIKTA_DATABASE_URL": settings.sql_url,
           "DIKTA_DATA_DIR": str(tmp_path / "elsewhere")}
    answer = subprocess.run([DIKTA, "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert answer.returncode != 0 and "no audit key" in answer.stderr
    assert not (tmp_path / "elsewhere" / "keys" / "audit-key.json").exists()
