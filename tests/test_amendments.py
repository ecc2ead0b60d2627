"""Amending an approved note (issue 17): the state machine asr_draft → edited → approved →
amended → approved, through the real HTTP API, and two nurses racing on the same note on
SQLite and PostgreSQL — one wins, the other gets 409, no version is lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from service.core.store import AuditEvent, Dictation, NoteVersion, Tenant
from service.notes import versions
from tests.databases import database_url
from tests.needs import need_postgres
from tests.uploads_app import upload_app

DRAFT = "Pasienten har feber. Temperatur 38,4."
SCOPES = "dictate read_notes approve export"


def seed_done_dictation(store, tenant_name: str, text: str = DRAFT,
                        patient_ref: str = "pas-1") -> str:
    """A transcribed dictation as the job processor leaves it (status done, version 1 the
    ASR draft), written directly: these tests are about what happens after ASR."""
    from structuring.written_standard import write_note

    note = write_note(text).to_dict()
    with store.session() as s, s.begin():
        tenant = s.scalar(select(Tenant).where(Tenant.name == tenant_name))
        row = Dictation(tenant_id=tenant.id, status="done", patient_ref=patient_ref,
                        note=note)
        s.add(row)
        s.flush()
        s.add(NoteVersion(dictation_id=row.id, version=1, kind="asr_draft", text=text,
                          note=note))
        return row.id


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app_with_keys(request, tmp_path_factory):
    if request.param == "postgresql":
        need_postgres()
    with database_url(request.param) as url, \
            upload_app(tmp_path_factory.mktemp(request.param), url) as (base, _, app):
        store = app.state.dikta.store
        keys = {"nurse": store.create_key("kommune-a", SCOPES),
                "dictate": store.create_key("kommune-a", "dictate read_notes"),
                "other": store.create_key("kommune-b", SCOPES)}
        yield base, keys, app


def versions_of(base: str, key: str, dictation_id: str) -> list[tuple[int, str, int | None]]:
    got = httpx.get(f"{base}/v1/dictations/{dictation_id}/versions", headers=bearer(key))
    assert got.status_code == 200
    return [(v["version"], v["kind"], v["supersedes"]) for v in got.json()]


def test_amend_after_approval_then_approve_supersedes(app_with_keys):
    base, keys, app = app_with_keys
    dictation_id = seed_done_dictation(app.state.dikta.store, "kommune-a")
    nurse = bearer(keys["nurse"])
    path = f"{base}/v1/dictations/{dictation_id}"

    early = httpx.post(f"{path}/amend", headers=nurse, json={"text": "for tidlig"})
    assert early.status_code == 409 and early.json()["type"].endswith("/not-approved")

    first = httpx.post(f"{path}/approve", headers=nurse, json={"author": "sykepleier-1"})
    assert first.status_code == 200
    assert first.json()["approved_version"] == 2 and first.json()["amending"] is False
    edit = httpx.put(f"{path}/note", headers=nurse, json={"text": "endret"})
    assert edit.status_code == 409 and edit.json()["type"].endswith("/approved")

    amended = httpx.post(f"{path}/amend", headers=nurse, json={
        "text": "Pasienten har feber. Temperatur 39,1. Lege varslet.", "author": "sykepleier-2"})
    assert amended.status_code == 200
    body = amended.json()
    assert body["amending"] is True and body["approved_version"] == 2  # journal unchanged
    assert {"type": "vital.temperature", "value": "39.1", "sentence": 1} in \
        body["note"]["entities"]
    # While the amendment is open the export is still what was approved.
    exported = httpx.get(f"{path}/fhir", headers=nurse).json()
    assert "38,4" in str(exported) or "38.4" in str(exported)
    assert "39.1" not in str(exported) and "39,1" not in str(exported)

    again = httpx.post(f"{path}/amend", headers=nurse, json={"text": "enda en"})
    assert again.status_code == 409 and again.json()["type"].endswith("/amending")
    edited = httpx.put(f"{path}/note", headers=nurse, json={
        "text": "Pasienten har feber. Temperatur 39,1. Lege varslet kl. 14."})
    assert edited.status_code == 200 and edited.json()["amending"] is True

    second = httpx.post(f"{path}/approve", headers=nurse, json={"author": "sykepleier-2"})
    assert second.status_code == 200
    assert second.json()["approved_version"] == 5 and second.json()["amending"] is False
    assert versions_of(base, keys["nurse"], dictation_id) == [
        (1, "asr_draft", None), (2, "approved", None), (3, "amended", None),
        (4, "amended", None), (5, "approved", 2)]
    assert "39,1" in str(httpx.get(f"{path}/fhir", headers=nurse).json())

    # And once more: amendments chain, each approval naming the one it replaces.
    assert httpx.post(f"{path}/amend", headers=nurse, json={"text": "Tredje."}).status_code == 200
    assert httpx.post(f"{path}/approve", headers=nurse, json={}).status_code == 200
    assert versions_of(base, keys["nurse"], dictation_id)[-2:] == [
        (6, "amended", None), (7, "approved", 5)]

    with app.state.dikta.store.session() as s:
        actions = [e.action for e in s.scalars(
            select(AuditEvent).where(AuditEvent.resource_id == dictation_id)
            .order_by(AuditEvent.seq))]
    assert [a for a in actions if a in ("approve", "amend", "update")] == [
        "approve", "amend", "update", "approve", "amend", "approve"]


def test_amend_needs_dictate_and_the_tenant(app_with_keys):
    base, keys, app = app_with_keys
    dictation_id = seed_done_dictation(app.state.dikta.store, "kommune-a")
    path = f"{base}/v1/dictations/{dictation_id}"
    assert httpx.post(f"{path}/approve", headers=bearer(keys["nurse"]), json={}).status_code == 200
    # Amending makes a working version only: dictate suffices, approving it needs approve.
    assert httpx.post(f"{path}/amend", headers=bearer(keys["dictate"]),
                      json={"text": "Tillegg."}).status_code == 200
    assert httpx.post(f"{path}/approve", headers=bearer(keys["dictate"]),
                      json={}).status_code == 403
    assert httpx.post(f"{path}/amend", headers=bearer(keys["other"]),
                      json={"text": "x"}).status_code == 404
    refused = httpx.post(f"{path}/amend", headers=bearer(keys["nurse"]), json={"text": ""})
    assert refused.status_code == 422 and "text" in refused.text


def _race(calls) -> list[httpx.Response]:
    """Run the calls at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


