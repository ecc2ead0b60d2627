"""Issue 18 end to end: the web app in Debian's headless Chromium (Selenium, no browser
download), a Norwegian clip as the microphone, the real default model behind a real uvicorn.

1. record → interim text → the note by section → edit a section → approve → the approved
   version is stored, and nothing of the dictation is left in the browser; on the way, an
   open alarm of the patient (posted by the hub) is ticked before recording and the stored
   note links it, and the worklist shows today's dictation in its stage;
2. offline: the recording is made without network, its upload is cut part-way, the page is
   reloaded, the network restored → the dictation arrives once and whole (SHA-256);
3. a SMART launch from a loopback EPJ (tests/epj_standin.py) lands on the page with the
   patient bound, and the live stream, authenticated by the session cookie, stores a
   dictation of that patient and that EPJ;
and throughout, no console errors and no CSP violations. With DIKTA_UPDATE_SCREENSHOTS=1 the
screens are saved at phone size (390 px) in docs/screenshots/.
"""

from __future__ import annotations

import os
import subprocess
import time
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from evaluation.loopback import running
from service.alarms.tables import Alarm
from service.core.engine import Engine
from service.core.settings import EpjLauncher, EpjSettings, ServiceSettings, Settings
from service.core.store import Dictation, NoteVersion, Upload
from service.http.app import create_app
from tests.conftest import FIXTURES, ROOT
from tests.epj_standin import CLIENT_ID, PATIENT, EpjStandIn
from tests.needs import CHROMEDRIVER, CHROMIUM, need_chromium

pytestmark = pytest.mark.slow
SCOPES = "dictate read_notes approve export"
CLIP_TEXT = ("Pasienten sov godt i natt. Blodtrykket var hundre og førti over nitti. "
             "Trygghetsalarmen ble utløst klokken tre.")
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
# An upper bound, not a speed target: under the full suite on two cores, the other worker
# transcribing too, the stream's last transcription, the note and the job's own
# transcription took over 60 s now and then (benchmarks time the service, not this).
WAIT_S = 150
# What Chromium itself logs for a request the test cut on purpose (offline, blocked URL).
EXPECTED_OFFLINE = ("ERR_INTERNET_DISCONNECTED", "ERR_BLOCKED_BY_CLIENT", "WebSocket connection",
                    "ERR_NAME_NOT_RESOLVED", "ERR_CONNECTION_REFUSED")


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """The nurse's voice: espeak-ng reading a short report, 16 kHz mono WAV, with silence
    after it so the stream hears the end of the last sentence."""
    out = tmp_path_factory.mktemp("clip") / "rapport.wav"
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "nb", "-s", "150", "-w", str(raw), CLIP_TEXT],
                   check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out),
                    "pad", "0.3", "1.5"], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def epj():
    """The EPJ that launches the app (SMART on FHIR), on loopback."""
    standin = EpjStandIn()
    with running(standin.app()) as base:
        standin.base = base
        yield standin


@pytest.fixture(scope="module")
def server(tmp_path_factory, engine, epj):
    tmp = tmp_path_factory.mktemp("webapp")
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp,
                        service=ServiceSettings(request_max_bytes=5_000_000),
                        epj=EpjSettings(launchers=[EpjLauncher(
                            issuer=f"{epj.base}/fhir", tenant="kommune-web",
                            client_id=CLIENT_ID)]))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    store = app.state.dikta.store
    key = store.create_key("kommune-web", SCOPES)
    with running(app) as url:
        yield url, key, app
    store.engine.dispose()


def _post_alarm(url: str, app, patient_ref: str) -> str:
    """The response centre's hub reports a trygghetsalarm of the patient (plain JSON)."""
    hub = app.state.dikta.store.create_key("kommune-web", "ingest")
    occurred = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    answer = httpx.post(f"{url}/v1/alarms", headers={"Authorization": f"Bearer {hub}"},
                        json={"source": "responssenter-test", "source_id": "web-1",
                              "vkp_code": "3", "occurred_at": occurred,
                              "patient_ref": patient_ref, "device_id": "TA-17"})
    assert answer.status_code == 201, answer.text
    return answer.json()["items"][0]["id"]


