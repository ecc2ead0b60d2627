// Dikta's API client as an ES module: the web app uses it, and so can an EPJ's own web
// front end. No dependencies: fetch, URL and FormData (browsers, Node 18+).
//
//   import { DiktaClient } from "./dikta-client.js";
//   const dikta = new DiktaClient({ baseUrl: "", session: true });   // after a SMART launch
//   const dikta = new DiktaClient({ baseUrl: "https://dikta.kommune.no", token: "dk_…" });
//   const { items, next_cursor } = await dikta.listDictations({ status: "draft" });
//
// `token`: an API key or access token, sent as a bearer token. `session`: authenticate with
// the `dikta_session` cookie of a SMART launch; the client then sends `X-Dikta-Session: 1`,
// the header the server requires with a cookie (its CSRF guard), and includes credentials.
// A refusal rejects with a DiktaApiError carrying the problem document (RFC 9457).

export class DiktaApiError extends Error {
  constructor(status, problem) {
    const title = (problem && problem.title) || "";
    const detail = (problem && problem.detail) || "";
    super(`${status} ${title}: ${detail}`);
    this.name = "DiktaApiError";
    this.status = status;
    this.problem = problem;
    this.title = title;
    this.detail = detail;
    this.kind = String((problem && problem.type) || "").split("/").pop();
  }
}

export class DiktaClient {
  constructor({ baseUrl = "", token = null, session = false, fetch: fetchImpl = null } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.token = token;
    this.session = Boolean(session);
    this._fetch = fetchImpl || globalThis.fetch.bind(globalThis);
  }

  _url(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value === undefined || value === null || value === "") continue;
      query.set(key, value instanceof Date ? value.toISOString()
        : Array.isArray(value) ? value.join(",") : String(value));
    }
    const search = query.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }

  /** The headers that authenticate a request: for transports this client does not run
   *  itself (a tus upload, say). A WebSocket cannot carry them: see docs/api.md, stream. */
  authHeaders() {
    const headers = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.session) headers["X-Dikta-Session"] = "1";
    return headers;
  }

  async _call(method, path, { params, json, body, accept = "application/json" } = {}) {
    const headers = { Accept: accept, ...this.authHeaders() };
    if (json !== undefined) headers["Content-Type"] = "application/json";
    const response = await this._fetch(this._url(path, params), {
      method,
      headers,
      body: json !== undefined ? JSON.stringify(json) : body,
      credentials: this.session ? "include" : "same-origin",
    });
    if (!response.ok) {
      let problem;
      try {
        problem = await response.json();
      } catch {
        problem = { title: response.statusText, detail: "" };
      }
      throw new DiktaApiError(response.status, problem);
    }
    return response;
  }

  async _json(method, path, options) {
    const response = await this._call(method, path, options);
    return response.status === 204 ? null : response.json();
  }

  /** One page of the worklist, newest first: {items, next_cursor}.
   *  params: {patient_ref, status ("draft" or ["draft", "approved"]), since, cursor, limit} */
  listDictations(params = {}) {
    return this._json("GET", "/v1/dictations", { params });
  }

  /** Every dictation matching the filters, following the cursors (async iterator). */
  async *iterDictations(params = {}) {
    let cursor = null;
    do {
      const page = await this.listDictations({ ...params, cursor });
      yield* page.items;
      cursor = page.next_cursor;
    } while (cursor);
  }

  getDictation(id) {
    return this._json("GET", `/v1/dictations/${encodeURIComponent(id)}`);
  }

  /** Upload a recording (a Blob) with its metadata ({patient_ref, language, …}). */
  createDictation(audio, metadata = {}, filename = "dictation.webm") {
    const form = new FormData();
    form.set("file", audio, filename);
    for (const [key, value] of Object.entries(metadata)) {
      if (value !== undefined && value !== null) form.set(key, String(value));
    }
    return this._json("POST", "/v1/dictations", { body: form });
  }

  /** Store the nurse's correction as a new version: the whole note as text (a string,
   *  structured again), or its text per section ({"<section key>": "text"}: sentences stay
   *  in their sections). */
  putNote(id, note, author = null) {
    const body = typeof note === "string" ? { text: note, author } : { sections: note, author };
    return this._json("PUT", `/v1/dictations/${encodeURIComponent(id)}/note`, { json: body });
  }

  approve(id, author = null) {
    return this._json("POST", `/v1/dictations/${encodeURIComponent(id)}/approve`,
      { json: { author } });
  }

  /** The note as paste-ready text (template: plain, isbar, funksjonsomrader or own). */
  async getText(id, template = "plain") {
    const response = await this._call("GET", `/v1/dictations/${encodeURIComponent(id)}/text`,
      { params: { template }, accept: "text/plain" });
    return response.text();
  }

  versions(id) {
    return this._json("GET", `/v1/dictations/${encodeURIComponent(id)}/versions`);
  }

  textTemplates() {
    return this._json("GET", "/v1/text-templates");
  }

  /** The tenant's welfare-technology alarms, newest first (GET /v1/alarms).
   *  params: {patient_ref, status ("open" | "documented" | "all"), since, limit} */
  listAlarms(params = {}) {
    return this._json("GET", "/v1/alarms", { params });
  }

  /** A tus upload's state ({offset, length, status, dictation_id}); `upload` is its
   *  Location as the server gave it (a path or a full URL) or its id. */
  getUpload(upload) {
    const path = String(upload).includes("/")
      ? new URL(upload, "http://dikta.invalid").pathname
      : `/v1/uploads/${encodeURIComponent(upload)}`;
    return this._json("GET", path);
  }

  /** The SMART launch session this browser holds ({patient_ref, practitioner, tenant,
   *  expires_at}); rejects with 401 when there is none. Needs `session: true`. */
  smartContext() {
    return this._json("GET", "/smart/context");
  }
}