@pytest.mark.parametrize("round_", range(3))
def test_two_nurses_racing_one_wins_nothing_lost(app_with_keys, round_):
    base, keys, app = app_with_keys
    dictation_id = seed_done_dictation(app.state.dikta.store, "kommune-a")
    path = f"{base}/v1/dictations/{dictation_id}"
    nurse = bearer(keys["nurse"])
    texts = ("Sykepleier A: tillegg.", "Sykepleier B: tillegg.")

    approvals = _race([lambda: httpx.post(f"{path}/approve", headers=nurse, json={}, timeout=60)
                       for _ in range(2)])
    assert sorted(r.status_code for r in approvals) == [200, 409]

    amends = _race([lambda t=t: httpx.post(f"{path}/amend", headers=nurse, json={"text": t},
                                           timeout=60) for t in texts])
    assert sorted(r.status_code for r in amends) == [200, 409]
    winner_text = texts[[r.status_code for r in amends].index(200)]
    loser = next(r for r in amends if r.status_code == 409)
    assert loser.json()["type"].endswith("/amending")

    # One nurse edits the open amendment while the other approves it: both orders are
    # legal, and whichever came second is either stored after or refused — never lost.
    mixed = _race([
        lambda: httpx.put(f"{path}/note", headers=nurse, json={"text": "Rettet tillegg."},
                          timeout=60),
        lambda: httpx.post(f"{path}/approve", headers=nurse, json={}, timeout=60)])
    edit, approve = mixed
    assert approve.status_code == 200 and edit.status_code in (200, 409)

    history = versions_of(base, keys["nurse"], dictation_id)
    assert [v for v, _, _ in history] == list(range(1, len(history) + 1))  # no gaps
    kinds = [k for _, k, _ in history]
    if edit.status_code == 200:  # the edit came first and was approved with it
        assert kinds == ["asr_draft", "approved", "amended", "amended", "approved"]
    else:
        assert edit.json()["type"].endswith("/approved")
        assert kinds == ["asr_draft", "approved", "amended", "approved"]
    assert history[-1][2] == 2  # the final approval supersedes the first
    with app.state.dikta.store.session() as s:
        stored = s.scalars(select(NoteVersion).where(NoteVersion.dictation_id == dictation_id,
                                                     NoteVersion.kind == "amended")
                           .order_by(NoteVersion.version)).first()
        assert stored.text == winner_text  # the winner's words, not a mix of both
        row = s.get(Dictation, dictation_id)
        assert row.approved_version == history[-1][0] and row.amending is False