def _duration_s(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


@pytest.fixture(scope="module")
def browser(clip):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    need_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=390,844",
                     "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-audio-capture={clip}%noloop",
                     "--disable-background-networking", "--no-first-run",
                     "--disable-component-update", "--disable-sync"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=str(CHROMEDRIVER)))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, what: str, timeout_s: float = WAIT_S):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s, poll_frequency=0.2).until(
        lambda d: condition(d), message=what)


def _by_id(driver, element_id: str):
    return driver.find_element("id", element_id)


def _visible(driver, element_id: str) -> bool:
    return _by_id(driver, element_id).is_displayed()


def _shot(driver, name: str, tmp: Path) -> None:
    target = ROOT / "docs" / "screenshots" if os.environ.get("DIKTA_UPDATE_SCREENSHOTS") \
        else tmp
    target.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(target / f"{name}.png"))


def _console(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _no_csp_violation(entries: list[dict]) -> None:
    violations = [e for e in entries if "Content Security Policy" in e["message"]
                  or "Refused to" in e["message"]]
    assert not violations, violations


def _idb_count(driver) -> int:
    """Entries in the app's IndexedDB (recordings + audio chunks)."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const open = indexedDB.open("dikta");
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("recordings")) { done(0); return; }
          const tx = db.transaction(["recordings", "chunks"]);
          let total = 0, pending = 2;
          for (const name of ["recordings", "chunks"]) {
            const count = tx.objectStore(name).count();
            count.onsuccess = () => { total += count.result; if (--pending === 0) done(total); };
          }
        };
        open.onerror = () => done(-1);""")


def _stored_upload_url(driver, rec_id: str) -> str | None:
    return driver.execute_async_script("""
        const [id, done] = arguments;
        const open = indexedDB.open("dikta");
        open.onsuccess = () => {
          const get = open.result.transaction("recordings").objectStore("recordings").get(id);
          get.onsuccess = () => done(get.result ? get.result.uploadUrl || null : null);
        };""", rec_id)


def _unlabelled(driver) -> list[str]:
    """Visible controls without a name a screen reader can say (label, aria-label, text)."""
    return driver.execute_script("""
        const bad = [];
        for (const el of document.querySelectorAll("input, select, textarea, button")) {
          if (el.offsetParent === null) continue;
          const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : "";
          if (!(label || (el.getAttribute("aria-label") || "").trim() || el.textContent.trim()))
            bad.push(el.id || el.outerHTML.slice(0, 80));
        }
        return bad;""")


def _fits_the_phone(driver) -> bool:
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")


def _sign_in(driver, url: str, key: str) -> None:
    driver.get(url + "/")
    _wait(driver, lambda d: _visible(d, "signin"), "the sign-in form")
    _by_id(driver, "token").send_keys(key)
    _by_id(driver, "signin-form").submit()
    _wait(driver, lambda d: _visible(d, "start"), "the start screen")


def _record(driver, seconds: float) -> None:
    _by_id(driver, "record").click()
    _wait(driver, lambda d: _by_id(d, "record").get_attribute("aria-pressed") == "true",
          "recording to start")
    time.sleep(seconds)  # the fake microphone plays the clip in real time
    _by_id(driver, "record").click()


