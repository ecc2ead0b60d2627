"""Issue 16.1: alarms in — plain JSON (and FHIR when the VKP profiles are configured), stored
once per (tenant, source, source_id), tenant-scoped, sealed at rest, the national ID in no
response, log line or audit row. Real app on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import text

from service.core.store import AuditEvent
from tests.databases import database_url
from tests.test_privacy import app_log_stream
from tests.uploads_app import upload_app

NATIONAL_ID = "15076500565"  # valid check digits, invented


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def plain(**overrides) -> dict:
    alarm = {"source": "responssenter-1", "source_id": "a-1", "vkp_code": "4.1",
             "occurred_at": "2026-12-03T05:10:00+01:00", "national_id": NATIONAL_ID,
             "device_id": "fallsensor-77", "severity": "high",
             "detail": f"Fall registrert hos bruker {NATIONAL_ID}"}
    alarm.update(overrides)
    return {k: v for k, v in alarm.items() if v is not None}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    if request.param == "postgresql":
        from tests.needs import need_postgres

        need_postgres()
    with database_url(request.param) as url, \
            upload_app(tmp_path_factory.mktemp(f"alarms-{request.param}"), url) as running:
        base, keys, dikta = running
        store = dikta.state.dikta.store
        keys = {**keys, "ingest_a": store.create_key("kommune-a", "ingest"),
                "ingest_b": store.create_key("kommune-b", "ingest")}
        yield base, keys, dikta


def _post(app, body, key="ingest_a", **kwargs) -> httpx.Response:
    url, keys, _ = app
    return httpx.post(f"{url}/v1/alarms", json=body, headers=auth(keys[key]), **kwargs)


def test_a_replayed_alarm_is_stored_once_and_another_content_is_a_conflict(app):
    first = _post(app, plain(source_id="replay-1"))
    assert first.status_code == 201, first.text
    again = _post(app, plain(source_id="replay-1"))
    assert again.status_code == 200
    assert again.json()["items"][0]["id"] == first.json()["items"][0]["id"]
    assert again.json()["created"] == 0
    changed = _post(app, plain(source_id="replay-1", vkp_code="4.15"))
    assert changed.status_code == 409 and changed.json()["type"].endswith("alarm-conflict")
    # The same source_id from another source, or at another tenant, is another alarm.
    other_source = _post(app, plain(source_id="replay-1", source="responssenter-2"))
    other_tenant = _post(app, plain(source_id="replay-1"), key="ingest_b")
    ids = {r.json()["items"][0]["id"] for r in (first, other_source, other_tenant)}
    assert len(ids) == 3


def test_posting_needs_the_ingest_scope_and_reading_needs_read_notes(app):
    url, keys, _ = app
    for key in ("a", "a_dictate"):
        refused = _post(app, plain(source_id="scope-1"), key=key)
        assert refused.status_code == 403 and "ingest" in refused.json()["detail"]
    assert httpx.get(f"{url}/v1/alarms", headers=auth(keys["ingest_a"])).status_code == 403
    assert httpx.get(f"{url}/v1/alarms", headers=auth(keys["a"])).status_code == 200
    assert httpx.post(f"{url}/v1/alarms", json=plain()).status_code == 401


def test_another_tenants_alarm_is_exactly_like_a_missing_one(app):
    url, keys, _ = app
    mine = _post(app, plain(source_id="tenant-1")).json()["items"][0]["id"]
    theirs = httpx.get(f"{url}/v1/alarms/{mine}", headers=auth(keys["b"]))
    missing = httpx.get(f"{url}/v1/alarms/{'0' * 32}", headers=auth(keys["b"]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"] == missing.json()["detail"]
    listed = httpx.get(f"{url}/v1/alarms?status=all", headers=auth(keys["b"])).json()
    assert mine not in {a["id"] for a in listed}
    assert httpx.get(f"{url}/v1/alarms/{mine}", headers=auth(keys["a"])).status_code == 200


@pytest.mark.parametrize("overrides, element", [
    ({"vkp_code": "99.9"}, "vkp_code"),
    ({"vkp_code": "fall"}, "vkp_code"),
    ({"occurred_at": "2026-12-03T05:10:00"}, "occurred_at"),
    ({"occurred_at": "i går"}, "occurred_at"),
    ({"national_id": "15076500566"}, "national_id"),
    ({"national_id": None, "patient_ref": None}, "patient_ref"),
    ({"patient_ref": f"pasient {NATIONAL_ID}", "national_id": None}, "patient_ref"),
    ({"source_id": None}, "source_id"),
    ({"source": "a\x00b"}, "source"),
    ({"severity": "svært høy"}, "severity"),
    ({"colour": "red"}, "colour"),
])
def test_malformed_fields_are_422_naming_them(app, overrides, element):
    response = _post(app, plain(**{"source_id": f"bad-{element}", **overrides}))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["loc"] == [element]
    assert problem["detail"].startswith(f"{element}:")
    assert NATIONAL_ID not in response.text


def test_bodies_that_are_no_alarm_are_refused(app):
    url, keys, _ = app
    headers = auth(keys["ingest_a"])
    not_json = httpx.post(f"{url}/v1/alarms", content=b"{nope",
                          headers={**headers, "Content-Type": "application/json"})
    assert not_json.status_code == 422 and not_json.json()["errors"][0]["loc"] == ["body"]
    a_list = httpx.post(f"{url}/v1/alarms", json=[plain()], headers=headers)
    assert a_list.status_code == 422
    text_body = httpx.post(f"{url}/v1/alarms", content=b"alarm",
                           headers={**headers, "Content-Type": "text/plain"})
    assert text_body.status_code == 415
    fhir_without_type = httpx.post(f"{url}/v1/alarms", content=json.dumps(plain()),
                                   headers={**headers, "Content-Type": "application/fhir+json"})
    assert fhir_without_type.json()["errors"][0]["loc"] == ["resourceType"]


def test_fhir_without_configured_profiles_is_a_clear_503(app):
    response = httpx.post(f"{app[0]}/v1/alarms", headers={
        **auth(app[1]["ingest_a"]), "Content-Type": "application/fhir+json"},
        content=json.dumps({"resourceType": "DetectedIssue", "status": "final"}))
    assert response.status_code == 503
    assert "VKP_PROFILES_DIR" in response.json()["detail"]


def test_lists_filter_by_status_patient_and_time(app):
    url, keys, _ = app
    one = _post(app, plain(source_id="list-1", national_id="15076500565",
                           occurred_at="2026-11-01T10:00:00Z")).json()["items"][0]
    two = _post(app, plain(source_id="list-2", national_id=None, patient_ref="epj-4711",
                           occurred_at="2026-11-02T10:00:00Z")).json()["items"][0]
    assert one["patient_ref"].startswith("pid:") and len(one["patient_ref"]) == 36
    assert two["patient_ref"] == "epj-4711" and not two["has_national_id"]

    def ids(query: str) -> set[str]:
        response = httpx.get(f"{url}/v1/alarms?{query}", headers=auth(keys["a"]))
        assert response.status_code == 200, response.text
        return {a["id"] for a in response.json()}

    assert {one["id"], two["id"]} <= ids("status=open")
    assert not {one["id"], two["id"]} & ids("status=documented")
    assert ids("patient_ref=epj-4711") == {two["id"]}
    assert one["id"] in ids(f"patient_ref={one['patient_ref']}")
    assert two["id"] not in ids(f"patient_ref={one['patient_ref']}")
    assert ids("patient_ref=pid:") == set()  # no prefix matches everyone's pseudonym
    assert two["id"] in ids("since=2026-11-02T00:00:00Z")
    assert one["id"] not in ids("since=2026-11-02T00:00:00Z")
    assert two["id"] in ids("since=2026-11-02T10:30:00%2B01:00")  # 09:30 UTC
    assert two["id"] not in ids("since=2026-11-02T11:30:00%2B01:00")
    assert httpx.get(f"{url}/v1/alarms?status=closed",
                     headers=auth(keys["a"])).status_code == 422


def test_the_same_person_gets_another_pseudonym_at_another_tenant(app):
    mine = _post(app, plain(source_id="pseudo-1")).json()["items"][0]["patient_ref"]
    again = _post(app, plain(source_id="pseudo-2")).json()["items"][0]["patient_ref"]
    theirs = _post(app, plain(source_id="pseudo-1"), key="ingest_b").json()["items"][0]
    assert mine == again != theirs["patient_ref"]


def test_the_national_id_is_in_no_response_log_line_audit_row_or_plain_column(app):
    url, keys, dikta = app
    store = dikta.state.dikta.store
    with app_log_stream() as logs:
        posted = _post(app, plain(source_id="privacy-1"))
        replay = _post(app, plain(source_id="privacy-1"))
        bad = _post(app, plain(source_id="privacy-2", vkp_code="99"))
        listed = httpx.get(f"{url}/v1/alarms?status=all", headers=auth(keys["a"]))
        alarm_id = posted.json()["items"][0]["id"]
        one = httpx.get(f"{url}/v1/alarms/{alarm_id}", headers=auth(keys["a"]))
    for response in (posted, replay, bad, listed, one):
        assert NATIONAL_ID not in response.text
    assert one.json()["has_national_id"] and "***" in one.json()["detail"]
    log_text = logs.getvalue()
    assert "/v1/alarms" in log_text  # the stream was read
    assert NATIONAL_ID not in log_text
    with store.session() as s:
        rows = list(s.query(AuditEvent).filter(AuditEvent.resource_type == "alarm"))
        raw = s.execute(text("SELECT national_id, detail, device_id FROM alarms WHERE id = :i"),
                        {"i": alarm_id}).one()
    assert {r.resource_id for r in rows} >= {alarm_id}
    assert {r.action for r in rows if r.resource_id == alarm_id} >= {"create", "read"}
    for row in rows:
        assert NATIONAL_ID not in json.dumps([str(getattr(row, c.name))
                                              for c in AuditEvent.__table__.columns])
    for column in raw:  # sealed at rest
        assert column.startswith("enc1:") and NATIONAL_ID not in column
    checkpoints = dikta.state.dikta.audit.checkpoints.path.read_text()
    assert NATIONAL_ID not in checkpoints


def test_rotating_the_data_key_reseals_alarms_and_pseudonym_secrets(tmp_path):
    import base64

    from evaluation.loopback import running
    from service.core.crypto import Keyring, use_keyring
    from service.core.rotation import rotate_data_key
    from service.core.settings import SecuritySettings, Settings
    from service.http.app import create_app
    from tests.uploads_app import QueuedOnly

    key_file = tmp_path / "keys" / "data-keys.json"
    settings = Settings(data_dir=tmp_path, security=SecuritySettings(
        data_key=None, data_key_file=key_file))
    app = create_app(settings, load_model=False)
    app.state.dikta.worker = QueuedOnly()
    store = app.state.dikta.store
    keys = {"ingest_a": store.create_key("kommune-a", "ingest")}
    try:
        with running(app) as url:
            before = _post((url, keys, app), plain(source_id="rot-1")).json()["items"][0]
            ring = Keyring.load_or_create(key_file)
            use_keyring(ring)
            result = rotate_data_key(store, ring)
            after = _post((url, keys, app), plain(source_id="rot-2")).json()["items"][0]
        assert after["patient_ref"] == before["patient_ref"]  # the secret survived
        with store.engine.connect() as connection:
            sealed = [connection.execute(text(sql)).scalar() for sql in (
                f"SELECT national_id FROM alarms WHERE id = '{before['id']}'",
                "SELECT secret FROM pseudonym_secrets")]
        for value in sealed:
            blob = base64.b64decode(value.removeprefix("enc1:"))
            assert Keyring.key_id_of(blob) == result.key_id
        assert ring.open_text(sealed[0]) == NATIONAL_ID
    finally:
        store.engine.dispose()
        use_keyring(Keyring.from_secret(Settings().security.data_key.get_secret_value()))
