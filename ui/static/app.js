// sbimport ui: presentation only. Every decision (reading the sheet,
// mapping, validation, the plan, sending, the output) is the server's.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { fixes: new Map(), fields: null, endpoint: "", draft: null, sheet: null, checks: [], results: [], stream: null };

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

// ---- the access token ----
// sbimport ui prints the page's address with its per-start token in the
// fragment (#token=…), which the browser sends to no server. The page
// keeps it in sessionStorage (this origin and port only, this tab only),
// takes it out of the address bar, and sends it in a header on every API
// call. No cookie: a browser would send it to every port of this host.
const TOKEN_HEADER = "X-Sbimport-Token";
const TOKEN_KEY = "sbimport-token";
const NO_TOKEN = "This page needs its access token: open the address sbimport ui printed, the whole of it (it ends with #token=…).";

// takeToken moves a token from the address's fragment into sessionStorage
// and removes it from the address bar; it reports whether there was one.
function takeToken() {
  const m = /^#token=([0-9a-f]+)$/.exec(location.hash);
  if (!m) return false;
  sessionStorage.setItem(TOKEN_KEY, m[1]);
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

// authed is fetch with the token header.
function authed(path, opts) {
  opts = Object.assign({}, opts);
  opts.headers = Object.assign({}, opts.headers, { [TOKEN_HEADER]: token() });
  return fetch(path, opts);
}

async function failure(res) {
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json() : { error: await res.text() };
  return new Error(data.error || res.statusText);
}

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  const res = await authed(path, opts);
  if (!res.ok) throw await failure(res);
  const type = res.headers.get("Content-Type") || "";
  return type.includes("json") ? await res.json() : { error: await res.text() };
}

