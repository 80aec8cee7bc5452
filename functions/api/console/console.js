// payrail's web console: plain JS over the public API, from the page's own origin. The admin
// token and the merchant key live in this tab's sessionStorage, are sent as headers
// (Authorization: Bearer / X-API-Key) and never appear in a URL. Everything the API returns is put
// in the page as text (textContent), never as markup. Charts are SVG drawn here.
"use strict";

const BASE = location.pathname.replace(/\/console\/?$/, "");
const STORE = { admin: "payrail.console.admin", merchant: "payrail.console.merchant" };
const EXPONENT = { USD: 2, EUR: 2, GBP: 2, INR: 2, GHS: 2, PKR: 2, JPY: 0, KWD: 3 };
const PAYOUT_STATUSES = ["PENDING", "IN_REVIEW", "PROCESSING", "ON_HOLD", "SUCCEEDED", "FAILED", "CANCELLED"];
const PAYMENT_STATUSES = ["INITIATED", "VALIDATING", "PENDING", "PROCESSING", "CONFIRMED", "FAILED", "EXPIRED",
  "REFUNDED", "CANCELLED"];
const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "CONFIRMED", "EXPIRED", "REFUNDED", "COMPLETED"]);
const GOOD = new Set(["SUCCEEDED", "CONFIRMED", "COMPLETED", "RESOLVED", "SUCCESS", "DELIVERED", "delivered", "succeeded", "accepted", "enabled"]);
const BAD = new Set(["FAILED", "EXPIRED", "CANCELLED", "FAILURE", "REJECTED", "failed", "declined", "disabled"]);
const PAGE_LIMIT = 100;  // the API's largest page
const MAX_PAGES = 5;     // a list reads at most this many pages
const POLL_MS = 1000;

// ---- session and API ------------------------------------------------------------------------
const creds = () => ({ admin: sessionStorage.getItem(STORE.admin) || "", merchant: sessionStorage.getItem(STORE.merchant) || "" });
const isAdmin = () => !!creds().admin;
const isMerchant = () => !!creds().merchant;

class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || (body && body.message) || `HTTP ${status}`);
    this.status = status; this.code = e.code; this.param = e.param;
  }
}

/** Call the API as "admin" or "merchant": returns the JSON body, throws ApiError on a non-2xx. */
async function api(as, method, path, { query, body } = {}) {
  const url = new URL(BASE + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  const headers = { Accept: "application/json" };
  if (as === "admin") headers.Authorization = `Bearer ${creds().admin}`;
  else headers["X-API-Key"] = creds().merchant;
  const init = { method, headers, credentials: "omit", cache: "no-store" };
  if (method === "POST" || method === "DELETE") {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = crypto.randomUUID();
    init.body = JSON.stringify(body || {});
  }
  const resp = await fetch(url, init);
  let data = null;
  try { data = await resp.json(); } catch (_) { /* no JSON body */ }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** Up to MAX_PAGES pages of a merchant list route (newest first, cursor starting_after). */
async function merchantList(path, query, idField) {
  const out = [];
  let after;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api("merchant", "GET", path, { query: { ...query, limit: PAGE_LIMIT, starting_after: after } });
    out.push(...page.data);
    if (!page.has_more || !page.data.length) break;
    after = page.data[page.data.length - 1][idField];
  }
  return out;
}

/** Up to MAX_PAGES pages of an admin list route (oldest first; the next page starts at the last
 * created_at, so one object may come twice: kept once). */
async function adminList(path, query, idField) {
  const seen = new Map();
  let from = query.created_from;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api("admin", "GET", path, { query: { ...query, created_from: from, limit: PAGE_LIMIT } });
    const before = seen.size;
    for (const o of page.data) seen.set(o[idField], o);
    if (!page.has_more || seen.size === before) break;
    from = page.data[page.data.length - 1].created_at;
  }
  return [...seen.values()];
}

