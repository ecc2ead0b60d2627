// The nurse's dictation app: sign in (or arrive from an EPJ launch), record, watch the text
// come, review the note by section, approve. Recordings live in IndexedDB until the server
// confirms them (store.js) and go through tus when the live stream could not deliver them.

import { Api, ApiError } from "./api.js";
import { language, setLanguage, t } from "./i18n.js";
import {
  addChunk, allRecordings, dropAudio, forget, putRecording, updateRecording,
} from "./store.js";
import { UploadQueue } from "./uploads.js";

const $ = (id) => document.getElementById(id);
const TOKEN = "dikta.token";
const CURRENT = "dikta.current";
const UI_LANG = "dikta.lang";
const POLL_MS = 1000;

const app = {
  api: new Api({ token: sessionStorage.getItem(TOKEN) }),
  features: { worklist: false, alarms: false, smart: false },
  sections: {},
  patientBound: false,
  current: null, // { recId, dictationId, note, status, approved }
  recorder: null,
  editing: false,
};
const queue = new UploadQueue(app.api, {
  onChange: (progress) => renderQueue(progress),
  onSent: (recId, dictationId) => {
    if (app.current && app.current.recId === recId && !app.current.dictationId) {
      app.current.dictationId = dictationId;
      remember();
      follow(dictationId);
    }
    loadWorklist();
  },
});

function say(text, kind = "info") {
  const message = $("message");
  message.textContent = text;
  message.dataset.kind = kind;
}

function fail(error) {
  const detail = error instanceof ApiError ? error.message : String(error && error.message || error);
  say(`${t("error")}: ${detail}`, "error");
}

// 24-hour HH:MM whatever locales the browser has (nn is missing from some builds).
function clock(iso) {
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

function remember() {
  if (app.current && app.current.dictationId) {
    sessionStorage.setItem(CURRENT, JSON.stringify({
      recId: app.current.recId, dictationId: app.current.dictationId,
    }));
  }
}

// --- start -------------------------------------------------------------------------------

async function init() {
  const stored = sessionStorage.getItem(UI_LANG);
  setLanguage(stored || ((navigator.language || "").startsWith("nn") ? "nn" : "nb"));
  $("ui-lang").value = language();
  $("ui-lang").addEventListener("change", (e) => {
    sessionStorage.setItem(UI_LANG, e.target.value);
    setLanguage(e.target.value);
    rerender();
  });
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("record").addEventListener("click", toggleRecording);
  $("edit").addEventListener("click", startEdit);
  $("edit-cancel").addEventListener("click", stopEdit);
  $("note-edit").addEventListener("submit", saveEdit);
  $("add-section").addEventListener("change", addSection);
  $("approve").addEventListener("click", approve);
  $("copy").addEventListener("click", copyText);
  $("again").addEventListener("click", newDictation);
  try {
    app.features = await fetch("/app/features.json").then((r) => r.json());
    app.sections = await app.api.sections();
  } catch (error) {
    fail(error);
  }
  if (!app.api.token && app.features.smart) {
    const context = await app.api.smartContext().catch(() => null);
    if (context) {
      app.api.session = true;
      if (context.patient_ref) {
        $("patient").value = context.patient_ref;
        $("patient").readOnly = true;
        app.patientBound = true;
      }
    }
  }
  if (!app.api.token && !app.api.session) {
    $("signin").hidden = false;
    return;
  }
  await signedIn();
}

async function signIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN, token); // this tab only; gone when it closes
  app.api.token = token;
  $("token").value = "";
  $("signin").hidden = true;
  await signedIn();
}

function signOut() {
  sessionStorage.clear();
  location.reload();
}

async function signedIn() {
  $("start").hidden = false;
  $("signout").hidden = !app.api.token;
  await renderQueue();
  queue.resumeAll();
  loadWorklist();
  const current = JSON.parse(sessionStorage.getItem(CURRENT) || "null");
  if (current && current.dictationId) {
    app.current = { ...current, note: null, status: null };
    follow(current.dictationId);
  }
}

// --- recording ---------------------------------------------------------------------------

async function toggleRecording() {
  if (app.recorder) {
    app.recorder.stop();
    return;
  }
  let media;
  try {
    media = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    say(t("mic_denied"), "error");
    return;
  }
  startRecording(media);
}