// saveAs hands a blob to the browser as a download named name.
function saveAs(blob, name) {
  const href = URL.createObjectURL(blob);
  const a = el("a", { href, download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}

function notice(msg) {
  const n = $("notice");
  n.textContent = msg || "";
  n.hidden = !msg;
}

function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

function show(id) { $(id).hidden = false; }

// ---- 1. Sheet ----
async function upload(file) {
  notice("");
  $("sheet-status").textContent = "Reading " + file.name + " …";
  const fd = new FormData();
  fd.append("file", file);
  try { showSheet(await api("POST", "/api/sheet", fd)); }
  catch (e) { $("sheet-status").textContent = ""; notice(e.message); }
}

async function reformat() {
  notice("");
  try {
    showSheet(await api("POST", "/api/format", {
      encoding: $("encoding").value, delimiter: $("delimiter").value,
      sheet: $("sheetname").value, headerRow: Number($("headerrow").value) || 1,
    }));
  } catch (e) { notice(e.message); }
}

function showSheet(info) {
  state.sheet = info;
  const parts = [info.name, info.rowsText];
  if (info.kind === "csv") parts.push("encoding " + info.encoding, "delimiter " + (info.delimiter || "?"));
  if (info.sheet) parts.push("sheet \u201c" + info.sheet + "\u201d");
  parts.push("header row " + info.headerRow);
  $("sheet-status").textContent = parts.join(" · ");
  $("format").hidden = false;
  const csv = info.kind === "csv";
  $("encoding").parentElement.hidden = !csv;
  $("delimiter").parentElement.hidden = !csv;
  $("sheetname").parentElement.hidden = csv;
  const sel = $("sheetname");
  sel.replaceChildren(...(info.sheets || []).map((n) => el("option", { value: n, text: n, selected: n === info.sheet })));
  $("headerrow").value = info.headerRow;
  const t = $("first-rows");
  t.replaceChildren(el("caption", { class: "sr-only", text: "The first rows of the sheet" }),
    el("thead", {}, el("tr", {}, el("th", { text: "Row" }), ...info.header.map((h) => el("th", { text: h })))));
  const tb = el("tbody");
  for (const r of info.first) tb.append(el("tr", {}, el("td", { text: String(r.line) }), ...r.cells.map((c) => el("td", { text: c }))));
  t.append(tb);
  show("step-mapping");
  fillKeyColumns();
  renderFields();
  if (state.endpoint || $("yaml-mode").checked) schedulePreview();
}

// ---- 2. Endpoint and mapping ----
async function loadFields() {
  state.fields = await api("GET", "/api/fields");
  const fs = $("endpoints");
  for (const ep of state.fields.endpoints) {
    const r = el("input", { type: "radio", name: "endpoint", value: ep.name });
    r.addEventListener("change", () => chooseEndpoint(ep.name, true));
    fs.append(el("label", {}, r, " ", el("strong", { text: ep.name }), ": " + ep.sentence));
  }
}

function endpointFields() {
  const ep = state.fields.endpoints.find((e) => e.name === state.endpoint);
  return ep ? ep.fields : [];
}

async function chooseEndpoint(name, auto) {
  state.endpoint = name;
  for (const r of document.querySelectorAll("input[name=endpoint]")) r.checked = r.value === name;
  state.draft = { endpoint: name, fields: {}, key: "" };
  if (auto) await autoMatch(); else renderFields();
}

async function autoMatch() {
  if (!state.endpoint) { notice("Choose lead, quote or template first."); return; }
  try {
    const res = await api("POST", "/api/mapping/auto", { endpoint: state.endpoint });
    state.draft = res.draft;
    state.draft.fields = state.draft.fields || {};
    $("yaml-mode").checked = false;
    renderFields();
    schedulePreview();
  } catch (e) { notice(e.message); }
}

function columnOptions(selected) {
  const opts = [el("option", { value: "", text: "(no column)" })];
  for (const h of (state.sheet ? state.sheet.header : [])) opts.push(el("option", { value: h, text: h, selected: h === selected }));
  return opts;
}

function fillKeyColumns() {
  const key = state.draft ? state.draft.key : "";
  const sel = $("key");
  sel.replaceChildren(el("option", { value: "", text: "(default: the e-mail, else the phone)" }),
    ...(state.sheet ? state.sheet.header : []).map((h) => el("option", { value: h, text: h, selected: h === key })));
}

function renderFields() {
  const t = $("fields");
  if (!state.draft || !state.sheet) { t.replaceChildren(); return; }
  t.replaceChildren(el("thead", {}, el("tr", {}, ...["Field", "Column", "or combine columns", "Type", "or a fixed value"].map((h) => el("th", { text: h })))));
  const tb = el("tbody");
  for (const f of endpointFields()) tb.append(fieldRow(f));
  t.append(tb);
  fillKeyColumns();
}

function fieldRow(f) {
  const cur = state.draft.fields[f.name] || {};
  const id = "f-" + f.name;
  const set = (k, v) => {
    const c = Object.assign({}, state.draft.fields[f.name] || {});
    if (v) c[k] = v; else delete c[k];
    state.draft.fields[f.name] = c;
    schedulePreview();
  };
  const col = el("select", { id: id + "-col", "aria-label": f.name + ": column" }, ...columnOptions(cur.column));
  col.addEventListener("change", () => set("column", col.value));
  const comb = el("input", { type: "text", id: id + "-combine", value: cur.combine || "", placeholder: f.name === "customer_name" ? "e.g. {Förnamn} {Efternamn}" : "", "aria-label": f.name + ": combine columns" });
  comb.addEventListener("input", () => set("combine", comb.value));
  const typ = el("select", { id: id + "-as", "aria-label": f.name + ": type" }, el("option", { value: "", text: "(the field's own: " + f.kind + ")" }),
    ...state.fields.types.map((x) => el("option", { value: x, text: x, selected: x === cur.as })));
  typ.addEventListener("change", () => set("as", typ.value));
  let val;
  if (f.choices) {
    val = el("select", { id: id + "-value", "aria-label": f.name + ": fixed value" }, el("option", { value: "", text: "(none)" }),
      ...f.choices.map((x) => el("option", { value: x, text: x, selected: x === cur.value })));
    val.addEventListener("change", () => set("value", val.value));
  } else {
    val = el("input", { type: "text", id: id + "-value", value: cur.value || "", "aria-label": f.name + ": fixed value" });
    val.addEventListener("input", () => set("value", val.value));
  }
  const name = el("td", {}, el("strong", { text: f.name }), f.required ? el("span", { class: "req", text: " required" }) : null,
    el("div", { class: "hint", text: f.doc + (f.choices && !f.choices.every(c => f.doc.includes(c)) ? " (" + f.choices.join(", ") + ")" : "") }));
  return el("tr", {}, name, el("td", {}, col), el("td", {}, comb), el("td", {}, typ), el("td", {}, val));
}

async function loadMapping(file) {
  const fd = new FormData();
  fd.append("file", file);
  try {
    const res = await api("POST", "/api/mapping/load", fd);
    state.endpoint = res.draft.endpoint;
    for (const r of document.querySelectorAll("input[name=endpoint]")) r.checked = r.value === state.endpoint;
    state.draft = res.draft;
    state.draft.fields = state.draft.fields || {};
    $("yaml").value = res.yaml;
    $("yaml-mode").checked = !res.simple;
    yamlMode();
    if (!res.simple) { $("yaml-box").open = true; notice("This mapping holds more than the form shows (alternatives, custom fields, …): it is used as YAML, below."); }
    renderFields();
    schedulePreview();
  } catch (e) { notice(e.message); }
}

// restoreMapping puts back the mapping the page last used (a page opened
// again while the server holds the import).
function restoreMapping(m) {
  if (m.draft) {
    state.draft = m.draft;
    state.draft.fields = state.draft.fields || {};
    state.endpoint = m.draft.endpoint;
  } else {
    $("yaml").value = m.yaml;
    $("yaml-mode").checked = true;
    yamlMode();
    state.draft = { endpoint: "", fields: {}, key: "" };
  }
  for (const r of document.querySelectorAll("input[name=endpoint]")) r.checked = r.value === state.endpoint;
}

function yamlMode() { $("yaml").readOnly = !$("yaml-mode").checked; $("fields").classList.toggle("off", $("yaml-mode").checked); }

function mappingBody() {
  if ($("yaml-mode").checked) return { yaml: $("yaml").value };
  return { draft: state.draft };
}

function saveMapping() {
  saveAs(new Blob([$("yaml").value], { type: "text/yaml" }), "mapping.yaml");
}

// ---- 3. Preview ----
let previewTimer = 0;
function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(preview, 250);
}

async function preview() {
  if (!state.draft || !state.sheet) return;
  state.draft.key = $("key").value;
  try {
    const res = await api("POST", "/api/preview", mappingBody());
    if (!$("yaml-mode").checked) $("yaml").value = res.yaml;
    show("step-preview");
    show("step-plan");
    $("mapping-errors").replaceChildren(...(res.errors || []).map((e) => el("li", { text: e })));
    if (res.errors) { $("counts").textContent = "Fix the mapping problems above to see the rows."; state.checks = []; renderChecks(); $("bodies").replaceChildren(); return; }
    const c = res.counts;
    $("counts").textContent = `${plural(c.rows, "row", "rows")}: ${c.valid} valid, ${c.invalid} invalid, ${plural(c.duplicates, "duplicate", "duplicates")}`;
    state.checks = res.rows;
    renderBodies(res.rows.filter((r) => r.b));
    renderChecks();
  } catch (e) { notice(e.message); }
}

// renderBodies shows the first request bodies as a table: one row per
// sheet row, one column per field sent.
function renderBodies(rows) {
  const keys = [];
  for (const r of rows) for (const k of Object.keys(r.b)) if (!keys.includes(k)) keys.push(k);
  const cell = (v) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  const t = el("table", { class: "grid bodies" }, el("caption", { class: "sr-only", text: "The first valid rows as SalesByte will receive them" }),
    el("thead", {}, el("tr", {}, el("th", { text: "Row" }), ...keys.map((k) => el("th", { text: k })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, el("td", { text: String(r.l) }), ...keys.map((k) => el("td", { text: cell(r.b[k]) }))))));
  $("bodies").replaceChildren(el("div", { class: "tablewrap" }, t));
}

function renderChecks() {
  const f = $("row-filter").value;
  const keep = (r) => f === "all" || (f === "problems" ? r.s !== "valid" : r.s === f);
  const rows = state.checks.filter(keep);
  const limit = 500;
  $("row-filter-count").textContent = rows.length > limit ? `${rows.length} rows; the first ${limit} are shown` : plural(rows.length, "row", "rows");
  const t = $("row-checks");
  t.replaceChildren(el("thead", {}, el("tr", {}, ...["Row", "Status", "Column", "Cell", "Problem"].map((h) => el("th", { text: h })))));
  const tb = el("tbody");
  for (const r of rows.slice(0, limit)) {
    const ps = r.p && r.p.length ? r.p : [{}];
    ps.forEach((p, i) => tb.append(el("tr", { class: "status-" + r.s },
      el("td", { text: i ? "" : String(r.l) }), el("td", { text: i ? "" : r.s }),
      el("td", { text: p.column || "" }), el("td", { text: p.value || "" }), el("td", { text: p.field ? p.field + ": " + p.message : (p.message || "") }))));
  }
  t.append(tb);
}

// ---- 4. Plan ----
function target() { return document.querySelector("input[name=target]:checked").value; }

async function showPlan() {
  notice("");
  $("confirm-form").hidden = true;
  const body = Object.assign(mappingBody(), { target: target(), uuid: $("uuid").value, rate: Number($("rate").value) || 0 });
  try {
    const p = await api("POST", "/api/plan", body);
    $("uuid").value = "";
    renderPlan(p);
  } catch (e) { notice(e.message); $("plan").replaceChildren(); }
}

function renderPlan(p) {
  const lines = [p.title, "to send: " + p.toSendText];
  if (p.invalid !== "0") lines.push("invalid (not sent): " + p.invalid + "  (every problem is listed in sb_error)");
  if (p.dupes !== "0") lines.push("duplicates (skipped): " + p.dupes + "  (same key as an earlier row)");
  for (const k of p.kept || []) lines.push(`${k.status}: ${k.n}  (${k.why})`);
  for (const h of p.held || []) lines.push(h);
  for (const d of p.deliveries || []) lines.push(d);
  if (p.resumed) lines.push("resuming the unfinished run of this sheet");
  lines.push("rate: " + p.rate, "to: " + p.to);
  $("plan").replaceChildren(el("ul", {}, ...lines.map((l, i) => el("li", { text: l, class: i ? "" : "title" }))));
  $("confirm-n").textContent = String(p.toSend);
  $("confirm").value = "";
  $("send").textContent = p.confirm;
  $("send").disabled = true;
  $("send").dataset.n = String(p.toSend);
  $("send").dataset.plan = p.plan;
  $("confirm-form").hidden = false;
}

async function send(ev) {
  ev.preventDefault();
  notice("");
  try {
    await api("POST", "/api/send", { confirm: Number($("confirm").value), plan: $("send").dataset.plan });
    $("confirm-form").hidden = true;
    attach();
  } catch (e) { notice(e.message); }
}

// ---- 5. Run ----
function attach() {
  show("step-run");
  $("stop").disabled = false;
  $("step-run").scrollIntoView();
  if (state.stream) state.stream.abort();
  const ctl = new AbortController();
  state.stream = ctl;
  follow(ctl).catch((e) => { if (!ctl.signal.aborted) notice(e.message); });
}

// follow reads the server's event stream (text/event-stream frames:
// "event: progress|done" and one "data:" line of JSON) with fetch, which,
// unlike EventSource, can send the token header. A stream cut off before
// "done" (sbimport busy, the computer asleep) is opened again.
async function follow(ctl) {
  for (;;) {
    let res;
    try { res = await authed("/api/events", { signal: ctl.signal }); } catch (e) { res = null; }
    if (ctl.signal.aborted) return;
    if (res && !res.ok) throw await failure(res);
    if (res && await readEvents(res.body.getReader(), ctl)) return;
    if (ctl.signal.aborted) return;
    state.cutOff = true;
    notice("The live progress was cut off; trying again …");
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// readEvents handles each frame of the stream; true once "done" came.
async function readEvents(reader, ctl) {
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    let chunk;
    try { chunk = await reader.read(); } catch (e) { return false; }
    if (chunk.done) return false;
    buf += dec.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (ctl.signal.aborted) return true;
      if (onEvent(frame)) { ctl.abort(); if (state.stream === ctl) state.stream = null; return true; }
    }
  }
}

// onEvent shows one frame's progress; true for the last ("done").
function onEvent(frame) {
  let event = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return false;
  if (state.cutOff) { state.cutOff = false; notice(""); }
  showProgress(JSON.parse(data.join("\n")));
  if (event !== "done") return false;
  results();
  return true;
}

function showProgress(p) {
  state.target = p.target;
  $("bar").max = Math.max(p.rows, 1);
  $("bar").value = p.done;
  const c = p.counts;
  $("run-line").textContent = `${p.done} of ${p.rows} rows done: ${c.created} created, ${c.failed} failed, ${c.unknown} unknown, ${c.invalid} invalid, ${c.skipped} skipped` + (p.target === "sandbox" ? " (sandbox)" : "");
  $("run-rate").textContent = [p.rate, p.eta].filter(Boolean).join(", ");
  $("run-slowed").textContent = p.throttled ? `Slowed down by SalesByte ${p.throttled} times. ${p.slowed || ""}` : "";
  $("run-stopping").textContent = p.stopping || (p.stops && p.running ? "Stopping: no new requests; waiting for those in flight." : "");
  if (!p.running) {
    $("stop").disabled = true;
    $("summary").textContent = [p.summary, p.error].filter(Boolean).join(" ");
  }
}

async function stop() {
  try { $("run-stopping").textContent = (await api("POST", "/api/stop")).message; } catch (e) { notice(e.message); }
}

// ---- 6. Results ----
async function results() {
  show("step-results");
  try {
    const r = await api("GET", "/api/results");
    state.results = r.rows || [];
    state.resultHeader = r.header || [];
    state.output = r.output;
    $("download").textContent = "Download the output sheet (" + r.output + ")";
    renderResults();
    const unsettled = state.results.filter((x) => x.status === "unknown" || (x.status === "created" && !x.id)).length;
    $("reconcile-form").hidden = unsettled === 0;
    $("reconcile-why").textContent = plural(unsettled, "row", "rows") + " may or may not have been created (the answer was lost): reconcile asks SalesByte's Quotes API before anything is sent again.";
    $("token-box").hidden = state.target === "sandbox";
  } catch (e) { notice(e.message); }
}

async function reconcile(ev) {
  ev.preventDefault();
  notice("");
  try {
    const r = await api("POST", "/api/reconcile", { token: $("token").value });
    $("token").value = "";
    await results();
    $("reconcile-result").textContent = r.message;
  } catch (e) { notice(e.message); }
}

function renderResults() {
  const f = $("status-filter").value;
  const rows = state.results.filter((r) => !f || r.status === f);
  const t = $("results");
  t.replaceChildren(el("thead", {}, el("tr", {}, ...["Row", "Status", "SalesByte", "Error", ...state.resultHeader].map((h) => el("th", { text: h })))));
  const tb = el("tbody");
  for (const r of rows.slice(0, 1000)) {
    const links = el("td", {}, r.id ? "id " + r.id + " " : "");
    for (const l of r.links || []) links.append(el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer", text: l.name }), " ");
    const editable = ["failed", "invalid", "skipped", "new"].includes(r.status);
    tb.append(el("tr", { class: "status-" + r.status }, el("td", { text: String(r.line) }), el("td", { text: r.status }), links,
      el("td", { text: r.error || "" }), ...r.cells.map((c, i) => el("td", {}, editable ? fixInput(r, i, c) : c))));
  }
  t.append(tb);
}

// download fetches the output sheet with the token and saves it under
// its own name.
async function download() {
  notice("");
  try {
    const res = await authed("/api/output");
    if (!res.ok) throw await failure(res);
    saveAs(await res.blob(), state.output || "output");
  } catch (e) { notice(e.message); }
}

// fixInput is a cell of a row not created, editable: the fix is saved to
// the output sheet before the failed rows are sent again.
function fixInput(r, i, value) {
  const column = state.resultHeader[i];
  const key = r.line + "\u0000" + column;
  const inp = el("input", { type: "text", value: state.fixes.has(key) ? state.fixes.get(key).value : value, "aria-label": `Row ${r.line}, ${column}` });
  inp.addEventListener("input", () => { state.fixes.set(key, { line: r.line, column, value: inp.value }); $("save-fixes").hidden = false; });
  return inp;
}

async function saveFixes() {
  if (state.fixes.size === 0) return;
  const r = await api("POST", "/api/fix", { fixes: [...state.fixes.values()] });
  state.fixes.clear();
  $("save-fixes").hidden = true;
  $("reconcile-result").textContent = r.message;
}

async function resend() {
  notice("");
  try {
    await saveFixes();
    showSheet(await api("POST", "/api/resend"));
    $("step-plan").scrollIntoView();
  } catch (e) { notice(e.message); }
}

// ---- wiring ----
// wire attaches every control's handler at once, before anything is
// fetched, so nothing a person (or a test) does early is lost.
function wire() {
  $("file").addEventListener("change", () => { if ($("file").files[0]) upload($("file").files[0]); });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]); });
  for (const id of ["encoding", "delimiter", "sheetname", "headerrow"]) $(id).addEventListener("change", reformat);
  $("auto").addEventListener("click", autoMatch);
  $("mapfile").addEventListener("change", () => { if ($("mapfile").files[0]) loadMapping($("mapfile").files[0]); });
  $("save-mapping").addEventListener("click", saveMapping);
  $("key").addEventListener("change", schedulePreview);
  $("yaml-mode").addEventListener("change", () => { yamlMode(); schedulePreview(); });
  $("yaml").addEventListener("input", () => { if ($("yaml-mode").checked) schedulePreview(); });
  $("row-filter").addEventListener("change", renderChecks);
  for (const r of document.querySelectorAll("input[name=target]")) r.addEventListener("change", () => { $("uuid-box").hidden = target() !== "production"; $("rate").value = target() === "sandbox" ? 20 : 5; });
  $("rate").value = 20;
  $("show-plan").addEventListener("click", showPlan);
  $("confirm").addEventListener("input", () => { $("send").disabled = $("confirm").value.trim() !== $("send").dataset.n; });
  $("confirm-form").addEventListener("submit", send);
  $("stop").addEventListener("click", stop);
  $("status-filter").addEventListener("change", renderResults);
  $("download").addEventListener("click", download);
  $("resend").addEventListener("click", resend);
  $("save-fixes").addEventListener("click", () => saveFixes().then(results).catch((e) => notice(e.message)));
  $("reconcile-form").addEventListener("submit", reconcile);
}

async function init() {
  wire();
  takeToken();
  // The address given again in this tab (after the notice below): start
  // with its token, or, if the page had one already, load afresh.
  window.addEventListener("hashchange", () => {
    if (!takeToken()) return;
    if (state.started) location.reload(); else start().catch((e) => notice(e.message));
  });
  if (!token()) {
    notice(NO_TOKEN);
    document.body.dataset.ready = "no-token";
    return;
  }
  await start();
}

// start reads what the server holds: the fields, the import in progress.
async function start() {
  state.started = true;
  notice("");
  const [st] = await Promise.all([api("GET", "/api/state"), loadFields()]);
  $("maxmb").textContent = st.maxUploadMB;
  if (st.uuidFromEnv) $("uuid-hint").textContent = "sbimport was started with the integration uuid (SALESBYTE_UUID): leave this empty to use it. What is entered is held only in this program's memory.";
  if (st.mapping) restoreMapping(st.mapping);
  if (st.sheet && !state.sheet) showSheet(st.sheet);
  if (st.run) attach();
  document.body.dataset.ready = "1";
}

init().catch((e) => notice(e.message));