// ---- DOM helpers ----------------------------------------------------------------------------
/** Element ``tag`` with attributes (on* as listeners) and children (strings become text). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** ``amount`` minor units of ``currency`` as text, without floating point: 123456 USD -> "1,234.56 USD". */
function money(amount, currency) {
  if (amount === undefined || amount === null) return "—";
  const e = EXPONENT[currency] ?? 2;
  const neg = amount < 0;
  const digits = String(Math.abs(amount)).padStart(e + 1, "0");
  const whole = digits.slice(0, digits.length - e).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}${whole}${e ? "." + digits.slice(digits.length - e) : ""} ${currency}`;
}
const when = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "—");
const badge = (status) => h("span", { class: `badge ${GOOD.has(status) ? "good" : BAD.has(status) ? "bad" : "open"}`, "data-status": status }, status || "—");
const todayUtc = () => new Date().toISOString().slice(0, 10);

function table(columns, rows, onRow) {
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map(([title]) => h("th", {}, title)))),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", onRow ? { class: "link", onclick: () => onRow(r) } : {},
      columns.map(([, cell]) => h("td", {}, cell(r))))) : h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, "nothing here"))));
}
function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v instanceof Node ? v : typeof v === "object" ? json(v) : String(v))]));
}
const json = (v) => h("pre", { class: "json" }, JSON.stringify(v, null, 2));
const card = (title, ...body) => h("section", { class: "card" }, h("h2", {}, title), ...body);
const errorLine = (e) => h("p", { class: "error", role: "alert" }, e.message || String(e));
const needs = (what) => h("p", { class: "hint" }, `Sign in with ${what} to see this.`);

// ---- charts (inline SVG) --------------------------------------------------------------------
const COLORS = { good: "#2f9e44", bad: "#e03131", open: "#1c7ed6" };
function colorOf(label) { return GOOD.has(label) ? COLORS.good : BAD.has(label) ? COLORS.bad : COLORS.open; }

/** Horizontal bars: ``rows`` [{label, value, text?, color?}], ``max`` the full width's value. */
function bars(rows, { max, title } = {}) {
  const W = 520, rowH = 26, labelW = 150, textW = 120;
  const top = Math.max(1, max ?? Math.max(0, ...rows.map((r) => r.value)));
  const svg = s("svg", { viewBox: `0 0 ${W} ${Math.max(1, rows.length) * rowH + 4}`, class: "chart", role: "img", "aria-label": title || "chart" });
  if (!rows.length) svg.append(s("text", { x: 0, y: 18, class: "muted" }, "no data yet"));
  rows.forEach((r, i) => {
    const y = i * rowH + 2, w = Math.round(((W - labelW - textW) * r.value) / top);
    svg.append(s("text", { x: 0, y: y + 17 }, r.label),
      s("rect", { x: labelW, y: y + 4, width: Math.max(w, r.value ? 2 : 0), height: rowH - 8, rx: 3, fill: r.color || colorOf(r.label) }),
      s("text", { x: labelW + w + 6, y: y + 17, class: "muted" }, r.text ?? String(r.value)));
  });
  return svg;
}

function counts(items, key) {
  const m = new Map();
  for (const o of items) m.set(o[key] ?? "—", (m.get(o[key] ?? "—") || 0) + 1);
  return m;
}

// ---- pages ----------------------------------------------------------------------------------
let timers = [];
function every(ms, fn) { const t = setInterval(fn, ms); timers.push(t); return t; }
function stopTimers() { timers.forEach(clearInterval); timers = []; }

async function overview(main) {
  main.append(h("h1", {}, "Overview"));
  const grid = h("div", { class: "grid" });
  main.append(grid);
  const from = `${todayUtc()}T00:00:00Z`;
  const tasks = [];
  if (isMerchant()) {
    const bal = card("Balances per currency");
    grid.append(bal);
    tasks.push((async () => {
      const all = await Promise.all(Object.keys(EXPONENT).map((c) => api("merchant", "GET", "/v1/balances", { query: { currency: c } })));
      const used = all.filter((b) => b.available || b.held || b.pending || b.reserved);
      bal.append(used.length ? table([["Currency", (b) => b.currency], ["Available", (b) => money(b.available, b.currency)],
        ["Held", (b) => money(b.held, b.currency)], ["Pending", (b) => money(b.pending, b.currency)],
        ["Reserved", (b) => money(b.reserved, b.currency)]], used) : h("p", { class: "hint" }, "no money in any currency yet"));
    })().catch((e) => bal.append(errorLine(e))));
  }
  const vol = card("Today's volumes (UTC)"), po = card("Payout outcomes today"), pm = card("Payment outcomes today"),
    rates = card("Provider success rates today");
  grid.append(vol, po, pm, rates);
  tasks.push((async () => {
    const [payouts, payments] = isAdmin()
      ? await Promise.all([adminList("/v1/admin/payouts", { created_from: from }, "payout_id"),
        adminList("/v1/admin/payments", { created_from: from }, "payment_id")])
      : await Promise.all([merchantList("/v1/payouts", { created_from: from }, "payout_id"),
        merchantList("/v1/payments", { created_from: from }, "payment_id")]);
    const byCurrency = new Map();
    for (const [kind, list] of [["payouts", payouts], ["payments", payments]]) {
      for (const o of list) {
        const k = `${kind} ${o.currency}`;
        const v = byCurrency.get(k) || { kind, currency: o.currency, count: 0, amount: 0 };
        v.count += 1; v.amount += o.amount; byCurrency.set(k, v);
      }
    }
    const vrows = [...byCurrency.values()];
    vol.append(table([["", (v) => v.kind], ["Currency", (v) => v.currency], ["Count", (v) => v.count], ["Amount", (v) => money(v.amount, v.currency)]], vrows));
    const outcome = (list, statuses) => statuses.map((st) => ({ label: st, value: list.filter((o) => o.status === st).length }))
      .filter((r) => r.value);
    po.append(bars(outcome(payouts, PAYOUT_STATUSES), { title: "payouts by status" }));
    pm.append(bars(outcome(payments, PAYMENT_STATUSES), { title: "payments by status" }));
    const perProvider = new Map();
    const tally = (provider, ok) => {
      if (!provider) return;
      const v = perProvider.get(provider) || { ok: 0, done: 0 };
      v.done += 1; v.ok += ok ? 1 : 0; perProvider.set(provider, v);
    };
    for (const p of payouts) if (p.status === "SUCCEEDED" || p.status === "FAILED") tally(p.provider, p.status === "SUCCEEDED");
    for (const p of payments) if (["CONFIRMED", "FAILED", "EXPIRED"].includes(p.status)) tally(p.provider, p.status === "CONFIRMED");
    rates.append(bars([...perProvider].map(([label, v]) => ({ label, value: Math.round((100 * v.ok) / v.done),
      text: `${Math.round((100 * v.ok) / v.done)}% of ${v.done}`, color: v.ok * 10 >= v.done * 9 ? COLORS.good : COLORS.bad })),
    { max: 100, title: "success rate per provider" }),
    h("p", { class: "hint" }, "Succeeded or confirmed among the payouts and payments that reached a final outcome."));
  })().catch((e) => vol.append(errorLine(e))));
  if (isAdmin()) {
    const q = card("Queues and dead-letter queues"), holds = card("Holds open for over an hour");
    grid.append(q, holds);
    tasks.push(api("admin", "GET", "/v1/admin/queues").then((r) => q.append(table([["Queue", (x) => x.queue],
      ["Visible", (x) => x.messages], ["In flight", (x) => x.in_flight], ["DLQ", (x) => (x.dlq ? x.dlq.messages : "—")]], r.data)))
      .catch((e) => q.append(errorLine(e))));
    tasks.push(api("admin", "GET", "/v1/admin/holds", { query: { older_than_seconds: 3600, limit: PAGE_LIMIT } }).then((r) =>
      holds.append(h("p", { class: "big" }, `${r.data.length}${r.has_more ? "+" : ""}`),
        h("p", { class: "hint" }, r.oldest_age_seconds === null ? "none" : `oldest ${Math.round(r.oldest_age_seconds / 60)} min`)))
      .catch((e) => holds.append(errorLine(e))));
  }
  await Promise.all(tasks);
}

function selectOf(id, values, current, all = "any") {
  return h("select", { id }, h("option", { value: "" }, all), values.map((v) => h("option", { value: v, selected: v === current }, v)));
}

async function payouts(main, params) {
  main.append(h("h1", {}, "Payouts"));
  const f = { status: params.get("status") || "", provider: params.get("provider") || "", from: params.get("from") || "",
    to: params.get("to") || "", reference: params.get("reference") || "" };
  const form = h("form", { class: "filters", id: "payout-filters", onsubmit: (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ["status", "provider", "from", "to", "reference"]) { const v = form.querySelector(`#f-${k}`).value; if (v) q.set(k, v); }
    location.hash = `#/payouts?${q}`;
  } },
  h("label", {}, "Status ", selectOf("f-status", PAYOUT_STATUSES, f.status)),
  h("label", {}, "Provider ", h("input", { id: "f-provider", value: f.provider, size: 12, list: "providers" })),
  h("datalist", { id: "providers" }),
  h("label", {}, "From ", h("input", { id: "f-from", type: "date", value: f.from })),
  h("label", {}, "To ", h("input", { id: "f-to", type: "date", value: f.to })),
  h("label", {}, "Reference ", h("input", { id: "f-reference", value: f.reference, size: 16 })),
  h("button", { type: "submit" }, "Filter"));
  main.append(form);
  const query = { status: f.status, created_from: f.from, created_to: f.to && `${f.to}T23:59:59.999999Z` };
  let list = isAdmin() ? await adminList("/v1/admin/payouts", query, "payout_id")
    : await merchantList("/v1/payouts", { ...query, merchant_reference: f.reference }, "payout_id");
  if (isAdmin()) list.reverse();  // newest first, as the merchant's list
  form.querySelector("#providers").replaceChildren(...[...new Set(list.map((p) => p.provider).filter(Boolean))].sort()
    .map((v) => h("option", { value: v })));
  if (f.provider) list = list.filter((p) => p.provider === f.provider);
  if (f.reference) list = list.filter((p) => (p.merchant_reference || "").includes(f.reference));
  main.append(h("p", { class: "hint" }, `${list.length} payout${list.length === 1 ? "" : "s"}`),
    table([["Created", (p) => when(p.created_at)], ["Payout", (p) => p.payout_id], ["Merchant", (p) => p.merchant_id],
      ["Amount", (p) => money(p.amount, p.currency)], ["Status", (p) => badge(p.status)], ["Provider", (p) => p.provider || "—"],
      ["Reference", (p) => p.merchant_reference || "—"]], list, (p) => { location.hash = `#/payout/${p.merchant_id}/${p.payout_id}`; }));
}