def test_record_review_edit_approve(server, browser, clip, tmp_path):
    url, key, app = server
    driver = browser
    alarm_id = _post_alarm(url, app, "pas-web-1")
    _sign_in(driver, url, key)
    assert driver.execute_script("return sessionStorage.getItem('dikta.token')") == key
    assert driver.execute_script("return localStorage.length") == 0
    _by_id(driver, "patient").send_keys("pas-web-1\t")  # the field's change lists alarms
    box = _wait(driver, lambda d: d.find_elements("id", f"alarm-{alarm_id}"),
                "the patient's open alarm")[0]
    assert "3" in _by_id(driver, "alarm-list").text and "TA-17" in _by_id(driver, "alarm-list").text
    box.click()
    assert box.is_selected()
    assert driver.execute_script("return window.innerWidth") == 390
    assert not _unlabelled(driver) and _fits_the_phone(driver)
    _shot(driver, "1-start", tmp_path)

    _by_id(driver, "record").click()
    _wait(driver, lambda d: _by_id(d, "interim").text.strip(), "interim text while speaking")
    _shot(driver, "2-recording", tmp_path)
    time.sleep(max(0.0, _duration_s(clip) - 2))
    _by_id(driver, "record").click()

    _wait(driver, lambda d: d.find_elements("css selector", "#note-body .note-section"),
          "the note by section")
    _wait(driver, lambda d: _by_id(d, "edit").is_enabled(), "the stored note (editable)")
    sections = [e.get_attribute("data-section")
                for e in driver.find_elements(
                    "css selector", "#note-body .note-section:not(.events-box)")]
    assert sections and all(sections)
    assert not _unlabelled(driver) and _fits_the_phone(driver)
    _shot(driver, "3-note", tmp_path)
    with app.state.dikta.store.session() as s:
        rows = s.query(Dictation).all()
    assert len(rows) == 1 and rows[0].patient_ref == "pas-web-1" and rows[0].status == "done"
    dictation_id = rows[0].id
    # The ticked alarm went with the stream's start message: the stored note links it, and
    # the draft shows the link.
    links = rows[0].note["links"]
    assert [(link["alarm_id"], link["origin"], link["state"]) for link in links] == [
        (alarm_id, "explicit", "proposed")]
    shown = driver.find_elements("css selector", f'#note-body .alarm-link[data-alarm-id="{alarm_id}"]')
    assert shown and shown[0].get_attribute("data-state") == "proposed"
    # Today's worklist has it, as a draft.
    _wait(driver, lambda d: d.find_elements(
        "css selector", f'#worklist-items li[data-id="{dictation_id}"][data-stage="draft"]'),
        "the dictation in the worklist as a draft")
    assert rows[0].idempotency_key  # the recording's own key, shared with tus
    assert _idb_count(driver) == 1  # the entry; its audio went when the server confirmed

    _by_id(driver, "edit").click()
    areas = driver.find_elements("css selector", "#edit-sections textarea")
    assert areas
    first = areas[0]
    first_section = first.get_attribute("data-section")
    first.clear()
    first.send_keys("Pasienten sov godt hele natten.")
    from selenium.webdriver.support.ui import Select

    # A section the draft does not have: which ones it has depends on what the model heard
    # of the clip, and the list offers only the others.
    offered = [o.get_attribute("value") for o in
               Select(_by_id(driver, "add-section")).options if o.get_attribute("value")]
    added = "eliminasjon" if "eliminasjon" in offered else offered[0]
    assert added not in sections
    Select(_by_id(driver, "add-section")).select_by_value(added)
    _by_id(driver, f"edit-{added}").send_keys("Normal vannlating.")
    assert not _unlabelled(driver) and _fits_the_phone(driver)
    _shot(driver, "4-edit", tmp_path)
    driver.find_element("css selector", "#note-edit button[type=submit]").click()
    _wait(driver, lambda d: d.find_elements(
        "css selector", f'#note-body .note-section[data-section="{added}"]'),
        "the edited note with its new section")

    _by_id(driver, "approve").click()
    _wait(driver, lambda d: _visible(d, "again"), "approval")
    _shot(driver, "5-approved", tmp_path)
    with app.state.dikta.store.session() as s:
        versions = s.query(NoteVersion).filter_by(dictation_id=dictation_id) \
            .order_by(NoteVersion.version).all()
        row = s.get(Dictation, dictation_id)
    assert [v.kind for v in versions] == ["asr_draft", "edited", "approved"]
    approved = versions[-1].note
    filed = {sentence["section"]: sentence["text"] for sentence in approved["sentences"]}
    assert filed[first_section] == "Pasienten sov godt hele natten."
    assert filed[added] == "Normal vannlating."
    assert row.approved_at is not None
    with app.state.dikta.store.session() as s:
        alarm = s.get(Alarm, alarm_id)
    assert (alarm.status, alarm.dictation_id) == ("documented", dictation_id)
    _wait(driver, lambda d: d.find_elements(
        "css selector", f'#worklist-items li[data-id="{dictation_id}"][data-stage="approved"]'),
        "the dictation in the worklist as approved")
    # Nothing of the dictation stays in the browser: only the sign-in of this tab.
    assert _idb_count(driver) == 0
    assert driver.execute_script("return Object.keys(sessionStorage)") == ["dikta.token"]

    entries = _console(driver)
    _no_csp_violation(entries)
    assert not [e for e in entries if e["level"] == "SEVERE"], entries


