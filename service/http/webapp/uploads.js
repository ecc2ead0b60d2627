// Recordings the live stream did not deliver go through tus (/v1/uploads), resuming where a
// cut connection left them. The recording's own idempotency key travels as tus metadata, so a
// recording the stream did store after all becomes that same dictation, never a second one.

import { allRecordings, audioOf, dropAudio, getRecording, updateRecording } from "./store.js";

const CHUNK_BYTES = 16 * 1024; // small parts: a phone on a weak network keeps what got through
const RETRY_MS = 5000;

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function metadataOf(recording, sha256) {
  const metadata = { idempotency_key: recording.id, sha256 };
  for (const [key, value] of Object.entries(recording.meta)) {
    if (value !== null && value !== undefined && value !== "") metadata[key] = String(value);
  }
  return metadata;
}

export class UploadQueue {
  constructor(api, { onChange = () => {}, onSent = () => {} } = {}) {
    this.api = api;
    this.onChange = onChange;
    this.onSent = onSent;
    this.running = new Set();
    this.active = null; // the recording the live stream still handles
    window.addEventListener("online", () => this.resumeAll());
    setInterval(() => { if (navigator.onLine) this.resumeAll(); }, RETRY_MS);
  }

  async resumeAll() {
    for (const recording of await allRecordings()) {
      if (recording.id === this.active) continue;
      // "recording": the page was closed or reloaded mid-recording; what was kept goes.
      if (recording.state === "queued" || recording.state === "sending" ||
          recording.state === "recording") {
        this.send(recording.id);
      }
    }
  }

  async send(id) {
    if (this.running.has(id)) return;
    this.running.add(id);
    try {
      await this._send(id);
    } catch (error) {
      await updateRecording(id, { state: "queued" });
      this.onChange();
    } finally {
      this.running.delete(id);
    }
  }

  async _send(id) {
    let recording = await getRecording(id);
    if (!recording || recording.state === "sent") return;
    const audio = await audioOf(id);
    if (audio.size === 0) throw new Error("no audio kept for this recording");
    const sha256 = recording.sha256 || await sha256Hex(audio);
    recording = await updateRecording(id, { state: "sending", sha256, size: audio.size });
    this.onChange();
    const uploadUrl = await new Promise((resolve, reject) => {
      const upload = new window.tus.Upload(audio, {
        endpoint: "/v1/uploads",
        uploadUrl: recording.uploadUrl || null,
        chunkSize: CHUNK_BYTES,
        uploadDataDuringCreation: true,
        storeFingerprintForResuming: false, // the upload URL is kept in IndexedDB instead
        retryDelays: [0, 1000, 3000],
        headers: this.api.headers({}),
        metadata: metadataOf(recording, sha256),
        // Kept before the first byte goes, so a reload resumes this upload, not a new one.
        onUploadUrlAvailable: () => updateRecording(id, { uploadUrl: upload.url }),
        onProgress: (sent, total) => { this.onChange({ id, sent, total }); },
        onError: reject,
        onSuccess: () => resolve(upload.url),
      });
      upload.start();
    });
    const done = await this.api.upload(uploadUrl);
    await dropAudio(id); // the server holds its own sealed copy now
    await updateRecording(id, { state: "sent", dictationId: done.dictation_id });
    this.onChange();
    this.onSent(id, done.dictation_id);
  }
}
