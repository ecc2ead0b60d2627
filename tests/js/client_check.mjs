// Drives the ES-module client against a live Dikta server (started by tests/test_clients.py).
// argv: client module path, base URL, API key, id of a transcribed dictation.
// Prints one JSON object with what each call returned, for the Python test to check.
const [modulePath, baseUrl, token, dictationId] = process.argv.slice(2);
const { DiktaClient, DiktaApiError } = await import(modulePath);

const dikta = new DiktaClient({ baseUrl, token });
const out = {};
const page = await dikta.listDictations({ limit: 1 });
out.firstPage = { ids: page.items.map((i) => i.id), hasNext: Boolean(page.next_cursor) };
out.all = [];
for await (const item of dikta.iterDictations({ limit: 1 })) out.all.push(item.id);
out.drafts = (await dikta.listDictations({ status: ["draft"] })).items.map((i) => i.id);
out.got = (await dikta.getDictation(dictationId)).stage;
out.edited = (await dikta.putNote(dictationId, "Hun sov godt. Blodtrykk 120/80.", "Kari")).note
  .sentences.map((s) => s.text);
out.approved = (await dikta.approve(dictationId, "Kari")).stage;
out.text = await dikta.getText(dictationId, "isbar");
try {
  await dikta.getDictation("nope");
} catch (error) {
  out.missing = { isError: error instanceof DiktaApiError, status: error.status, kind: error.kind };
}
try {
  out.alarms = await dikta.listAlarms({ status: "open" });
} catch (error) {
  out.alarms = { status: error.status };
}
try {
  await dikta.getUpload("/v1/uploads/0123456789abcdef0123456789abcdef");
} catch (error) {
  out.noUpload = error.status;
}
try {
  await new DiktaClient({ baseUrl, session: true }).smartContext(); // no cookie here
} catch (error) {
  out.noSession = error.status;
}
try {
  await new DiktaClient({ baseUrl, token: "dk_wrong" }).listDictations();
} catch (error) {
  out.unauthorized = error.status;
}

// A session client sends the CSRF header and includes the cookie; seen through its fetch.
const seen = [];
const recorder = async (url, init) => {
  seen.push({ url, headers: init.headers, credentials: init.credentials, body: init.body });
  return new Response(JSON.stringify({ items: [], next_cursor: null }),
    { status: 200, headers: { "Content-Type": "application/json" } });
};
await new DiktaClient({ baseUrl: "", session: true, fetch: recorder })
  .listDictations({ patient_ref: "pas 1", status: ["draft", "approved"] });
await new DiktaClient({ baseUrl: "http://dikta.test", token: "dk_x", fetch: recorder })
  .putNote("d 1", { legemidler: "Ga Paracet 1 g." }, "Kari");
const other = new DiktaClient({ baseUrl: "http://dikta.test/", token: "dk_x", fetch: recorder });
await other.getUpload("https://dikta.test/v1/uploads/u1");
await other.getUpload("u 2");
out.uploadUrls = [seen[2].url, seen[3].url];
out.authHeaders = [other.authHeaders(), new DiktaClient({ session: true }).authHeaders()];
out.session = seen[0];
out.sections = { url: seen[1].url, body: JSON.parse(seen[1].body ?? "null"),
  auth: seen[1].headers.Authorization };
console.log(JSON.stringify(out));