function startRecording(media) {
  const recId = crypto.randomUUID();
  const meta = {
    patient_ref: $("patient").value.trim() || null,
    note_type: $("note-type").value,
    language: language(),
    recorded_at: new Date().toISOString(),
  };
  app.current = { recId, dictationId: null, note: null, status: null, approved: false };
  queue.active = recId;
  sessionStorage.removeItem(CURRENT);
  $("note").hidden = true;
  $("interim").textContent = "";
  let finals = "";
  let seq = 0;
  let saving = putRecording({ id: recId, meta, state: "recording", created: Date.now() });
  const socket = { ws: null, ready: false, pending: [], done: null };
  const done = new Promise((resolve) => { socket.done = resolve; });
  try {
    socket.ws = app.api.openStream();
    socket.ws.binaryType = "arraybuffer";
    socket.ws.onopen = () => socket.ws.send(JSON.stringify({
      type: "start", format: "webm", language: meta.language,
      dictation: meta, idempotency_key: recId,
    }));
    socket.ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "ready") {
        socket.ready = true;
        for (const blob of socket.pending) socket.ws.send(blob);
        socket.pending = [];
      } else if (message.type === "interim") {
        $("interim").textContent = `${finals} ${message.text}`.trim();
      } else if (message.type === "final") {
        finals = `${finals} ${message.segment.text}`.trim();
        $("interim").textContent = finals;
      } else if (message.type === "done") {
        socket.done(message);
      } else if (message.type === "error") {
        socket.done(null);
      }
    };
    socket.ws.onerror = () => { socket.ready = false; };
    socket.ws.onclose = () => { socket.ready = false; socket.done(null); };
  } catch (error) {
    socket.done(null);
  }

  const options = MediaRecorder.isTypeSupported("audio/webm;codecs=opus")
    ? { mimeType: "audio/webm;codecs=opus" } : {};
  const recorder = new MediaRecorder(media, options);
  recorder.ondataavailable = (event) => {
    if (!event.data || event.data.size === 0) return;
    const blob = event.data;
    seq += 1;
    const number = seq;
    // Chained so the chunks are stored in order, before the stop is acted on.
    saving = saving.then(() => addChunk(recId, number, blob));
    if (socket.ready && socket.ws.readyState === WebSocket.OPEN) socket.ws.send(blob);
    else if (socket.ws && socket.ws.readyState === WebSocket.CONNECTING) socket.pending.push(blob);
  };
  recorder.onstop = async () => {
    media.getTracks().forEach((track) => track.stop());
    app.recorder = null;
    setRecordButton(false);
    $("record").disabled = true;
    $("record-status").textContent = t("processing");
    await saving;
    await updateRecording(recId, { state: "queued" });
    let result = null;
    if (socket.ready && socket.ws.readyState === WebSocket.OPEN) {
      socket.ws.send(JSON.stringify({ type: "stop" }));
      result = await Promise.race([done, new Promise((r) => setTimeout(() => r(null), 120000))]);
    } else if (socket.ws) {
      socket.ws.onclose = null;
      socket.ws.close();
    }
    $("record").disabled = false;
    $("record-status").textContent = "";
    queue.active = null;
    if (result && result.dictation_id) {
      await dropAudio(recId); // the server confirmed it: the copy here goes
      await updateRecording(recId, { state: "sent", dictationId: result.dictation_id });
      app.current.dictationId = result.dictation_id;
      remember();
      if (result.note) showNote(result.note, "live");
      follow(result.dictation_id);
      loadWorklist();
    } else {
      say(t("saved_offline"));
      queue.send(recId);
    }
    renderQueue();
  };
  recorder.start(250);
  app.recorder = recorder;
  setRecordButton(true);
  $("record-status").textContent = t("recording");
  renderQueue();
}

function setRecordButton(recording) {
  const button = $("record");
  button.setAttribute("aria-pressed", recording ? "true" : "false");
  button.classList.toggle("on", recording);
  $("record-label").dataset.i18n = recording ? "stop" : "record";
  $("record-label").textContent = t(recording ? "stop" : "record");
}

// --- the note ----------------------------------------------------------------------------