function timeline(entries) {
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return h("ol", { class: "timeline" }, entries.map((e) => h("li", { class: e.kind },
    h("time", {}, when(e.at)), " ", h("span", { class: "kind" }, e.kind), " ", e.what, e.detail ? h("span", { class: "detail" }, ` — ${e.detail}`) : null)));
}

async function payoutJournals(p) {
  // the merchant's postings whose journal is this payout's (journal ids start with the payout id)
  const out = [];
  for (const account of ["available", "held"]) {
    let after;
    for (let i = 0; i < 3; i++) {
      const page = await api("merchant", "GET", "/v1/balances/history", { query: { currency: p.currency, account, limit: PAGE_LIMIT, starting_after: after } });
      out.push(...page.data.filter((x) => x.journal_id.startsWith(`${p.payout_id}:`)).map((x) => ({ ...x, account })));
      if (!page.has_more || !page.data.length || page.data[page.data.length - 1].created_at < p.created_at) break;
      after = page.data[page.data.length - 1].seq;
    }
  }
  return out.sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
}

async function payoutDetail(main, [mid, pid]) {
  const get = () => (isAdmin() ? api("admin", "GET", `/v1/admin/merchants/${encodeURIComponent(mid)}/payouts/${encodeURIComponent(pid)}`)
    : api("merchant", "GET", `/v1/payouts/${encodeURIComponent(pid)}`));
  const box = h("div", { id: "payout-detail" });
  main.append(h("p", {}, h("a", { href: "#/payouts" }, "← payouts")), box);
  const render = (p, note) => {
    box.replaceChildren();
    const actions = h("div", { class: "actions" });
    const act = (label, run, cls) => h("button", { type: "button", class: cls, id: `act-${label.toLowerCase()}`, onclick: async (ev) => {
      ev.target.disabled = true;
      try { render(await run(), null); } catch (e) { render(p, e); }
    } }, label);
    const decide = (what) => () => api("admin", "POST", `/v1/admin/merchants/${encodeURIComponent(mid)}/payouts/${encodeURIComponent(pid)}/${what}`,
      { body: box.querySelector("#decision-note").value ? { note: box.querySelector("#decision-note").value } : {} });
    if (isAdmin() && (p.status === "IN_REVIEW" || p.status === "ON_HOLD")) {
      actions.append(h("input", { id: "decision-note", placeholder: "note (optional)", maxlength: 300 }),
        act("Approve", decide("approve"), "primary"), act("Reject", decide("reject"), "danger"));
    }
    if (isMerchant() && ["PENDING", "IN_REVIEW", "ON_HOLD"].includes(p.status)) actions.append(act("Cancel", () => api("merchant", "POST", `/v1/payouts/${pid}/cancel`, { body: {} })));
    if (isMerchant() && p.status === "FAILED") actions.append(act("Reinitiate", () => api("merchant", "POST", `/v1/payouts/${pid}/reinitiate`, { body: {} })));
    const entries = [
      ...(p.status_history || []).map((x) => ({ at: x.at, kind: "status", what: badge(x.status), detail: x.detail })),
      ...(p.attempts || []).map((x) => ({ at: x.at, kind: "attempt", what: `#${x.number} (run ${x.run}) ${x.result}`,
        detail: [x.detail, x.provider_reference && `ref ${x.provider_reference}`].filter(Boolean).join(" · ") })),
    ];
    append(box, [h("h1", {}, "Payout ", h("code", {}, p.payout_id), " ", badge(p.status)),
      note ? errorLine(note) : null, actions,
      h("div", { class: "grid" },
        card("Payout", facts([["Merchant", p.merchant_id], ["Amount", money(p.amount, p.currency)], ["Reference", p.merchant_reference],
          ["Beneficiary", p.beneficiary_id], ["Provider", p.provider], ["Provider status", p.provider_status],
          ["Provider reference", p.provider_reference], ["Transfer", p.transfer_id], ["Run", p.run],
          ["Review", [p.review_decision, p.review_reason].filter(Boolean).join(": ")], ["Hold reason", p.hold_reason],
          ["Failure", p.failure_reason], ["Last error", p.last_error], ["Created", when(p.created_at)], ["Updated", when(p.updated_at)]])),
        card("Timeline", timeline(entries)),
        card("Provider answers", table([["#", (x) => x.number], ["Run", (x) => x.run], ["At", (x) => when(x.at)], ["Result", (x) => badge(x.result)],
          ["Answer", (x) => x.detail || "—"], ["Provider ref", (x) => x.provider_reference || "—"]], p.attempts || [])),
        isMerchant() ? card("Journals", h("div", { id: "journals" }, "…")) : null)]);
    if (isMerchant()) {
      payoutJournals(p).then((rows) => box.querySelector("#journals").replaceChildren(table([["Journal", (x) => h("span", { title: x.journal_id }, x.journal_id.slice(p.payout_id.length + 1))],
        ["Type", (x) => x.type], ["Account", (x) => x.account], ["Amount", (x) => money(x.amount, x.currency)],
        ["Balance after", (x) => money(x.balance_after, x.currency)], ["At", (x) => when(x.created_at)]], rows)))
        .catch((e) => box.querySelector("#journals").replaceChildren(errorLine(e)));
    }
    if (!FINAL.has(p.status) && p.status !== "IN_REVIEW" && p.status !== "ON_HOLD" && !timers.length) {
      every(POLL_MS * 2, async () => { const q = await get().catch(() => null); if (q && q.status !== p.status) { stopTimers(); render(q, null); } });
    } else if (FINAL.has(p.status)) stopTimers();
  };
  render(await get(), null);
}

