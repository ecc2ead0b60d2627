// Recordings kept in IndexedDB until the server has confirmed them: "recordings" holds one
// entry per recording (metadata, state, the tus upload URL once there is one), "chunks" the
// audio as MediaRecorder hands it over, written as it arrives so a reload loses nothing.

const DB_NAME = "dikta";
const DB_VERSION = 1;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let opened = null;

export function openDb() {
  if (!opened) {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("recordings", { keyPath: "id" });
      db.createObjectStore("chunks", { keyPath: ["id", "seq"] });
    };
    opened = promised(request);
  }
  return opened;
}

async function tx(stores, mode, work) {
  const db = await openDb();
  const transaction = db.transaction(stores, mode);
  const result = work(transaction);
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

export function putRecording(recording) {
  return tx(["recordings"], "readwrite", (t) => t.objectStore("recordings").put(recording));
}

export async function getRecording(id) {
  return tx(["recordings"], "readonly", (t) => t.objectStore("recordings").get(id));
}

export async function updateRecording(id, changes) {
  const current = await getRecording(id);
  if (!current) return null;
  const next = { ...current, ...changes };
  await putRecording(next);
  return next;
}

export function allRecordings() {
  return tx(["recordings"], "readonly", (t) => t.objectStore("recordings").getAll());
}

export function addChunk(id, seq, blob) {
  return tx(["chunks"], "readwrite", (t) => t.objectStore("chunks").put({ id, seq, blob }));
}

export async function audioOf(id) {
  const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
  const chunks = await tx(["chunks"], "readonly", (t) => t.objectStore("chunks").getAll(range));
  chunks.sort((a, b) => a.seq - b.seq);
  return new Blob(chunks.map((c) => c.blob), { type: "audio/webm" });
}

// The audio goes once the server holds it; the entry itself once the note is approved.
export function dropAudio(id) {
  const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
  return tx(["chunks"], "readwrite", (t) => t.objectStore("chunks").delete(range));
}

export async function forget(id) {
  await dropAudio(id);
  return tx(["recordings"], "readwrite", (t) => t.objectStore("recordings").delete(id));
}