class NoteLife(RuleBasedStateMachine):
    """Random sequences of edit / approve / amend on one note, checked against a model of
    the state machine: every call either makes exactly the version the model predicts or is
    refused with the reason the model predicts, and the stored history always matches."""

    state = None  # the running app's ServiceState, set by the test
    tenant_id = None

    def __init__(self) -> None:
        super().__init__()
        self.dictation_id = seed_done_dictation(self.state.store, "kommune-a")
        self.kinds = ["asr_draft"]
        self.supersedes: list[int | None] = [None]

    def _approved(self) -> list[int]:
        return [i + 1 for i, k in enumerate(self.kinds) if k == "approved"]

    def _call(self, action, *args) -> str | None:
        from service.core.errors import Problem

        try:
            action(self.state, self.tenant_id, self.dictation_id, *args)
        except Problem as problem:
            assert problem.status == 409
            return problem.kind
        return None

    @rule(text=st.sampled_from(["Rettet notat.", "Temperatur 38,2.", "Sov godt."]))
    def edit(self, text):
        refused = self._call(versions.edit_note, text, "spl-1")
        if self.kinds[-1] == "approved":
            assert refused == "approved"
        else:
            assert refused is None
            self.kinds.append("amended" if self._approved() else "edited")
            self.supersedes.append(None)

    @rule()
    def approve(self):
        refused = self._call(versions.approve_note, "spl-2")
        if self.kinds[-1] == "approved":
            assert refused == "approved"
        else:
            assert refused is None
            previous = self._approved()
            self.kinds.append("approved")
            self.supersedes.append(previous[-1] if previous else None)

    @rule(text=st.sampled_from(["Tillegg: lege varslet.", "Korrigert tid 14.30."]))
    def amend(self, text):
        refused = self._call(versions.amend_note, text, "spl-3")
        if not self._approved():
            assert refused == "not-approved"
        elif self.kinds[-1] != "approved":
            assert refused == "amending"
        else:
            assert refused is None
            self.kinds.append("amended")
            self.supersedes.append(None)

    @invariant()
    def history_matches_the_model(self):
        with self.state.store.session() as s:
            stored = list(s.scalars(select(NoteVersion).where(
                NoteVersion.dictation_id == self.dictation_id).order_by(NoteVersion.version)))
            row = s.get(Dictation, self.dictation_id)
        assert [v.version for v in stored] == list(range(1, len(self.kinds) + 1))
        assert [v.kind for v in stored] == self.kinds
        assert [v.supersedes for v in stored] == self.supersedes
        approved = self._approved()
        assert row.approved_version == (approved[-1] if approved else None)
        assert row.amending is (bool(approved) and self.kinds[-1] == "amended")
        assert row.note == stored[-1].note  # what the nurse sees is the latest version


def test_the_note_state_machine_against_its_model(tmp_path):
    # The rules, not the database, are under test here: SQLite suffices (the races above
    # run on both).
    with upload_app(tmp_path) as (_, _, app):
        app.state.dikta.store.create_key("kommune-a", SCOPES)
        NoteLife.state = app.state.dikta
        NoteLife.tenant_id = app.state.dikta.store.tenant_by_name("kommune-a").id
        run_state_machine_as_test(NoteLife, settings=settings(
            max_examples=10, stateful_step_count=10, deadline=None,
            suppress_health_check=[HealthCheck.too_slow]))