async function reviews(main) {
  main.append(h("h1", {}, "Review queue"));
  if (!isAdmin()) { main.append(needs("the admin token")); return; }
  const list = [];
  for (const status of ["IN_REVIEW", "ON_HOLD"]) list.push(...await adminList("/v1/admin/payouts", { status }, "payout_id"));
  list.sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
  const decide = (p, what) => async (ev) => {
    ev.stopPropagation(); ev.target.disabled = true;
    try {
      await api("admin", "POST", `/v1/admin/merchants/${p.merchant_id}/payouts/${p.payout_id}/${what}`, { body: {} });
      route();
    } catch (e) { main.prepend(errorLine(e)); }
  };
  main.append(h("p", { class: "hint" }, "IN_REVIEW and ON_HOLD payouts, oldest first; click one for its timeline."),
    table([["Created", (p) => when(p.created_at)], ["Payout", (p) => p.payout_id], ["Merchant", (p) => p.merchant_id],
      ["Amount", (p) => money(p.amount, p.currency)], ["Status", (p) => badge(p.status)], ["Why", (p) => p.review_reason || p.hold_reason || "—"],
      ["", (p) => [h("button", { type: "button", class: "primary", onclick: decide(p, "approve") }, "Approve"), " ",
        h("button", { type: "button", class: "danger", onclick: decide(p, "reject") }, "Reject")]]],
    list, (p) => { location.hash = `#/payout/${p.merchant_id}/${p.payout_id}`; }));
}

