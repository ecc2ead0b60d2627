"""Issue 16.5: gains figures per tenant and period, from daily aggregates counted in the same
transactions as the events — so purging the dictations leaves them. `GET /v1/stats` and
`dikta stats` (table, CSV, JSON) on SQLite and PostgreSQL; no patient data in either."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.core.retention import purge
from service.core.settings import RetentionSettings
from service.jobs.processor import DictationProcessor
from tests.databases import database_url
from tests.test_alarms_links import FALL, ScriptedRecogniser, alarm, auth, dictate
from tests.uploads_app import upload_app

DOOR = "Dørsensoren varslet klokka 03.10. Det var falsk alarm, bruker sov. Ringte bruker."


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    if request.param == "postgresql":
        from tests.needs import need_postgres

        need_postgres()
    tmp = tmp_path_factory.mktemp(f"stats-{request.param}")
    with database_url(request.param) as url, upload_app(tmp, url) as running:
        base, keys, dikta = running
        state = dikta.state.dikta
        store = state.store
        keys = {**keys, "nurse": store.create_key("kommune-a", "dictate read_notes approve"),
                "hub": store.create_key("kommune-a", "ingest"),
                "stats": store.create_key("kommune-a", "stats"),
                "stats_b": store.create_key("kommune-b", "stats")}
        recogniser = ScriptedRecogniser()
        processor = DictationProcessor(store, recogniser, state.settings)
        yield base, keys, dikta, recogniser, processor, tmp, url


def _period() -> str:
    today = datetime.now(UTC).date()
    return f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"


def _stats(app, key: str = "stats") -> dict:
    response = httpx.get(f"{app[0]}/v1/stats?{_period()}", headers=auth(app[1][key]))
    assert response.status_code == 200, response.text
    return response.json()


def test_figures_count_the_period_and_survive_a_purge(app):
    url, keys, dikta = app[0], app[1], app[2]
    fall = alarm(app, "stats-1", patient="epj-s")
    door = alarm(app, "stats-2", code="4.15", patient="epj-s",
                 at="2026-03-01T03:05:00+01:00")
    first = dictate(app, FALL, patient="epj-s").json()["id"]
    second = dictate(app, DOOR, patient="epj-s").json()["id"]
    edited = httpx.put(f"{url}/v1/dictations/{first}/note", headers=auth(keys["nurse"]),
                       json={"text": FALL + " Hun hadde ikke slått seg."})
    assert edited.status_code == 200
    for dictation_id in (first, second):
        assert httpx.post(f"{url}/v1/dictations/{dictation_id}/approve",
                          headers=auth(keys["nurse"]), json={}).status_code == 200
    figures = _stats(app)
    assert figures["dictations"] == 2 and figures["audio_minutes"] == 1.0
    assert figures["notes_approved"] == 2
    assert figures["edited_before_approval_share"] == 0.5
    assert figures["alarms_received"] == 2 and figures["alarms_documented"] == 2
    assert figures["by_technology"] == {
        "dorsensor": {"documented": 1, "false_alarms": 1, "false_alarm_share": 1.0},
        "fallsensor": {"documented": 1, "false_alarms": 0, "false_alarm_share": 0.0}}
    waits = []
    for alarm_id in (fall, door):
        shown = httpx.get(f"{url}/v1/alarms/{alarm_id}", headers=auth(keys["a"])).json()
        waits.append(int((datetime.fromisoformat(shown["documented_at"]) -
                          datetime.fromisoformat(shown["occurred_at"])).total_seconds() // 60))
    assert figures["median_minutes_alarm_to_documentation"] == sum(waits) / 2
    model = figures["model"]
    words = model["approved_words"]
    assert words == sum(len(t.split()) for t in (FALL + " Hun hadde ikke slått seg.", DOOR))
    typing = words / 25.0
    dictating = 1.0 + words / 180.0 + 1 * 1.0
    assert figures["estimated_minutes_saved"] == pytest.approx(typing - dictating, abs=0.1)
    for secret in ("epj-s", fall, door, first, second):  # counts only
        assert secret not in json.dumps(figures)

    # Purge every approved dictation and every documented alarm: the history stays.
    removed = purge(dikta.state.dikta.store,
                    RetentionSettings(notes_days_after_approval=0,
                                      alarms_days_after_documented=0),
                    now=datetime.now(UTC) + timedelta(days=1))
    assert removed.dictations_deleted >= 2 and removed.alarms_deleted >= 2
    assert httpx.get(f"{url}/v1/dictations/{first}",
                     headers=auth(keys["nurse"])).status_code == 404
    for alarm_id in (fall, door):
        assert httpx.get(f"{url}/v1/alarms/{alarm_id}",
                         headers=auth(keys["a"])).status_code == 404
    assert _stats(app) == figures

    # Another tenant sees its own (empty) figures; a key without `stats` sees none.
    theirs = _stats(app, "stats_b")
    assert theirs["dictations"] == theirs["alarms_received"] == 0
    assert httpx.get(f"{url}/v1/stats?{_period()}",
                     headers=auth(keys["nurse"])).status_code == 403


def test_a_bad_period_is_422_naming_the_parameter(app):
    url, keys = app[0], app[1]
    backwards = httpx.get(f"{url}/v1/stats?from=2026-02-01&to=2026-01-01",
                          headers=auth(keys["stats"]))
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"][-1] == "to"
    missing = httpx.get(f"{url}/v1/stats?to=2026-01-01", headers=auth(keys["stats"]))
    assert missing.status_code == 422 and "from" in missing.json()["detail"]


def test_the_cli_prints_the_same_figures_as_csv_and_json(app):
    """`dikta stats` in-process (click's runner, the real command and settings from the
    environment): a subprocess per format would cost seconds of imports each."""
    from click.testing import CliRunner

    from service.cli import main
    from service.core.settings import get_settings

    figures = _stats(app)
    tmp, database = app[5], app[6]
    env = {"DIKTA_DATA_DIR": str(tmp), "DIKTA_DATABASE_URL": database or ""}
    today = datetime.now(UTC).date()
    period = ["--from", str(today - timedelta(days=1)), "--to", str(today + timedelta(days=1))]

    def dikta(*args: str):
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(main, ["stats", "--tenant", *args, *period], env=env)
        finally:
            get_settings.cache_clear()

    as_csv = dikta("kommune-a", "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = dict(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows["metric"] == "value"
    assert int(rows["dictations"]) == figures["dictations"]
    assert float(rows["estimated_minutes_saved"]) == figures["estimated_minutes_saved"]
    assert rows["dorsensor.false_alarm_share"] == str(
        figures["by_technology"]["dorsensor"]["false_alarm_share"])
    as_json = dikta("kommune-a", "--format", "json")
    assert json.loads(as_json.stdout) == figures
    unknown = dikta("nobody")
    assert unknown.exit_code != 0 and "nobody" in unknown.stderr
