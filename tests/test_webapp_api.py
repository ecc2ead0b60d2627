"""Issue 18, the server side of the web app (no browser): the app's files and headers, the
section-aware note edit, and one idempotency key shared by the live stream and tus — on
SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import tomllib

import httpx
import pytest

from service.core.store import Dictation, NoteVersion
from tests.conftest import ROOT
from tests.databases import database_url
from tests.uploads_app import auth, recording, upload_app

WEBAPP = ROOT / "service" / "http" / "webapp"
APP_POLICY_START = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with database_url(request.param) as url, \
            upload_app(tmp_path_factory.mktemp(f"webapp-{request.param}"), url) as running:
        dikta = running[2]
        store = dikta.state.dikta.store
        keys = {**running[1], "approver": store.create_key("kommune-a",
                                                           "dictate read_notes approve")}
        yield running[0], keys, dikta


def _done(app, text: str) -> str:
    """A dictation as the worker leaves it: done, with its ASR draft."""
    from structuring.written_standard import write_note

    url, keys, dikta = app
    created = httpx.post(f"{url}/v1/dictations", headers=auth(keys["a"]),
                         files={"file": ("a.wav", recording(hash(text) % 1000))},
                         data={"patient_ref": "pas-18"})
    assert created.status_code == 202, created.text
    dictation_id = created.json()["id"]
    note = write_note(text).to_dict()
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        row.status, row.note = "done", note
        s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft", text=text,
                          note=note, author="dikta-asr"))
    return dictation_id


def test_the_page_and_its_files_carry_the_app_policy(app):
    url, _, _ = app
    page = httpx.get(f"{url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert policy.startswith(APP_POLICY_START)
    host = url.removeprefix("http://")
    assert f"connect-src 'self' ws://{host} wss://{host};" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert page.headers["permissions-policy"].startswith("microphone=(self)")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
    for path, kind in [("/app/app.js", "text/javascript"), ("/app/api.js", "text/javascript"),
                       ("/app/app.css", "text/css"), ("/app/vendor/tus.min.js", "text/javascript"),
                       ("/app/icons/icon-192.png", "image/png"),
                       ("/app/manifest.webmanifest", "application/manifest+json")]:
        answer = httpx.get(f"{url}{path}")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(kind), path
        assert answer.headers["content-security-policy"] == policy, path
    manifest = httpx.get(f"{url}/app/manifest.webmanifest").json()
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        assert httpx.get(f"{url}{icon['src']}").status_code == 200


def test_strict_headers_stay_on_the_api_and_nothing_else_is_served(app):
    url, keys, _ = app
    api = httpx.get(f"{url}/v1/dictations/x", headers=auth(keys["a"]))
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "permissions-policy" not in api.headers
    assert api.headers["cache-control"] == "no-store"
    for path in ["/app/../pyproject.toml", "/app/%2e%2e/routers/webapp.py", "/app/nothing.js",
                 "/app/app.py", "/app/vendor/../../app.py", "/app/VERSIONS.txt"]:
        assert httpx.get(f"{url}{path}").status_code == 404, path


def test_features_say_what_this_server_runs(app):
    url, _, dikta = app
    features = httpx.get(f"{url}/app/features.json").json()
    paths = {getattr(r, "path", "") for r in dikta.routes}
    assert features["alarms"] == any(p.startswith("/v1/alarms") for p in paths)
    assert features["smart"] == ("/smart/context" in paths)
    assert set(features) == {"worklist", "alarms", "smart"}


def test_section_titles_come_from_the_structuring_rules(app):
    url, _, _ = app
    sections = httpx.get(f"{url}/app/sections.json").json()
    keys = [s["key"] for s in sections["funksjonsomrader"]]
    assert "ernaering_vaeske" in keys and "annet" in keys
    kvile = next(s for s in sections["funksjonsomrader"] if s["key"] == "smerte_sovn_velvaere")
    assert "kvile" in kvile["nn"] and "hvile" in kvile["nb"]


def test_an_edit_by_section_keeps_each_sentence_where_the_nurse_put_it(app):
    url, keys, _ = app
    dictation_id = _done(app, "Pasienten spiste frokost og drakk to glass vann. "
                              "Blodtrykk 140/90, puls 80.")
    # Breakfast would be filed under ernæring/væske by the classifier: the nurse's choice wins.
    body = {"sections": {"smerte_sovn_velvaere": "Pasienten spiste frokost og sov etterpå.",
                         "respirasjon_sirkulasjon": "Blodtrykk 140/90, puls 80."},
            "author": "spl-7"}
    edited = httpx.put(f"{url}/v1/dictations/{dictation_id}/note", json=body,
                       headers=auth(keys["a"]))
    assert edited.status_code == 200, edited.text
    note = edited.json()["note"]
    by_section = {}
    for sentence in note["sentences"]:
        by_section.setdefault(sentence["section"], []).append(sentence["text"])
    assert set(by_section) == {"smerte_sovn_velvaere", "respirasjon_sirkulasjon"}
    assert "frokost" in " ".join(by_section["smerte_sovn_velvaere"])
    assert all(s["confidence"] == 1.0 for s in note["sentences"])
    vitals = {e["type"]: e for e in note["entities"] if e["type"].startswith("vital")}
    pressure = vitals["vital.blood_pressure"]
    assert pressure["value"] == "140/90"
    assert note["sentences"][pressure["sentence"]]["section"] == "respirasjon_sirkulasjon"
    approved = httpx.post(f"{url}/v1/dictations/{dictation_id}/approve", json={},
                          headers=auth(keys["approver"]))
    assert approved.status_code == 200, approved.text
    versions = httpx.get(f"{url}/v1/dictations/{dictation_id}/versions",
                         headers=auth(keys["a"])).json()
    assert [v["kind"] for v in versions] == ["asr_draft", "edited", "approved"]
    assert versions[2]["note"] == note and versions[1]["author"] == "spl-7"


@pytest.mark.parametrize("body, field", [
    ({"sections": {"hjerte": "Puls 80."}}, "sections.hjerte"),
    ({"sections": {"annet": "", "eliminasjon": "  "}}, "sections"),
    ({"sections": {"annet": "Sov godt."}, "text": "Sov godt."}, "either text or sections"),
    ({}, "either text or sections"),
    ({"sections": {"Annet!": "x"}}, "sections"),
])
def test_a_bad_section_edit_names_what_is_wrong(app, body, field):
    url, keys, _ = app
    dictation_id = _done(app, "Pasienten sov godt i natt.")
    answer = httpx.put(f"{url}/v1/dictations/{dictation_id}/note", json=body,
                       headers=auth(keys["a"]))
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def _tus_metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def test_one_idempotency_key_makes_a_recording_one_dictation_by_any_path(app):
    """What the web app relies on: the live stream stored the recording under the
    recording's key, the phone never heard back and sends it again through tus with the
    same key — the upload completes as that same dictation."""
    url, keys, dikta = app
    audio = recording(4242, seconds=1.0)
    meta = {"patient_ref": "pas-18", "note_type": "sykepleienotat", "language": "nb",
            "recorded_at": "2026-12-03T08:15:00+00:00"}
    first = httpx.post(f"{url}/v1/dictations", headers={**auth(keys["a"]),
                       "Idempotency-Key": "rec-1"}, files={"file": ("a.webm", audio)},
                       data=meta)
    assert first.status_code == 202, first.text
    created = httpx.post(f"{url}/v1/uploads", headers={
        **auth(keys["a"]), "Upload-Length": str(len(audio)),
        "Upload-Metadata": _tus_metadata(idempotency_key="rec-1", **meta)})
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    head = httpx.head(f"{url}{location}", headers=auth(keys["a"]))
    assert "idempotency_key" in head.headers["Upload-Metadata"]
    done = httpx.patch(f"{url}{location}", content=audio, headers={
        **auth(keys["a"]), "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream"})
    assert done.status_code == 204, done.text
    upload = httpx.get(f"{url}{location}", headers=auth(keys["a"])).json()
    assert upload["complete"] and upload["dictation_id"] == first.json()["id"]
    with dikta.state.dikta.store.session() as s:
        assert s.query(Dictation).filter_by(idempotency_key="rec-1").count() == 1
    # Another recording under the same key is refused, not merged.
    other = recording(4243, seconds=1.0)
    again = httpx.post(f"{url}/v1/uploads", headers={
        **auth(keys["a"]), "Upload-Length": str(len(other)),
        "Content-Type": "application/offset+octet-stream",
        "Upload-Metadata": _tus_metadata(idempotency_key="rec-1", **meta)}, content=other)
    assert again.status_code == 422 and "idempotency" in again.text.lower()


def test_a_bad_tus_idempotency_key_is_refused_by_name(app):
    url, keys, _ = app
    answer = httpx.post(f"{url}/v1/uploads", headers={
        **auth(keys["a"]), "Upload-Length": "10",
        "Upload-Metadata": _tus_metadata(idempotency_key="a\tb")})
    assert answer.status_code == 422 and "Upload-Metadata.idempotency_key" in answer.text


def test_the_app_is_package_data():
    """A non-editable install serves the app: every file under webapp/ matches the
    package-data globs of service.http."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["service.http"]
    base = ROOT / "service" / "http"
    matched = {p for pattern in patterns for p in base.glob(pattern) if p.is_file()}
    files = {p for p in WEBAPP.rglob("*") if p.is_file()}
    assert files and files <= matched
    assert {"index.html", "app.js", "api.js", "manifest.webmanifest"} <= {p.name for p in files}
    assert json.loads((WEBAPP / "manifest.webmanifest").read_text())["lang"] == "nb"
    assert (WEBAPP / "vendor" / "tus-js-client.LICENSE").read_text().startswith("The MIT")