async function payments(main, params) {
  main.append(h("h1", {}, "Payments"));
  const status = params.get("status") || "";
  main.append(h("form", { class: "filters", onsubmit: (ev) => { ev.preventDefault(); const v = main.querySelector("#p-status").value; location.hash = `#/payments${v ? "?status=" + v : ""}`; } },
    h("label", {}, "Status ", selectOf("p-status", PAYMENT_STATUSES, status)), h("button", { type: "submit" }, "Filter")));
  const list = isAdmin() ? (await adminList("/v1/admin/payments", { status }, "payment_id")).reverse()
    : await merchantList("/v1/payments", { status }, "payment_id");
  main.append(table([["Created", (p) => when(p.created_at)], ["Payment", (p) => p.payment_id], ["Merchant", (p) => p.merchant_id],
    ["Amount", (p) => money(p.amount, p.currency)], ["Network", (p) => p.network || "—"], ["Provider", (p) => p.provider || "—"],
    ["Risk", (p) => (p.risk ? (p.risk.level || p.risk.score || "checked") : "—")], ["Failovers", (p) => (p.failovers || []).length],
    ["Status", (p) => badge(p.status)]], list, (p) => { location.hash = `#/payment/${p.merchant_id}/${p.payment_id}`; }));
}

async function paymentDetail(main, [mid, id]) {
  const p = isAdmin() ? await api("admin", "GET", `/v1/admin/merchants/${encodeURIComponent(mid)}/payments/${encodeURIComponent(id)}`)
    : await api("merchant", "GET", `/v1/payments/${encodeURIComponent(id)}`);
  const yes = (b) => (b ? "yes" : "no");
  const entries = [
    ...(p.status_history || []).map((x) => ({ at: x.at, kind: "status", what: badge(x.status), detail: x.detail })),
    ...(p.attempts || []).map((x) => ({ at: x.at, kind: "attempt", what: `#${x.number} ${x.provider} ${x.result}`, detail: x.detail })),
    ...(p.failovers || []).map((x) => ({ at: x.at, kind: "failover", what: `${x.from_provider} → ${x.to_provider}`, detail: x.why })),
  ];
  const r = p.route;
  append(main, [h("p", {}, h("a", { href: "#/payments" }, "← payments")),
    h("h1", {}, "Payment ", h("code", {}, p.payment_id), " ", badge(p.status)),
    h("div", { class: "grid" },
      card("Payment", facts([["Merchant", p.merchant_id], ["Amount", money(p.amount, p.currency)], ["Fee", money(p.fee, p.currency)],
        ["Network", p.network], ["Provider", p.provider], ["Provider status", p.provider_status], ["Provider reference", p.provider_reference],
        ["Failure", p.failure_reason], ["Late provider status", p.late_provider_status], ["Created", when(p.created_at)],
        ["Confirmed", p.confirmed_at && when(p.confirmed_at)], ["Expires", when(p.expires_at)]])),
      card("Risk", p.risk ? [facts([["Decision", badge(p.risk.decision === "accept" ? "accepted" : "declined")], ["Score", p.risk.score]]),
        table([["Rule", (x) => x.rule], ["Score", (x) => x.score], ["Detail", (x) => x.detail]], p.risk.reasons || [])]
        : h("p", { class: "hint" }, "no risk assessment")),
      card("Route", r ? facts([["Provider", r.provider], ["Why", r.why], ["On net", yes(r.on_net)], ["Fee", money(r.fee, p.currency)],
        ["Score", r.score], ["Explored", yes(r.explored)], ["Failovers", r.failover], ["Order", (p.route_order || []).join(" → ")]])
        : h("p", { class: "hint" }, "not routed yet"),
      h("h3", {}, "Candidates"), table([["#", (c) => c.rank ?? "—"], ["Provider", (c) => c.provider], ["Score", (c) => c.score],
        ["Reliability", (c) => `${c.reliability_pct}%`], ["Fee", (c) => money(c.fee, p.currency)], ["On net", (c) => yes(c.on_net)],
        ["Healthy", (c) => yes(c.healthy)], ["Eligible", (c) => yes(c.eligible)]], p.candidates || [])),
      card("Failovers", table([["At", (x) => when(x.at)], ["From", (x) => x.from_provider], ["To", (x) => x.to_provider], ["Why", (x) => x.why]],
        p.failovers || [])),
      card("Timeline", timeline(entries)))]);
}

