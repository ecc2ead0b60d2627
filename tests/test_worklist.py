"""GET /v1/dictations: the nurse's worklist — tenant-scoped, newest first, keyset-paged with
signed cursors, filtered by patient, stage and time; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from service.core.store import AuditEvent, Delivery, Dictation, NoteVersion
from structuring.pipeline import structure
from tests.databases import database_url
from tests.uploads_app import auth, recording, upload_app

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with database_url(request.param) as url, \
            upload_app(tmp_path_factory.mktemp(f"worklist-{request.param}"), url) as running:
        yield running


def _make(app, key: str, patient: str, minutes: int, status: str = "queued",
          approved: bool = False) -> str:
    url, keys, dikta = app
    created = httpx.post(f"{url}/v1/dictations", headers=auth(keys[key]),
                         files={"file": ("a.wav", recording(minutes * 7 + len(patient)))},
                         data={"patient_ref": patient})
    assert created.status_code == 202, created.text
    dictation_id = created.json()["id"]
    note = structure("hun sov godt hele natten punktum").to_dict()
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        row.created_at = row.updated_at = T0 + timedelta(minutes=minutes)
        row.status = status
        if status == "done":
            row.note = note
            s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft",
                              text="Hun sov godt hele natten.", note=note))
        if approved:
            row.approved_at = row.created_at + timedelta(minutes=1)
    return dictation_id


@pytest.fixture(scope="module")
def rows(app):
    """Tenant a: seven dictations in every stage over two patients; tenant b: two."""
    made = {
        "q": _make(app, "a", "pas-1", 1),
        "t": _make(app, "a", "pas-1", 2, "running"),
        "d": _make(app, "a", "pas-2", 3, "done"),
        "ap": _make(app, "a", "pas-1", 4, "done", approved=True),
        "f": _make(app, "a", "pas-2", 5, "failed"),
        "x": _make(app, "a", "pas-2", 6, "dead"),
        "d2": _make(app, "a", "pas-1", 7, "done"),
        "b1": _make(app, "b", "pas-1", 8, "done"),
        "b2": _make(app, "b", "pas-1", 9, "done", approved=True),
    }
    return made


def _get(app, key: str = "a", **params) -> httpx.Response:
    url, keys, _ = app
    return httpx.get(f"{url}/v1/dictations", headers=auth(keys[key]), params=params)


def _all_pages(app, key: str = "a", **params) -> list[dict]:
    items, cursor = [], None
    for _ in range(20):
        page = _get(app, key, **params, **({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("paging did not end")


def test_newest_first_paged_and_only_the_callers_tenant(app, rows):
    items = _all_pages(app, limit=2)
    ours = [rows[k] for k in ("d2", "x", "f", "ap", "d", "t", "q")]
    assert [i["id"] for i in items] == ours
    theirs = [i["id"] for i in _all_pages(app, "b", limit=1)]
    assert theirs == [rows["b2"], rows["b1"]]


def test_stages_map_status_and_approval(app, rows):
    items = {i["id"]: i["stage"] for i in _get(app, limit=50).json()["items"]}
    assert items == {rows["q"]: "queued", rows["t"]: "transcribing", rows["d"]: "draft",
                     rows["ap"]: "approved", rows["f"]: "failed", rows["x"]: "failed",
                     rows["d2"]: "draft"}
    for stage, expected in [("queued", {"q"}), ("transcribing", {"t"}),
                            ("draft", {"d", "d2"}), ("approved", {"ap"}),
                            ("failed", {"f", "x"}), ("draft,approved", {"d", "d2", "ap"})]:
        got = {i["id"] for i in _all_pages(app, status=stage, limit=1)}
        assert got == {rows[k] for k in expected}, stage


def test_delivered_when_every_delivery_of_the_approved_version_arrived(app):
    """Approved notes move on to `delivered` once the outbox delivered the approved version
    to every target; a pending delivery, or none at all, leaves them `approved`."""
    _, keys, dikta = app
    keys["levert"] = dikta.state.dikta.store.create_key("kommune-levert",
                                                        "dictate read_notes")
    ids = {name: _make(app, "levert", "pas-7", minutes, "done", approved=True)
           for name, minutes in [("all", 1), ("one_pending", 2), ("none", 3), ("old", 4)]}
    states = {"all": [(1, "delivered"), (1, "delivered")],
              "one_pending": [(1, "delivered"), (1, "pending")],
              "none": [], "old": [(1, "delivered")]}
    with dikta.state.dikta.store.session() as s, s.begin():
        for name, dictation_id in ids.items():
            row = s.get(Dictation, dictation_id)
            row.approved_version = 2 if name == "old" else 1  # "old": re-approved since
            for n, (version, state) in enumerate(states[name]):
                s.add(Delivery(tenant_id=row.tenant_id, dictation_id=dictation_id,
                               version=version, target=f"epj-{n}", kind="fhir", document={},
                               state=state))
    items = {i["id"]: i["stage"] for i in _get(app, "levert").json()["items"]}
    assert items == {ids["all"]: "delivered", ids["one_pending"]: "approved",
                     ids["none"]: "approved", ids["old"]: "approved"}
    assert [i["id"] for i in _all_pages(app, "levert", status="delivered", limit=1)] \
        == [ids["all"]]
    assert {i["id"] for i in _all_pages(app, "levert", status="approved", limit=1)} \
        == {ids["one_pending"], ids["none"], ids["old"]}
    url, _, _ = app
    one = httpx.get(f"{url}/v1/dictations/{ids['all']}", headers=auth(keys["levert"])).json()
    assert one["stage"] == "delivered" and [d["state"] for d in one["deliveries"]] \
        == ["delivered", "delivered"]


def test_patient_and_since_filters(app, rows):
    got = [i["id"] for i in _all_pages(app, patient_ref="pas-2")]
    assert got == [rows["x"], rows["f"], rows["d"]]
    since = (T0 + timedelta(minutes=5)).isoformat()
    assert [i["id"] for i in _all_pages(app, since=since)] == [rows["d2"], rows["x"],
                                                                rows["f"]]
    assert _get(app, patient_ref="pas-1", status="approved").json()["items"][0]["id"] \
        == rows["ap"]


def test_note_text_only_with_read_notes(app, rows):
    full = {i["id"]: i for i in _get(app, status="draft").json()["items"]}
    assert full[rows["d"]]["transcript"] == "Hun sov godt hele natten."
    assert full[rows["d"]]["note"]["sentences"]
    bare = _get(app, "a_dictate", status="draft")
    assert bare.status_code == 200
    assert [(i["transcript"], i["note"]) for i in bare.json()["items"]] == [(None, None)] * 2
    assert "natten" not in bare.text


def _cursor(app, **params) -> str:
    cursor = _get(app, limit=1, **params).json()["next_cursor"]
    assert cursor
    return cursor


def test_tampered_cursor_is_refused(app, rows):
    cursor = _cursor(app)
    payload, signature = cursor.split(".")
    _, row_id = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps(["2099-01-01T00:00:00+00:00", row_id])
                                      .encode()).rstrip(b"=").decode()
    for bad in (f"{forged}.{signature}", cursor[:-2] + "AA", "garbage", "a.b.c", "", "."):
        response = _get(app, cursor=bad) if bad else None
        if response is None:
            continue
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["detail"].startswith("'cursor'")
    assert _get(app, cursor=cursor).status_code == 200


def test_cursor_is_bound_to_tenant_and_filters(app, rows):
    cursor = _cursor(app, patient_ref="pas-1")
    assert _get(app, cursor=cursor, patient_ref="pas-1").status_code == 200
    assert _get(app, cursor=cursor, patient_ref="pas-2").status_code == 400
    assert _get(app, cursor=cursor).status_code == 400
    assert _get(app, "b", cursor=cursor, patient_ref="pas-1").status_code == 400


@pytest.mark.parametrize("params, field", [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": -3}, "limit"),
    ({"status": "done"}, "status"), ({"status": "approved,deleted"}, "status"),
])
def test_bad_query_is_refused_naming_the_field(app, rows, params, field):
    response = _get(app, **params)
    assert response.status_code == 400, response.text
    assert f"'{field}'" in response.json()["detail"]


def test_limit_bounds_are_inclusive(app, rows):
    assert len(_get(app, limit=1).json()["items"]) == 1
    assert len(_get(app, limit=100).json()["items"]) == 7


def test_listing_is_audited(app, rows):
    _, _, dikta = app
    _get(app, patient_ref="pas-2", status="draft")
    with dikta.state.dikta.store.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)))
    assert [(e.action, e.resource_type, e.resource_id, e.patient_ref) for e in events] == [
        ("read", "dictation", rows["d"], "pas-2"), ("list", "dictation", None, "pas-2")]


def test_without_a_key_it_is_401(app):
    url, _, _ = app
    assert httpx.get(f"{url}/v1/dictations").status_code == 401


def test_cursors_survive_a_restart_and_key_rotation(tmp_path):
    """Without `feed.cursor_key` the cursor key comes from the data keyring: a second
    process (or the same one restarted) reads the cursors of the first, even after the
    data key was rotated; another keyring's cursors are refused."""
    from datetime import UTC, datetime

    from service.core.crypto import Keyring
    from service.core.cursors import CursorCodec
    from service.core.errors import Problem
    from service.core.settings import Settings

    settings = Settings(data_dir=tmp_path)
    path = tmp_path / "keys" / "data-keys.json"
    first = CursorCodec.for_settings(settings, Keyring.load_or_create(path))
    cursor = first.encode("tenant-a|all", (datetime(2026, 12, 3, 8, tzinfo=UTC), "row1"))
    restarted = Keyring.load_or_create(path)
    restarted.add_key()  # rotation
    assert CursorCodec.for_settings(settings, restarted).decode("tenant-a|all", cursor) \
        == (datetime(2026, 12, 3, 8, tzinfo=UTC), "row1")
    other = CursorCodec.for_settings(settings, Keyring.load_or_create(tmp_path / "other.json"))
    with pytest.raises(Problem):
        other.decode("tenant-a|all", cursor)
