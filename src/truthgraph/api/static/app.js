// TruthGraph web page: verify claims, upload documents, browse history.
// Plain JavaScript on the /api/v1 endpoints; text from the server is only ever set as
// textContent, never as HTML.
"use strict";

const API = "/api/v1";
const $ = (id) => document.getElementById(id);
const NLI_LABELS = { SUPPORTED: "supports", REFUTED: "refutes", NOT_ENOUGH_INFO: "neutral" };
const documentCache = new Map();
let historyOffset = 0;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const key = localStorage.getItem("truthgraph-api-key");
  if (key) headers.set("X-API-Key", key);
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(API + path, { ...options, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

function showError(id, error) {
  const node = $(id);
  node.textContent = error ? error.message || String(error) : "";
  node.hidden = !error;
}

// A form's work, with its button disabled (and its busy note shown) meanwhile; an error
// thrown goes to the form's error line.
async function whileBusy(ids, work) {
  const { button, error: errorId, busy } = ids;
  $(button).disabled = true;
  if (busy) $(busy).hidden = false;
  showError(errorId, null);
  try {
    await work();
  } catch (error) {
    showError(errorId, error);
  } finally {
    $(button).disabled = false;
    if (busy) $(busy).hidden = true;
  }
}

// views --------------------------------------------------------------------------------------

function showView() {
  const view = (location.hash || "#verify").slice(1);
  for (const name of ["verify", "check", "documents", "history"]) {
    $(`view-${name}`).hidden = name !== view;
    $(`tab-${name}`).classList.toggle("active", name === view);
  }
  if (view === "documents") loadCollections();
  if (view === "history") loadHistory(true);
}

// collections --------------------------------------------------------------------------------

async function loadCollections() {
  let data;
  try {
    data = await api("/collections");
  } catch (error) {
    showError("verify-error", error);
    return;
  }
  const select = $("collection");
  const previous = select.value || localStorage.getItem("truthgraph-collection");
  select.replaceChildren(...data.collections.map((c) => el("option", { value: c.name, text: c.name })));
  if (!data.collections.length) select.append(el("option", { value: "default", text: "default" }));
  if (previous && [...select.options].some((o) => o.value === previous)) select.value = previous;
  const checkSelect = $("check-collection");  // the Check tab offers the same list
  const checkPrevious = checkSelect.value || previous;
  checkSelect.replaceChildren(...[...select.options].map((o) => el("option", { value: o.value, text: o.text })));
  if (checkPrevious && [...checkSelect.options].some((o) => o.value === checkPrevious)) {
    checkSelect.value = checkPrevious;
  }
  $("collection-names").replaceChildren(
    ...data.collections.map((c) => el("option", { value: c.name })),
  );
  $("collections").tBodies[0].replaceChildren(
    ...data.collections.map((c) =>
      el("tr", {}, el("td", { text: c.name }), el("td", { text: c.embedding_model }),
        el("td", { text: c.documents }), el("td", { text: c.evidence })),
    ),
  );
}

// verification -------------------------------------------------------------------------------

async function verify(event) {
  event.preventDefault();
  const claim = $("claim").value.trim();
  if (!claim) return;
  const collection = $("collection").value || "default";
  localStorage.setItem("truthgraph-collection", collection);
  await whileBusy({ button: "verify-button", error: "verify-error", busy: "verify-busy" }, async () => {
    const verdict = await api("/verify", {
      method: "POST",
      json: { claim, collection, top_k: Number($("top-k").value) || 10 },
    });
    await renderVerdict(verdict);
  });
}

async function renderVerdict(verdict) {
  const badge = $("verdict");
  badge.textContent = verdict.verdict.replaceAll("_", " ");
  badge.className = `badge label-${verdict.verdict}`;
  badge.dataset.label = verdict.verdict;
  $("result-claim").textContent = verdict.claim;
  const percent = Math.round(verdict.confidence * 100);
  $("confidence-fill").style.width = `${percent}%`;
  $("confidence-bar").setAttribute("aria-valuenow", String(verdict.confidence));
  $("confidence-value").textContent = `${percent}%`;
  $("scores").textContent = Object.entries(verdict.scores)
    .map(([label, score]) => `${label.replaceAll("_", " ").toLowerCase()} ${score.toFixed(2)}`)
    .join(" · ");
  $("no-evidence").hidden = verdict.evidence.length > 0;
  const cards = await Promise.all(verdict.evidence.map(evidenceCard));
  $("evidence").replaceChildren(...cards);
  $("timings").tBodies[0].replaceChildren(
    ...Object.entries(verdict.timings_ms).map(([stage, ms]) =>
      el("tr", { "data-stage": stage }, el("th", { text: stage }), el("td", { text: `${ms.toFixed(1)} ms` })),
    ),
  );
  $("result-ids").textContent =
    verdict.claim_id ? `claim ${verdict.claim_id} · verdict ${verdict.verdict_id} · ${verdict.strategy}` : "";
  $("result").hidden = false;
}

async function documentText(id) {
  if (!documentCache.has(id)) {
    documentCache.set(id, api(`/documents/${id}`).then((d) => d.text).catch(() => null));
  }
  return documentCache.get(id);
}

// The cited sentence inside its surrounding text, the sentence itself highlighted.
async function context(evidence) {
  const node = el("p", { className: "context" });
  const text = evidence.document_id ? await documentText(evidence.document_id) : null;
  if (text && text.slice(evidence.start, evidence.end) === evidence.text) {
    const from = Math.max(0, evidence.start - 160);
    const to = Math.min(text.length, evidence.end + 160);
    node.append(
      (from > 0 ? "…" : "") + text.slice(from, evidence.start),
      el("mark", { text: evidence.text }),
      text.slice(evidence.end, to) + (to < text.length ? "…" : ""),
    );
  } else {
    node.append(el("mark", { text: evidence.text }));
  }
  return node;
}

// Where a cited sentence comes from: the URL or file it was read from, its PDF page, and the
// version of that source's content the verdict used.
function provenance(evidence) {
  const node = el("div", { className: "meta provenance" });
  // an upload's origin is "upload:<file name>", and the file name is already its source
  const origin = evidence.origin && !evidence.origin.startsWith("upload:") ? evidence.origin : null;
  if (origin && origin !== evidence.url && origin !== evidence.source) node.append(el("span", { className: "origin", text: origin }));
  if (evidence.page) node.append(el("span", { className: "page", text: `p. ${evidence.page}` }));
  if (evidence.version) {
    const read = evidence.fetched_at ? `, read ${evidence.fetched_at.slice(0, 10)}` : "";
    node.append(el("span", { className: "version", text: `version ${evidence.version}${read}` }));
  }
  return node;
}

async function evidenceCard(evidence) {
  const title = evidence.url
    ? el("a", { href: evidence.url, target: "_blank", rel: "noopener noreferrer", text: evidence.title || evidence.url })
    : el("strong", { text: evidence.title || `document ${evidence.document_id}` });
  const nli = evidence.nli;
  return el(
    "li",
    { className: `evidence-card label-${evidence.label}`, "data-label": evidence.label },
    el("div", { className: "meta" },
      title,
      el("span", { className: "source", text: evidence.source || "" }),
      el("span", { className: "nli-label", text: NLI_LABELS[evidence.label] || evidence.label }),
      el("span", { text: `similarity ${evidence.similarity.toFixed(2)}` }),
      el("span", { text: `characters ${evidence.start}–${evidence.end}` })),
    provenance(evidence),
    await context(evidence),
    el("div", { className: "meta" },
      el("span", { text: `entailment ${nli.entailment.toFixed(2)}` }),
      el("span", { text: `neutral ${nli.neutral.toFixed(2)}` }),
      el("span", { text: `contradiction ${nli.contradiction.toFixed(2)}` })),
  );
}

// check a text -------------------------------------------------------------------------------

function checkingDocuments() {
  return $("check-against-documents").checked;
}

function showAgainst() {
  $("check-documents-fields").hidden = !checkingDocuments();
  $("check-collection").disabled = checkingDocuments();
}

// The pasted documents (split at lines holding only ---) and the URLs, one a line.
function givenDocuments() {
  const texts = $("check-documents").value.split(/^\s*---\s*$/m).map((t) => t.trim()).filter(Boolean);
  const urls = $("check-document-urls").value.split("\n").map((u) => u.trim()).filter(Boolean);
  return { texts, urls, files: [...$("check-document-files").files] };
}

async function checkText(event) {
  event.preventDefault();
  const collection = $("check-collection").value || "default";
  const file = $("check-file").files[0];
  const text = $("check-text").value;
  const labels = $("check-labels").value;
  const against = checkingDocuments() ? givenDocuments() : null;
  await whileBusy({ button: "check-button", error: "check-error", busy: "check-busy" }, async () => {
    let report;
    if (against && !against.texts.length && !against.urls.length && !against.files.length) {
      throw new Error("give at least one document to check against (paste it, a URL or a file)");
    }
    if (against && (file || against.files.length)) {
      const form = new FormData();
      if (file) form.append("file", file);
      else form.append("text", text);
      for (const each of against.files) form.append("document", each);
      for (const each of against.texts) form.append("document_text", each);
      for (const each of against.urls) form.append("document_url", each);
      form.append("labels", labels);
      report = await api("/check", { method: "POST", body: form });
    } else if (against) {
      const documents = [...against.texts.map((t) => ({ text: t })), ...against.urls.map((u) => ({ url: u }))];
      report = await api("/check", { method: "POST", json: { text, documents, labels } });
    } else if (file) {
      const form = new FormData();
      form.append("file", file);
      form.append("collection", collection);
      form.append("labels", labels);
      report = await api("/check", { method: "POST", body: form });
    } else {
      report = await api("/check", { method: "POST", json: { text, collection, labels } });
    }
    if (report.kind === "check") {  // a long text: a job
      const job = await followCheck(report.id);
      if (job.status !== "succeeded") throw new Error(job.error || `the check ${job.status}`);
      report = job.result;
    }
    renderCheck(report);
  });
}

async function followCheck(id) {
  for (;;) {
    const job = await api(`/jobs/${id}?items_limit=0`);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

function renderCheck(report) {
  const score = report.factuality === null ? "n/a" : `${Math.round(report.factuality * 100)}%`;
  $("check-summary").textContent =
    `${report.verdict.replaceAll("_", " ")} · factuality ${score} (${report.claims} claims) · ` +
    `${report.sentences_checked} of ${report.sentences.length} sentences checked`;
  const view = $("check-text-view");
  view.replaceChildren();
  let cursor = 0;
  for (const sentence of report.sentences) {
    if (!sentence.checked) continue;
    view.append(report.text.slice(cursor, sentence.start));
    const mark = el("mark", {
      className: `label-${sentence.verdict}`,
      "data-verdict": sentence.verdict,
      title: sentence.verdict,
      text: report.text.slice(sentence.start, sentence.end),
    });
    mark.addEventListener("click", () => showSentence(mark, sentence));
    view.append(mark);
    cursor = sentence.end;
  }
  view.append(report.text.slice(cursor));
  $("check-details").replaceChildren(el("p", { text: "Click a highlighted sentence for its claims and evidence." }));
  $("check-result").hidden = false;
}

function showSentence(mark, sentence) {
  for (const other of document.querySelectorAll("#check-text-view mark.selected")) {
    other.classList.remove("selected");
  }
  mark.classList.add("selected");
  const details = $("check-details");
  details.replaceChildren(el("h2", { text: sentence.verdict.replaceAll("_", " ") }));
  for (const claim of sentence.claims) {
    const card = el("div", { className: "claim" },
      el("span", { className: `badge label-${claim.verdict}`, text: claim.verdict.replaceAll("_", " ") }),
      ` ${claim.text}`);
    for (const evidence of claim.evidence) {
      card.append(el("div", { className: "evidence",
        text: `${NLI_LABELS[evidence.label]} · ${evidence.title || evidence.source || ""}: ${evidence.text}`
          + (evidence.read_with ? ` (read after: ${evidence.read_with})` : "") }));
    }
    details.append(card);
  }
}

// documents ----------------------------------------------------------------------------------

function showProgress(job) {
  $("ingest").hidden = false;
  $("ingest-progress").value = job.progress;
  let status = `${job.status}: ${job.done} of ${job.total} documents`;
  if (job.result) {
    status += ` — ${job.result.documents_added} added, ${job.result.documents_skipped} already present, ${job.result.sentences_added} sentences`;
  }
  if (job.error) status += ` — ${job.error}`;
  $("ingest-status").textContent = status;
  $("ingest-status").dataset.status = job.status;
}

async function followJob(id) {
  for (;;) {
    const job = await api(`/jobs/${id}?items_limit=0`);
    showProgress(job);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

async function upload(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("collection", $("upload-collection").value.trim() || "default");
  form.append("file", file, file.name);
  await whileBusy({ button: "upload-button", error: "upload-error" }, async () => {
    const job = await api("/documents", { method: "POST", body: form });
    showProgress(job);
    await followJob(job.id);
    await loadCollections();
  });
}

async function addUrl(event) {
  event.preventDefault();
  await whileBusy({ button: "url-button", error: "upload-error" }, async () => {
    $("ingest").hidden = false;
    $("ingest-progress").removeAttribute("value");
    $("ingest-status").textContent = "fetching…";
    $("ingest-status").dataset.status = "running";
    try {
      const created = await api("/documents", {
        method: "POST",
        json: {
          collection: $("url-collection").value.trim() || "default",
          url: $("url-address").value.trim(),
        },
      });
      const doc = created.document;
      $("ingest-progress").value = 1;
      const version = doc.version ? ` version ${doc.version}` : "";
      $("ingest-status").textContent = created.created
        ? `stored "${doc.title || doc.url}"${version} as document ${doc.id} (${created.sentences_added} sentences)`
        : `unchanged: already stored as document ${doc.id}${version}`;
      $("ingest-status").dataset.status = "succeeded";
      await loadCollections();
    } catch (error) {
      $("ingest").hidden = true;
      throw error;
    }
  });
}

async function addText(event) {
  event.preventDefault();
  await whileBusy({ button: "text-button", error: "upload-error" }, async () => {
    const created = await api("/documents", {
      method: "POST",
      json: {
        collection: $("text-collection").value.trim() || "default",
        title: $("text-title").value.trim() || null,
        text: $("text-body").value,
      },
    });
    $("ingest").hidden = false;
    $("ingest-progress").value = 1;
    $("ingest-status").textContent = created.created
      ? `stored as document ${created.document.id} (${created.sentences_added} sentences)`
      : `already stored as document ${created.document.id}`;
    await loadCollections();
  });
}

// history ------------------------------------------------------------------------------------

async function loadHistory(fresh) {
  if (fresh) historyOffset = 0;
  const query = $("history-query").value.trim();
  const params = new URLSearchParams({ limit: "20", offset: String(historyOffset) });
  if (query) params.set("query", query);
  showError("history-error", null);
  let page;
  try {
    page = await api(`/claims?${params}`);
  } catch (error) {
    showError("history-error", error);
    return;
  }
  const rows = page.items.map((item) => {
    const row = el("tr", { "data-claim-id": item.claim_id },
      el("td", { text: item.claim }),
      el("td", {}, el("span", { className: `badge label-${item.verdict}`, text: item.verdict.replaceAll("_", " ") })),
      el("td", { text: `${Math.round(item.confidence * 100)}%` }),
      el("td", { text: item.collection }),
      el("td", { text: new Date(item.created_at).toLocaleString() }));
    row.addEventListener("click", () => openClaim(item.claim_id));
    return row;
  });
  const body = $("history").tBodies[0];
  if (fresh) body.replaceChildren(...rows);
  else body.append(...rows);
  historyOffset += page.items.length;
  $("history-more").hidden = historyOffset >= page.total;
}

async function openClaim(id) {
  location.hash = "#verify";
  try {
    await renderVerdict(await api(`/claims/${id}`));
  } catch (error) {
    showError("verify-error", error);
  }
}

// start --------------------------------------------------------------------------------------

function start() {
  $("api-key").value = localStorage.getItem("truthgraph-api-key") || "";
  $("api-key").addEventListener("change", (e) => {
    const value = e.target.value.trim();
    if (value) localStorage.setItem("truthgraph-api-key", value);
    else localStorage.removeItem("truthgraph-api-key");
  });
  $("verify-form").addEventListener("submit", verify);
  $("check-form").addEventListener("submit", checkText);
  for (const radio of document.querySelectorAll('input[name="check-against"]')) {
    radio.addEventListener("change", showAgainst);
  }
  showAgainst();
  $("upload-form").addEventListener("submit", upload);
  $("url-form").addEventListener("submit", addUrl);
  $("text-form").addEventListener("submit", addText);
  $("history-form").addEventListener("submit", (e) => { e.preventDefault(); loadHistory(true); });
  $("history-more").addEventListener("click", () => loadHistory(false));
  window.addEventListener("hashchange", showView);
  loadCollections();
  showView();
  document.body.dataset.ready = "true";
}

start();