async function webhooks(main, params) {
  main.append(h("h1", {}, "Webhook endpoints"));
  if (!isMerchant()) { main.append(needs("a merchant API key")); return; }
  const endpoints = await merchantList("/v1/webhook_endpoints", {}, "endpoint_id");
  const chosen = params.get("endpoint") || (endpoints[0] && endpoints[0].endpoint_id);
  main.append(table([["Endpoint", (e) => e.endpoint_id], ["URL", (e) => e.url], ["Status", (e) => badge(e.status)],
    ["Events", (e) => (e.enabled_events || []).join(", ")], ["Failing since", (e) => when(e.failing_since)]],
  endpoints, (e) => { location.hash = `#/webhooks?endpoint=${e.endpoint_id}`; }));
  if (!chosen) return;
  const out = h("p", { class: "hint", role: "status" });
  const rows = h("div", {});
  const load = async () => {
    const page = await api("merchant", "GET", `/v1/webhook_endpoints/${encodeURIComponent(chosen)}/attempts`, { query: { limit: 50 } });
    rows.replaceChildren(table([["At", (a) => when(a.at)], ["Event", (a) => a.event_id],
      ["Attempt", (a) => a.attempt], ["Outcome", (a) => badge(a.outcome)], ["HTTP", (a) => a.status_code ?? "—"],
      ["Latency", (a) => `${a.latency_ms} ms`], ["Answer", (a) => a.error || a.response_excerpt || "—"],
      ["", (a) => h("button", { type: "button", onclick: async (ev) => {
        ev.target.disabled = true;
        try { await api("merchant", "POST", `/v1/events/${a.event_id}/redeliver`, { body: { endpoint_id: chosen } }); out.textContent = `${a.event_id} queued for redelivery`; } catch (e) { out.textContent = e.message; }
      } }, "Redeliver")]], page.data));
  };
  await load();
  main.append(card(`Delivery attempts to ${chosen}`, h("p", { class: "hint" }, "newest first; read again every few seconds"), out, rows));
  every(POLL_MS * 3, () => load().catch((e) => { out.textContent = e.message; }));
}

async function events(main, params) {
  main.append(h("h1", {}, "Events"));
  if (!isMerchant()) { main.append(needs("a merchant API key")); return; }
  const type = params.get("type") || "";
  main.append(h("form", { class: "filters", onsubmit: (ev) => { ev.preventDefault(); const v = main.querySelector("#e-type").value; location.hash = `#/events${v ? "?type=" + encodeURIComponent(v) : ""}`; } },
    h("label", {}, "Type ", h("input", { id: "e-type", value: type, placeholder: "payout.succeeded" })), h("button", { type: "submit" }, "Filter")));
  const page = await api("merchant", "GET", "/v1/events", { query: { type, limit: 50 } });
  const detail = h("div", {});
  main.append(h("div", { class: "split" }, h("div", {}, table([["Created", (e) => when(e.created_at)], ["Event", (e) => e.event_id], ["Type", (e) => e.type], ["Object", (e) => e.object_id]],
    page.data, async (e) => {
      const full = await api("merchant", "GET", `/v1/events/${encodeURIComponent(e.event_id)}`);
      const out = h("p", { class: "hint", role: "status" });
      detail.replaceChildren(card(`Event ${full.event_id}`, facts([["Type", full.type], ["Object", full.object_id], ["Sequence", full.sequence]]),
        h("button", { type: "button", onclick: async () => { try { const r = await api("merchant", "POST", `/v1/events/${full.event_id}/redeliver`, { body: {} }); out.textContent = `queued for ${r.endpoint_ids.length} endpoint(s)`; } catch (err) { out.textContent = err.message; } } }, "Redeliver"), out,
        h("h3", {}, "Deliveries"), table([["Endpoint", (d) => d.endpoint_id], ["Status", (d) => badge(d.status)],
          ["Attempts", (d) => d.attempts], ["HTTP", (d) => d.last_status_code ?? "—"], ["Last", (d) => when(d.delivered_at || d.last_attempt_at)],
          ["Next", (d) => when(d.next_attempt_at)]], full.deliveries || []), h("h3", {}, "Data"), json(full.data)));
    })), detail));
}

