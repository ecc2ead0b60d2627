// The app's small fetch layer over Dikta's /v1 API. Named apart from dikta-client.js (the
// reference client for vendors) so the app can switch to that one when it lands.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  // token: an API key or OIDC token (kept in sessionStorage only); session: true when a
  // SMART launch left the dikta_session cookie (then the CSRF header goes along).
  constructor({ baseUrl = "", token = null, session = false } = {}) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.session = session;
  }

  headers(extra = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.session) headers["X-Dikta-Session"] = "1";
    return headers;
  }

  async request(method, path, body) {
    const init = { method, headers: this.headers(), credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(this.baseUrl + path, init);
    if (response.status === 204) return null;
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : null);
    return data;
  }

  // An optional endpoint (built by another part of Dikta): null when it is not there (404,
  // 405), so the feature hides instead of failing.
  async optional(method, path, body) {
    try {
      return await this.request(method, path, body);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
      throw error;
    }
  }

  dictation(id) { return this.request("GET", `/v1/dictations/${encodeURIComponent(id)}`); }
  editSections(id, sections) {
    return this.request("PUT", `/v1/dictations/${encodeURIComponent(id)}/note`, { sections });
  }
  approve(id) { return this.request("POST", `/v1/dictations/${encodeURIComponent(id)}/approve`, {}); }
  upload(url) { return this.request("GET", new URL(url, location.href).pathname); }
  sections() { return this.request("GET", "/app/sections.json"); }
  smartContext() { return this.optional("GET", "/smart/context"); }

  worklist(since) {
    const query = new URLSearchParams({ since, limit: "50" });
    return this.optional("GET", `/v1/dictations?${query}`);
  }

  openAlarms(patientRef) {
    const query = new URLSearchParams({ patient_ref: patientRef, status: "open" });
    return this.optional("GET", `/v1/alarms?${query}`);
  }

  linkAlarm(alarmId, dictationId) {
    return this.optional("POST", `/v1/alarms/${encodeURIComponent(alarmId)}/links`,
      { dictation_id: dictationId });
  }

  // Browsers cannot set headers on a WebSocket: the key travels as the subprotocol
  // "dikta.bearer.<key>" (not in the URL, so never in a console message or an access log).
  openStream() {
    const url = new URL(this.baseUrl + "/v1/stream", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const protocols = this.token ? ["dikta", `dikta.bearer.${this.token}`] : ["dikta"];
    return new WebSocket(url.toString(), protocols);
  }
}