def test_offline_recording_arrives_once_and_whole(server, browser, tmp_path):
    url, key, app = server
    driver = browser
    driver.get(url + "/")
    driver.execute_script("sessionStorage.clear()")
    _sign_in(driver, url, key)
    driver.get_log("browser")  # what the first test left
    from selenium.webdriver.support.ui import Select

    Select(_by_id(driver, "ui-lang")).select_by_value("nn")  # the nurse switches
    assert _by_id(driver, "patient-help").text.startswith("Referansen til pasienten")
    assert driver.execute_script("return document.documentElement.lang") == "nn"
    driver.execute_cdp_cmd("Network.enable", {})
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1,
               "uploadThroughput": -1}
    online = {**offline, "offline": False}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", offline)
    _record(driver, 4)
    _wait(driver, lambda d: d.find_elements("css selector", '#queue-list li[data-state="queued"]'),
          "the recording queued on the phone")
    _shot(driver, "6-queued-offline", tmp_path)
    rec_id = driver.find_element("css selector", "#queue-list li").get_attribute("data-id")

    # The network comes back, but the upload is cut after its first part: every request to
    # an upload's own URL (HEAD, PATCH) fails; only the creation with its first chunk passes.
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/v1/uploads/*"]})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", online)

    def partial(_):
        with app.state.dikta.store.session() as s:
            return [u for u in s.query(Upload).all() if 0 < u.offset < u.length]
    started = _wait(driver, partial, "part of the upload on the server")
    assert len(started) == 1
    # The phone knows its upload (the URL to resume from) before the page goes.
    _wait(driver, lambda d: _stored_upload_url(d, rec_id), "the upload URL kept on the phone")

    driver.refresh()  # the nurse reloads, the upload still cut
    _wait(driver, lambda d: _visible(d, "queue"), "the queue after the reload")
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})  # network restored
    _wait(driver, lambda d: d.find_elements("css selector", '#queue-list li[data-state="sent"]'),
          "the recording sent")
    sha = driver.find_element("css selector", "#queue-list li").get_attribute("data-sha256")

    with app.state.dikta.store.session() as s:
        dictations = s.query(Dictation).filter_by(idempotency_key=rec_id).all()
        uploads = s.query(Upload).all()
    assert len(dictations) == 1
    assert dictations[0].audio_sha256 == sha and len(sha) == 64  # whole: the phone's bytes
    assert len(uploads) == 1 and uploads[0].status == "complete"  # resumed, not restarted
    assert uploads[0].dictation_id == dictations[0].id

    entries = _console(driver)
    _no_csp_violation(entries)
    unexpected = [e for e in entries if e["level"] == "SEVERE"
                  and not any(m in e["message"] for m in EXPECTED_OFFLINE)]
    assert not unexpected, unexpected


def test_the_stream_stores_the_recording_and_done_names_it(server):
    """The protocol the app builds on (docs/api.md): `done` carries the stored dictation's
    id and, with read_notes, the note of the live text; the stored audio is the bytes
    streamed; the same recording sent again through tus under the same key is that same
    dictation; a dictate-only key gets the id but no note."""
    import base64
    import hashlib
    import json

    import httpx
    from websockets.sync.client import connect

    url, key, app = server
    data = (FIXTURES / "nb_alarm.webm").read_bytes()
    meta = {"patient_ref": "pas-ws", "note_type": "sykepleienotat",
            "recorded_at": "2026-12-03T07:00:00+00:00"}
    stream = url.replace("http", "ws") + "/v1/stream"

    def dictate(with_key: str, idempotency_key: str, data: bytes = data) -> dict:
        with connect(stream, subprotocols=["dikta", f"dikta.bearer.{with_key}"]) as ws:
            ws.send(json.dumps({"type": "start", "format": "webm", "language": "nb",
                                "dictation": meta, "idempotency_key": idempotency_key}))
            assert json.loads(ws.recv())["type"] == "ready"
            for start in range(0, len(data), 4000):
                ws.send(data[start:start + 4000])
            ws.send(json.dumps({"type": "stop"}))
            return [json.loads(raw) for raw in ws][-1]

    done = dictate(key, "rec-ws-1")
    assert done["type"] == "done" and done["dictation_id"] and done["status"] == "queued"
    assert done["note"]["sentences"] and done["note"]["language"] == "nb"
    with app.state.dikta.store.session() as s:
        row = s.get(Dictation, done["dictation_id"])
    assert row.audio_sha256 == hashlib.sha256(data).hexdigest()
    assert row.patient_ref == "pas-ws" and row.idempotency_key == "rec-ws-1"

    fields = {**meta, "language": "nb", "idempotency_key": "rec-ws-1"}
    tus = {"Authorization": f"Bearer {key}", "Tus-Resumable": "1.0.0"}
    created = httpx.post(f"{url}/v1/uploads", content=data, headers={
        **tus, "Upload-Length": str(len(data)),
        "Content-Type": "application/offset+octet-stream",
        "Upload-Metadata": ",".join(f"{k} {base64.b64encode(v.encode()).decode()}"
                                    for k, v in fields.items())})
    assert created.status_code == 201, created.text
    upload = httpx.get(f"{url}{created.headers['Location']}", headers=tus).json()
    assert upload["dictation_id"] == done["dictation_id"]

    dictate_only = app.state.dikta.store.create_key("kommune-web", "dictate")
    blind = dictate(dictate_only, "rec-ws-2", data[:len(data) // 3])  # a WebM prefix is audio
    assert blind["dictation_id"] and "note" not in blind


def test_a_smart_launch_lands_with_the_patient_bound(server, browser, epj):
    """The EPJ launches Dikta in the browser: Dikta → the EPJ's authorize (consents) →
    Dikta's callback → `/` with the session cookie. The page binds the session's patient,
    and the live stream (cookie, same origin) stores a dictation of that patient and EPJ."""
    url, _, app = server
    driver = browser
    driver.get(url + "/")
    driver.execute_script("sessionStorage.clear()")  # no key: the launch session only
    driver.get_log("browser")  # what the tests before left
    driver.get(f"{url}/smart/launch?" + urlencode({"iss": f"{epj.base}/fhir",
                                                   "launch": epj.new_launch()}))
    _wait(driver, lambda d: _visible(d, "start"), "the start screen after the launch")
    assert driver.current_url == f"{url}/"
    patient = _by_id(driver, "patient")
    assert patient.get_attribute("value") == PATIENT
    assert patient.get_attribute("readonly") is not None  # bound, not editable
    assert not _visible(driver, "signin") and not _visible(driver, "signout")
    assert driver.execute_script("return Object.keys(sessionStorage)") == []
    assert driver.get_cookie("dikta_session")["httpOnly"]

    _record(driver, 3)

    def stored(_):
        with app.state.dikta.store.session() as s:
            return s.query(Dictation).filter_by(patient_ref=PATIENT).all()
    rows = _wait(driver, stored, "the recording stored")
    rec_id = rows[0].idempotency_key
    _wait(driver, lambda d: d.find_elements(
        "css selector", f'#queue-list li[data-id="{rec_id}"][data-state="sent"]'),
        "the phone told the recording is stored")
    with app.state.dikta.store.session() as s:
        through_tus = s.query(Upload).filter(Upload.dictation_id == rows[0].id).count()
    assert len(rows) == 1 and rows[0].epj_issuer == f"{epj.base}/fhir"
    assert through_tus == 0  # the live stream took it, on the cookie

    entries = _console(driver)
    _no_csp_violation(entries)
    assert not [e for e in entries if e["level"] == "SEVERE"], entries