const JOBS = "payrail.console.jobs";
async function settlements(main) {
  main.append(h("h1", {}, "Settlement jobs"));
  const as = isAdmin() ? "admin" : "merchant";
  const prefix = as === "admin" ? "/v1/admin/settlements" : "/v1/settlements";
  const jobs = JSON.parse(sessionStorage.getItem(JOBS) || "[]").filter((j) => j.as === as);
  const out = h("p", { class: "error", role: "alert" });
  const list = h("div", { class: "jobs" });
  const save = (id) => { const all = JSON.parse(sessionStorage.getItem(JOBS) || "[]"); all.unshift({ id, as }); sessionStorage.setItem(JOBS, JSON.stringify(all.slice(0, 20))); };
  main.append(h("form", { class: "filters", onsubmit: async (ev) => {
    ev.preventDefault(); out.textContent = "";
    try {
      const job = await api(as, "POST", prefix, { body: { from: main.querySelector("#s-from").value, to: main.querySelector("#s-to").value } });
      save(job.job_id); list.prepend(jobCard(job));
    } catch (e) { out.textContent = e.message; }
  } }, h("label", {}, "From ", h("input", { id: "s-from", type: "date", value: todayUtc(), required: true })),
  h("label", {}, "To ", h("input", { id: "s-to", type: "date", value: todayUtc(), required: true })),
  h("button", { type: "submit", class: "primary" }, as === "admin" ? "Settle every merchant" : "Settle")), out,
  h("p", { class: "hint" }, "Jobs started from this tab; each one's progress is read live until it ends."), list);
  function jobCard(job) {
    const el = h("section", { class: "card job", "data-job": job.job_id });
    const draw = (j) => {
      const total = j.slices_total || 0, done = j.slices_done || 0;
      const pct = total ? Math.round((100 * done) / total) : 0;
      el.replaceChildren();
      append(el, [h("h2", {}, h("code", {}, j.job_id), " ", badge(j.status)),
        s("svg", { viewBox: "0 0 400 16", preserveAspectRatio: "none", class: "progress", role: "progressbar", "aria-valuenow": pct },
          s("rect", { x: 0, y: 0, width: 400, height: 16, rx: 4, fill: "#e9ecef" }),
          s("rect", { x: 0, y: 0, width: (400 * pct) / 100, height: 16, rx: 4, fill: colorOf(j.status) })),
        h("p", { class: "hint" }, `${j.from} → ${j.to} · ${done}/${total} slices · ${j.rows ?? 0} rows`),
        j.totals ? facts([["Gross (minor units)", j.totals.gross], ["Fee", j.totals.fee], ["Net", j.totals.net], ["Transactions", j.totals.txn_count]]) : null,
        j.failure_reason ? errorLine(new Error(j.failure_reason)) : null,
        j.download_url ? h("a", { href: j.download_url, class: "csv", rel: "noreferrer" }, "Download CSV") : null]);
      return j;
    };
    draw(job);
    if (!FINAL.has(job.status)) {
      const t = every(POLL_MS, async () => {
        try { const j = draw(await api(as, "GET", `${prefix}/${job.job_id}`)); if (FINAL.has(j.status)) clearInterval(t); } catch (_) { clearInterval(t); }
      });
    }
    return el;
  }
  for (const j of jobs) {
    try { list.append(jobCard(await api(as, "GET", `${prefix}/${j.id}`))); } catch (_) { /* expired or another caller's */ }
  }
}

const BREAK_CLASSES = ["missing_at_provider", "unknown_to_payrail", "paid_after_release", "amount_mismatch",
  "currency_mismatch", "status_mismatch", "float_drift"];
const RESOLUTIONS = ["acknowledge", "write_off", "receivable", "reverse_capture"];
async function reconciliation(main, params) {
  main.append(h("h1", {}, "Reconciliation"));
  if (!isAdmin()) { main.append(needs("the admin token")); return; }
  const out = h("p", { class: "error", role: "alert" });
  const runs = h("div", { class: "jobs", id: "runs" });
  const f = { class: params.get("class") || "", provider: params.get("provider") || "", status: params.get("status") || "open" };
  main.append(card("Runs",
    h("form", { class: "filters", id: "run-form", onsubmit: async (ev) => {
      ev.preventDefault(); out.textContent = "";
      try {
        const run = await api("admin", "POST", "/v1/admin/reconciliations", { body: { provider: main.querySelector("#r-provider").value,
          from: main.querySelector("#r-from").value, to: main.querySelector("#r-to").value } });
        runs.prepend(runCard(run));
      } catch (e) { out.textContent = e.message; }
    } }, h("label", {}, "Provider ", h("input", { id: "r-provider", value: f.provider, size: 12, required: true })),
    h("label", {}, "From ", h("input", { id: "r-from", type: "date", value: todayUtc(), required: true })),
    h("label", {}, "To ", h("input", { id: "r-to", type: "date", value: todayUtc(), required: true })),
    h("button", { type: "submit", class: "primary" }, "Reconcile")), out,
    h("p", { class: "hint" }, "The latest runs, newest first; a run's progress is read live until it ends."), runs));
  function runCard(run) {
    const el = h("section", { class: "card job", "data-run": run.run_id });
    const draw = (r) => {
      const total = r.shards_total || 0, done = r.shards_done || 0;
      const pct = total ? Math.round((100 * done) / total) : 0;
      el.replaceChildren();
      append(el, [h("h2", {}, h("code", {}, r.run_id), " ", badge(r.status)),
        s("svg", { viewBox: "0 0 400 16", preserveAspectRatio: "none", class: "progress", role: "progressbar", "aria-valuenow": pct },
          s("rect", { x: 0, y: 0, width: 400, height: 16, rx: 4, fill: "#e9ecef" }),
          s("rect", { x: 0, y: 0, width: (400 * pct) / 100, height: 16, rx: 4, fill: colorOf(r.status) })),
        h("p", { class: "hint" }, `${r.provider} · ${r.from} → ${r.to} · ${done}/${total} shards · ${r.rows ?? 0} transfers`),
        r.counts ? facts(Object.entries(r.counts)) : null,
        r.failure_reason ? errorLine(new Error(r.failure_reason)) : null,
        r.download_url ? h("a", { href: r.download_url, class: "csv", rel: "noreferrer" }, "Download CSV") : null]);
      return r;
    };
    draw(run);
    if (!FINAL.has(run.status)) {
      const t = every(POLL_MS, async () => {
        try { const r = draw(await api("admin", "GET", `/v1/admin/reconciliations/${run.run_id}`)); if (FINAL.has(r.status)) clearInterval(t); } catch (_) { clearInterval(t); }
      });
    }
    return el;
  }
  const latest = await api("admin", "GET", "/v1/admin/reconciliations", { query: { limit: 10, provider: f.provider } });
  runs.append(...latest.data.map(runCard));

  const filters = h("form", { class: "filters", id: "exception-filters", onsubmit: (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ["class", "provider", "status"]) { const v = filters.querySelector(`#x-${k}`).value; if (v) q.set(k, v); }
    location.hash = `#/reconciliation?${q}`;
  } },
  h("label", {}, "Class ", selectOf("x-class", BREAK_CLASSES, f.class)),
  h("label", {}, "Provider ", h("input", { id: "x-provider", value: f.provider, size: 12 })),
  h("label", {}, "Status ", selectOf("x-status", ["open", "resolved"], f.status)),
  h("button", { type: "submit" }, "Filter"));
  const page = await api("admin", "GET", "/v1/admin/reconciliation_exceptions",
    { query: { limit: PAGE_LIMIT, class: f.class, provider: f.provider, status: f.status } });
  const resolveForm = (x) => {
    if (x.status !== "OPEN") return x.resolution ? `${x.resolution}: ${x.reason || ""}` : "—";
    const form = h("form", { class: "resolve", "data-exception": x.exception_id, onsubmit: async (ev) => {
      ev.preventDefault(); ev.stopPropagation();
      const button = form.querySelector("button"); button.disabled = true;
      try {
        await api("admin", "POST", `/v1/admin/reconciliation_exceptions/${x.exception_id}/resolve`,
          { body: { resolution: form.querySelector("select").value, reason: form.querySelector("input").value } });
        route();
      } catch (e) { button.disabled = false; form.append(errorLine(e)); }
    } }, h("select", { "aria-label": "resolution" }, RESOLUTIONS.map((r) => h("option", { value: r }, r))), " ",
    h("input", { placeholder: "reason", required: true, size: 24, "aria-label": "reason" }), " ",
    h("button", { type: "submit", class: "primary" }, "Resolve"));
    return form;
  };
  main.append(card("Exceptions", filters,
    h("p", { class: "hint" }, `${page.data.length} exception${page.data.length === 1 ? "" : "s"}${page.has_more ? " (the newest)" : ""}`),
    table([["Found", (x) => when(x.created_at)], ["Exception", (x) => x.exception_id], ["Class", (x) => x.class],
      ["Provider", (x) => x.provider], ["Transfer", (x) => x.transfer_id || "—"], ["Merchant", (x) => x.merchant_id || "—"],
      ["Status", (x) => badge(x.status)], ["Resolution", resolveForm]], page.data)));
}