def test_ui_texts_exist_in_bokmaal_and_nynorsk():
    import re

    source = (WEBAPP / "i18n.js").read_text(encoding="utf-8")
    nb, nn = source.split("\n  nn: {")
    keys_nb = set(re.findall(r"^\s+(\w+):", nb.split("nb: {")[1], re.MULTILINE))
    keys_nn = set(re.findall(r"^\s+(\w+):", nn, re.MULTILINE))
    assert keys_nb == keys_nn and len(keys_nb) > 40
    used = set(re.findall(r'data-i18n(?:-label)?="(\w+)"', (WEBAPP / "index.html").read_text()))
    used |= set(re.findall(r'\bt\("(\w+)"\)', (WEBAPP / "app.js").read_text()))
    assert used <= keys_nb, used - keys_nb


def test_a_browser_key_travels_as_a_websocket_subprotocol_not_in_the_url(app):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url, keys, _ = app
    stream = url.replace("http", "ws") + "/v1/stream"
    with connect(stream, subprotocols=["dikta", f"dikta.bearer.{keys['a']}"]) as ws:
        assert ws.subprotocol == "dikta"  # answered, or a browser drops the connection
    with connect(stream, subprotocols=["dikta", "dikta.bearer.dk_wrong"]) as ws:
        assert ws.subprotocol == "dikta"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv()
    assert closed.value.rcvd.code == 4401


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_meet_wcag_aa():
    """Every text/background pair the stylesheet uses reaches 4.5:1 (WCAG 2.1 AA)."""
    import re

    css = (WEBAPP / "app.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    pairs = [("ink", "paper"), ("muted", "paper"), ("blue", "paper"), ("red", "paper"),
             ("review-ink", "review"), ("entity-ink", "entity"), ("ink", "event"),
             ("muted", "#f1f3f6")]
    literal = [("#ffffff", "#0b4f8a"), ("#ffffff", "#a4161a"), ("#ffffff", "#6b0d10"),
               ("#7a1010", "#fdecea"), ("#1b1f24", "#eef4fb"), ("#14532d", "#ffffff"),
               ("#7a4a00", "#ffffff")]
    for text, background in [(colours[a], colours.get(b, b)) for a, b in pairs] + literal:
        assert _contrast(text, background) >= 4.5, (text, background)
    for text, background in literal:
        assert text.lower() in css.lower() or background.lower() in css.lower()


@pytest.mark.parametrize("start, field", [
    ({"dictation": {"patient_ref": "a\tb"}}, "dictation.patient_ref"),
    ({"dictation": {"pasient": "x"}}, "dictation.pasient"),
    ({"dictation": {"language": "sv"}}, "dictation.language"),
    ({"dictation": "pas-1"}, "dictation must be an object"),
    ({"idempotency_key": ""}, "idempotency_key"),
])
def test_a_bad_stream_start_names_the_field(app, start, field):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url, keys, _ = app
    stream = url.replace("http", "ws") + "/v1/stream"
    with connect(stream, subprotocols=["dikta", f"dikta.bearer.{keys['a']}"]) as ws:
        ws.send(json.dumps({"type": "start", "format": "webm", **start}))
        reply = json.loads(ws.recv())
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv()
    assert reply["type"] == "error" and field in reply["detail"]
    assert closed.value.rcvd.code == 1007