// Poll the stored dictation until its own transcription is done, then show that note.
async function follow(dictationId) {
  $("note").hidden = false;
  for (;;) {
    if (!app.current || app.current.dictationId !== dictationId) return;
    let row;
    try {
      row = await app.api.dictation(dictationId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        sessionStorage.removeItem(CURRENT);
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS * 3));
      continue;
    }
    if (row.status === "done") {
      app.current.approved = Boolean(row.approved_at);
      $("interim").textContent = ""; // the stored note replaces the live text
      showNote(row.note, "stored");
      loadAlarms(row.patient_ref);
      return;
    }
    if (row.status === "failed" || row.status === "dead") {
      $("note-status").textContent = `${t("error")}: ${row.error || row.status}`;
      return;
    }
    $("note-status").textContent = t("note_waiting");
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function titlesFor(note) {
  const list = app.sections[note.template] || app.sections.funksjonsomrader || [];
  return list.map((s) => ({ key: s.key, title: note.language === "nn" ? s.nn : s.nb }));
}

function grouped(note) {
  const order = titlesFor(note);
  const groups = [];
  for (const { key, title } of order) {
    const sentences = note.sentences
      .map((sentence, index) => ({ ...sentence, index }))
      .filter((s) => s.section === key);
    if (sentences.length) groups.push({ key, title, sentences });
  }
  const known = new Set(order.map((s) => s.key));
  const rest = note.sentences.map((s, index) => ({ ...s, index })).filter((s) => !known.has(s.section));
  if (rest.length) groups.push({ key: "annet", title: "Annet", sentences: rest });
  return groups;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function showNote(note, source) {
  if (!app.current) return;
  app.current.note = note;
  app.current.status = source;
  if (note && note.language && !sessionStorage.getItem(UI_LANG)) {
    setLanguage(note.language); // the tenant's written standard, unless the nurse chose
    $("ui-lang").value = language();
  }
  const first = $("note").hidden;
  $("note").hidden = false;
  $("note-status").textContent = source === "live" ? t("note_waiting") : "";
  renderNote();
  if (first) $("note").scrollIntoView({ block: "start" });
}

function renderNote() {
  const body = $("note-body");
  body.replaceChildren();
  const current = app.current;
  if (!current || !current.note) return;
  const note = current.note;
  const eventSentences = new Set(note.events.flatMap((e) => e.sentences));
  for (const group of grouped(note)) {
    const section = element("section", { class: "note-section", "data-section": group.key },
      element("h3", {}, group.title));
    const paragraph = element("p");
    for (const sentence of group.sentences) {
      const classes = ["sentence"];
      if (sentence.review) classes.push("review");
      if (eventSentences.has(sentence.index)) classes.push("event");
      const span = element("span", { class: classes.join(" ") }, sentence.text);
      if (sentence.review) {
        span.title = t("review_hint");
        span.append(element("span", { class: "flag" }, ` [${t("review")}]`));
      }
      paragraph.append(span, " ");
      for (const entity of note.entities.filter((e) => e.sentence === sentence.index)) {
        paragraph.append(element("mark", { class: "entity", "data-type": entity.type },
          entity.dose ? `${entity.value} ${entity.dose}` : entity.value), " ");
      }
    }
    section.append(paragraph);
    body.append(section);
  }
  if (note.events.length) {
    const list = element("ul", { class: "events" });
    for (const event of note.events) {
      const parts = [event.technology, event.event.replaceAll("_", " ")];
      if (event.time) parts.push(`kl. ${event.time}`);
      if (event.false_alarm) parts.push("falsk alarm");
      list.append(element("li", { class: "event" }, parts.join(" · ")));
    }
    body.append(element("section", { class: "note-section events-box" },
      element("h3", {}, t("event")), list));
  }
  const editable = current.status === "stored" && !current.approved;
  $("edit").disabled = !editable;
  $("approve").disabled = !editable;
  $("edit").hidden = current.approved;
  $("approve").hidden = current.approved;
  if (current.approved) $("note-status").textContent = t("approved");
  $("copy").disabled = !current.note;
  $("note-actions").hidden = app.editing;
  $("again").hidden = !current.approved;
}

function rerender() {
  renderNote();
  renderQueue();
  loadWorklist();
}

function startEdit() {
  const note = app.current.note;
  app.editing = true;
  const container = $("edit-sections");
  container.replaceChildren();
  for (const group of grouped(note)) addEditor(group.key, group.title,
    group.sentences.map((s) => s.text).join(" "));
  fillSectionChoice();
  $("note-body").hidden = true;
  $("note-edit").hidden = false;
  $("note-actions").hidden = true;
  const first = container.querySelector("textarea");
  if (first) first.focus();
}

function addEditor(key, title, text) {
  const id = `edit-${key}`;
  $("edit-sections").append(element("div", { class: "field" },
    element("label", { for: id }, title),
    Object.assign(element("textarea", { id, "data-section": key, rows: "4" }), { value: text })));
}

function fillSectionChoice() {
  const present = new Set([...document.querySelectorAll("#edit-sections textarea")]
    .map((area) => area.dataset.section));
  const select = $("add-section");
  select.replaceChildren(element("option", { value: "" }, "—"));
  for (const { key, title } of titlesFor(app.current.note)) {
    if (!present.has(key)) select.append(element("option", { value: key }, title));
  }
}

function addSection(event) {
  const key = event.target.value;
  if (!key) return;
  const title = titlesFor(app.current.note).find((s) => s.key === key).title;
  addEditor(key, title, "");
  fillSectionChoice();
  $(`edit-${key}`).focus();
}

function stopEdit() {
  app.editing = false;
  $("note-edit").hidden = true;
  $("note-body").hidden = false;
  $("note-actions").hidden = false;
}

async function saveEdit(event) {
  event.preventDefault();
  const sections = {};
  for (const area of document.querySelectorAll("#edit-sections textarea")) {
    if (area.value.trim()) sections[area.dataset.section] = area.value.trim();
  }
  try {
    const row = await app.api.editSections(app.current.dictationId, sections);
    stopEdit();
    showNote(row.note, "stored");
    say(t("saved"));
  } catch (error) {
    fail(error);
  }
}

async function approve() {
  const current = app.current;
  try {
    await app.api.approve(current.dictationId);
  } catch (error) {
    fail(error);
    return;
  }
  current.approved = true;
  // Nothing of this dictation stays in the browser once it is approved.
  if (current.recId) await forget(current.recId).catch(() => {});
  sessionStorage.removeItem(CURRENT);
  say(""); // the note's own status line says it (aria-live), next to the note
  renderNote();
  renderQueue();
  loadWorklist();
}

function noteText(note) {
  const blocks = grouped(note).map((group) => `${group.title}:\n` + group.sentences
    .map((s) => (s.review ? `${s.text} [kontroller]` : s.text)).join(" "));
  return blocks.join("\n\n") + "\n";
}

async function copyText() {
  const note = app.current && app.current.note;
  if (!note) return;
  const text = noteText(note);
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    // No clipboard permission (an embedded frame, an old browser): select a copy instead.
    const area = element("textarea", { class: "sr-only", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  say(t("copied"));
}

function newDictation() {
  app.current = null;
  $("edit").hidden = false;
  $("approve").hidden = false;
  $("note-status").textContent = "";
  $("note").hidden = true;
  $("note-body").replaceChildren();
  $("interim").textContent = "";
  $("alarms").hidden = true;
  say("");
}

// --- alarms, queue, worklist -------------------------------------------------------------

async function loadAlarms(patientRef) {
  $("alarms").hidden = true;
  if (!app.features.alarms || !patientRef) return;
  const answer = await app.api.openAlarms(patientRef).catch(() => null);
  const items = Array.isArray(answer) ? answer : (answer && answer.items) || [];
  if (!answer || !items.length) return;
  const list = $("alarm-list");
  list.replaceChildren();
  for (const alarm of items) {
    const when = `${new Date(alarm.occurred_at).toLocaleDateString("nb-NO")} ${clock(alarm.occurred_at)}`;
    const button = element("button", { type: "button" }, t("alarm_link"));
    button.addEventListener("click", async () => {
      const linked = await app.api.linkAlarm(alarm.id, app.current.dictationId).catch(() => null);
      if (linked !== null) { button.textContent = t("alarm_linked"); button.disabled = true; }
    });
    list.append(element("li", {}, `${alarm.vkp_code} · ${when} `, button));
  }
  $("alarms").hidden = false;
}

async function renderQueue(progress) {
  const list = $("queue-list");
  const recordings = (await allRecordings()).sort((a, b) => a.created - b.created);
  list.replaceChildren();
  for (const recording of recordings) {
    const when = clock(recording.meta.recorded_at);
    let state = t(`state_${recording.state}`);
    if (progress && progress.id === recording.id && recording.state === "sending") {
      state += ` ${Math.round((100 * progress.sent) / progress.total)} %`;
    }
    list.append(element("li", { "data-state": recording.state, "data-id": recording.id,
      "data-sha256": recording.sha256 || "" }, `${when} – ${state}`));
  }
  $("queue").hidden = recordings.length === 0;
}

function stageOf(item) {
  if (item.stage) return item.stage;
  if (item.delivered_at) return "delivered";
  if (item.approved_at) return "approved";
  return { queued: "queued", running: "transcribing", done: "draft" }[item.status] || "failed";
}

async function loadWorklist() {
  if (!app.features.worklist || !(app.api.token || app.api.session)) return;
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const page = await app.api.worklist(start.toISOString()).catch(() => null);
  if (!page) {
    $("worklist").hidden = true;
    return;
  }
  const list = $("worklist-items");
  list.replaceChildren();
  for (const item of page.items || []) {
    const when = clock(item.recorded_at || item.created_at);
    const stage = stageOf(item);
    const entry = element("li", { "data-stage": stage },
      `${when} · ${item.patient_ref || "—"} · `, element("strong", {}, t(`stage_${stage}`)));
    if (stage === "draft") {
      const open = element("button", { type: "button", class: "link" }, t("open"));
      open.addEventListener("click", () => {
        app.current = { recId: null, dictationId: item.id, note: null, status: null };
        remember();
        follow(item.id);
      });
      entry.append(" ", open);
    }
    list.append(entry);
  }
  if (!(page.items || []).length) list.append(element("li", {}, t("worklist_empty")));
  $("worklist").hidden = false;
}

init();