const PAGES = { overview, payouts, payout: payoutDetail, reviews, payments, payment: paymentDetail, webhooks, events, settlements, reconciliation };

// ---- routing and sign-in --------------------------------------------------------------------
async function route() {
  stopTimers();
  const signedIn = isAdmin() || isMerchant();
  document.getElementById("login").hidden = signedIn;
  document.getElementById("nav").hidden = document.getElementById("who").hidden = document.getElementById("main").hidden = !signedIn;
  if (!signedIn) return;
  document.getElementById("who-text").textContent = [isAdmin() && "admin", isMerchant() && "merchant key"].filter(Boolean).join(" + ");
  const [path, query] = (location.hash.slice(2) || "overview").split("?");
  const [name, ...args] = path.split("/").map(decodeURIComponent);
  const page = PAGES[name] || overview;
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === `#/${name}`);
  const main = document.getElementById("main");
  main.replaceChildren();
  main.dataset.page = name;
  main.dataset.ready = "false";
  try {
    await page(main, name in PAGES && args.length ? args : new URLSearchParams(query || ""));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { logout(e.message); return; }
    main.append(errorLine(e));
  }
  main.dataset.ready = "true";
}

function logout(reason) {
  sessionStorage.removeItem(STORE.admin); sessionStorage.removeItem(STORE.merchant);
  document.getElementById("login-error").textContent = reason || "";
  route();
}

async function signIn(ev) {
  ev.preventDefault();
  const admin = document.getElementById("admin-token").value.trim(), key = document.getElementById("api-key").value.trim();
  const err = document.getElementById("login-error");
  err.textContent = "";
  if (!admin && !key) { err.textContent = "enter the admin token, a merchant API key, or both"; return; }
  sessionStorage.setItem(STORE.admin, admin); sessionStorage.setItem(STORE.merchant, key);
  try {
    if (admin) await api("admin", "GET", "/v1/admin/holds", { query: { limit: 1 } });
    if (key) await api("merchant", "GET", "/v1/webhook_endpoints", { query: { limit: 1 } });
  } catch (e) {
    sessionStorage.removeItem(STORE.admin); sessionStorage.removeItem(STORE.merchant);
    err.textContent = `${admin && key ? "" : admin ? "admin token: " : "merchant key: "}${e.message}`;
    return;
  }
  document.getElementById("login-form").reset();
  route();
}

document.getElementById("login-form").addEventListener("submit", signIn);
document.getElementById("logout").addEventListener("click", () => logout());
window.addEventListener("hashchange", route);
route();
