/* zebench report site: charts, the runs table and the batch comparison (views.js: the run view, the batch matrix
   and live mode).
   Data files are scripts calling zbData(key, value) (a page opened from file:// may load scripts, not fetch).
   Every piece of run data reaches the page through textContent or a text node, never as HTML. */
"use strict";
(function () {
  const root = document.body.dataset.root || "";
  const loaded = Object.create(null);
  const pending = Object.create(null);

  async function inflate(value) {  // {"gzip": base64} -> the JSON value (see builder.packed_data_script)
    const bytes = Uint8Array.from(atob(value.gzip), (ch) => ch.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  window.zbData = function (key, value) {
    const ready = value && typeof value === "object" && typeof value.gzip === "string" ? inflate(value) : Promise.resolve(value);
    ready.then((v) => {
      loaded[key] = v;
      if (pending[key]) pending[key].resolve(v);
    }, (err) => { if (pending[key]) pending[key].reject(err); });
  };

  function load(key) {
    if (key in loaded) return Promise.resolve(loaded[key]);
    if (!pending[key]) {
      const entry = {};
      entry.promise = new Promise((resolve, reject) => { entry.resolve = resolve; entry.reject = reject; });
      pending[key] = entry;
      const script = document.createElement("script");
      script.src = root + "data/" + key + ".js";
      script.onerror = () => entry.reject(new Error("could not load " + script.src));
      document.body.appendChild(script);
    }
    return pending[key].promise;
  }

  // -- helpers ---------------------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v; else el.setAttribute(k, v);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }
  const dash = "–";
  const pct = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v)) ? dash : (100 * v).toFixed(d) + "%";
  const num = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v)) ? dash : Number(v).toFixed(d);
  const usd = (v) => (v === null || v === undefined) ? "unknown" : "$" + Number(v).toFixed(4);
  const int = (v) => (v === null || v === undefined) ? dash : Number(v).toLocaleString("en");
  function dur(ms) {
    if (ms === null || ms === undefined) return dash;
    const s = ms / 1000;
    return s < 60 ? s.toFixed(1) + " s" : s < 3600 ? (s / 60).toFixed(1) + " min" : (s / 3600).toFixed(1) + " h";
  }
  const config = (agent, model) => model ? agent + " [" + model + "]" : agent;
  const pretty = (v) => typeof v === "string" ? v : JSON.stringify(v, null, 2);
  function setStatus(id, text) { const el = document.getElementById(id); if (el) el.textContent = text; }
  function table(headers, rows, numeric) {
    return h("table", {class: "data"},
      h("thead", {}, h("tr", {}, headers.map((t, i) => h("th", {class: numeric && numeric.includes(i) ? "n" : null}, t)))),
      h("tbody", {}, rows.map(r => h("tr", {}, r.map((c, i) => h("td", {class: numeric && numeric.includes(i) ? "n" : null}, c))))));
  }
  function kv(pairs) {
    return h("table", {class: "kv"}, h("tbody", {}, pairs.filter(p => p).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)))));
  }
  const pre = (text, cls) => h("pre", {class: cls || null}, text === null || text === undefined ? "" : pretty(text));
  function runLink(runId, id, detailChunk) {
    return root + "run.html?id=" + encodeURIComponent(runId) + "&c=" + Math.floor(id / detailChunk);
  }
  // A time as people read it (the browser's locale and zone), the stored ISO value on hover.
  function human(iso) {
    const t = iso ? new Date(iso) : null;
    if (!t || Number.isNaN(t.getTime())) return iso || dash;
    return t.toLocaleString("en-GB", {day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }
  const when = (iso) => iso ? h("time", {datetime: iso, title: iso}, human(iso)) : dash;

  // -- charts ----------------------------------------------------------------------------------------------
  function renderCharts() {
    const figures = Array.from(document.querySelectorAll("[data-chart]"));
    let done = 0;
    const finish = () => { document.body.dataset.chartsRendered = String(done); };
    if (!figures.length) { finish(); return; }
    if (typeof window.vegaEmbed !== "function") { console.error("the Vega bundle did not load"); return; }
    figures.forEach((el) => {
      const spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
      // ast: Vega's expression interpreter instead of generated code (the pages' CSP forbids eval)
      window.vegaEmbed(el, spec, {renderer: "svg", actions: false, ast: true, defaultStyle: false})
        .then(() => { el.dataset.rendered = "true"; done += 1; if (done === figures.length) finish(); })
        .catch((err) => { el.textContent = "This chart could not be drawn: " + err; console.error(err); });
    });
  }

  // -- runs table ------------------------------------------------------------------------------------------
  const PAGE = 100;
  async function runsPage() {
    const manifest = await load("manifest");
    const cols = manifest.indexColumns;
    const ix = Object.fromEntries(cols.map((c, i) => [c, i]));
    const chunks = await Promise.all(manifest.indexChunks.map((n) => load("runs-index/" + n)));
    const rows = [].concat(...chunks).reverse();  // newest first
    const form = document.getElementById("run-filters");
    const fields = {agent: "agent", model: "model", suite: "suite", scenario: "scenario", tier: "tier", status: "status", batch: "batchId"};
    function addOptions(list) {
      for (const [name, col] of Object.entries(fields)) {
        const select = form.elements[name];
        const have = new Set(Array.from(select.options).map((o) => o.value));
        const values = Array.from(new Set(list.map((r) => r[ix[col]]).filter((v) => v !== null && v !== "" && !have.has(String(v))))).sort();
        values.forEach((v) => select.append(h("option", {value: v}, v)));
      }
    }
    addOptions(rows);
    let sortKey = "startedAt", sortDir = -1, page = 0;
    const params = new URLSearchParams(location.hash.slice(1));
    for (const [k, v] of params) {
      const el = form.elements.namedItem(k);  // not form.elements[k]: "length" or "item" would be the collection's
      if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) continue;
      if (el.tagName === "SELECT" && !Array.from(el.options).some((o) => o.value === v)) el.append(h("option", {value: v}, v));
      el.value = v;
    }
    const tbody = document.querySelector("#runs-table tbody");
    function apply() {
      const q = form.elements.q.value.trim().toLowerCase();
      const want = {};
      for (const [name, col] of Object.entries(fields)) if (form.elements[name].value) want[col] = form.elements[name].value;
      const success = form.elements.successful.value;
      let matched = rows.filter((r) => {
        for (const [col, v] of Object.entries(want)) if (String(r[ix[col]]) !== v) return false;
        if (success !== "" && String(r[ix.successful] ? 1 : 0) !== success) return false;
        if (q) {
          const text = [r[ix.runId], r[ix.suite] + "/" + r[ix.scenario], r[ix.failureCategory], r[ix.batchId],
            config(r[ix.agent], r[ix.model])].join(" ").toLowerCase();
          if (!text.includes(q)) return false;
        }
        return true;
      });
      const k = ix[sortKey];
      matched = matched.slice().sort((a, b) => {
        const x = a[k], y = b[k];
        if (x === y) return b[ix.id] - a[ix.id];
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * sortDir;
      });
      const pages = Math.max(1, Math.ceil(matched.length / PAGE));
      page = Math.min(page, pages - 1);
      const shown = matched.slice(page * PAGE, page * PAGE + PAGE);
      tbody.replaceChildren(...shown.map((r) => h("tr", {},
        h("td", {}, when(r[ix.startedAt])),
        h("td", {}, h("a", {href: runLink(r[ix.runId], r[ix.id], manifest.detailChunk)}, r[ix.runId])),
        h("td", {}, r[ix.suite] + "/" + r[ix.scenario]), h("td", {}, r[ix.tier]),
        h("td", {}, config(r[ix.agent], r[ix.model])), h("td", {}, r[ix.status]),
        h("td", {class: "n"}, num(r[ix.weightedScore])), h("td", {}, r[ix.successful] ? "yes" : "no"),
        h("td", {class: "n"}, usd(r[ix.costUsd])), h("td", {class: "n"}, dur(r[ix.durationMs])),
        h("td", {}, r[ix.failureCategory] || ""))));
      setStatus("runs-status", matched.length === rows.length
        ? rows.length.toLocaleString("en") + " runs"
        : matched.length.toLocaleString("en") + " of " + rows.length.toLocaleString("en") + " runs match");
      setStatus("page-info", "page " + (page + 1) + " of " + pages);
      document.getElementById("prev-page").disabled = page === 0;
      document.getElementById("next-page").disabled = page >= pages - 1;
      document.querySelectorAll("#runs-table th[data-sort]").forEach((th) => {
        th.setAttribute("aria-sort", th.dataset.sort === sortKey ? (sortDir > 0 ? "ascending" : "descending") : "none");
      });
      const state = new URLSearchParams();
      for (const el of form.elements) if (el.name && el.value) state.set(el.name, el.value);
      const hash = state.toString();
      if (hash !== location.hash.slice(1)) history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      document.body.dataset.ready = "true";
    }
    form.addEventListener("input", () => { page = 0; apply(); });
    form.addEventListener("reset", () => setTimeout(() => { page = 0; apply(); }));
    form.addEventListener("submit", (e) => e.preventDefault());
    document.querySelectorAll("#runs-table th[data-sort]").forEach((th) => th.addEventListener("click", () => {
      if (sortKey === th.dataset.sort) sortDir = -sortDir; else { sortKey = th.dataset.sort; sortDir = 1; }
      apply();
    }));
    document.getElementById("prev-page").addEventListener("click", () => { page -= 1; apply(); });
    document.getElementById("next-page").addEventListener("click", () => { page += 1; apply(); });
    apply();
    // live mode (zebench serve --site): runs stored since the build are added as they come, one refresh at a time
    let newest = rows.reduce((m, r) => Math.max(m, r[ix.id]), 0), refresh = Promise.resolve();
    zb.onLive((live) => { refresh = refresh.then(() => live.newRuns(newest, cols)).then((added) => {
      added = added.filter((r) => r[ix.id] > newest);
      if (!added.length) return;
      newest = added[added.length - 1][ix.id];
      rows.unshift(...added.reverse());
      addOptions(added);
      apply();
    }); return refresh; });
  }

  // -- run view: views.js ----------------------------------------------------------------------------------

  // -- compare ---------------------------------------------------------------------------------------------
  function binomHalfCdf(k, n) {  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space
    let logC = 0, total = 0;
    for (let i = 0; i <= k; i++) {
      total += Math.exp(logC - n * Math.LN2);
      logC += Math.log(n - i) - Math.log(i + 1);
    }
    return total;
  }
  function mcnemar(b, c) {  // two-sided exact McNemar, as zebench.stats.mcnemar_exact
    const total = b + c, low = Math.min(b, c);
    if (total === 0 || 2 * low >= total) return 1;
    return Math.min(1, 2 * binomHalfCdf(low, total));
  }
  function itemsOf(rows) {
    const items = new Map();
    for (const [, , suite, scenario, tier, runs, successful, scored, sumWeighted] of rows) {
      const key = suite + "/" + scenario + "/" + tier;
      const it = items.get(key) || {runs: 0, successful: 0, scored: 0, sumWeighted: 0};
      it.runs += runs; it.successful += successful; it.scored += scored; it.sumWeighted += sumWeighted;
      items.set(key, it);
    }
    return items;
  }
  const rate = (it) => it.runs ? it.successful / it.runs : 0;
  const score = (it) => it.scored ? it.sumWeighted / it.scored : null;
  const succeeded = (it) => 2 * it.successful >= it.runs;

  async function comparePage() {
    const manifest = await load("manifest");
    const form = document.getElementById("compare-form");
    const out = document.getElementById("compare-result");
    const files = new Map(manifest.batches.map((b) => [b.id, b.file]));
    if (manifest.batches.length < 2) {
      out.replaceChildren(h("p", {class: "empty"}, "Two batches are needed for a comparison."));
      return;
    }
    for (const name of ["base", "cand"]) {
      manifest.batches.forEach((b) => form.elements[name].append(h("option", {value: b.id}, b.id + " (" + b.runs + " runs, " + b.createdAt + ")")));
    }
    const params = new URLSearchParams(location.hash.slice(1));
    form.elements.cand.value = files.has(params.get("cand")) ? params.get("cand") : manifest.batches[0].id;
    form.elements.base.value = files.has(params.get("base")) ? params.get("base") : manifest.batches[1].id;
    async function run() {
      const base = form.elements.base.value, cand = form.elements.cand.value;
      history.replaceState(null, "", "#" + new URLSearchParams({base, cand}).toString());
      const [b, c] = (await Promise.all([load("batch-items/" + files.get(base)), load("batch-items/" + files.get(cand))])).map(itemsOf);
      const shared = Array.from(b.keys()).filter((k) => c.has(k)).sort();
      let both = 0, onlyBase = 0, onlyCand = 0, neither = 0;
      const rows = shared.map((k) => {
        const x = b.get(k), y = c.get(k), sx = succeeded(x), sy = succeeded(y);
        if (sx && sy) both++; else if (sx) onlyBase++; else if (sy) onlyCand++; else neither++;
        const ds = score(x) === null || score(y) === null ? null : score(y) - score(x);
        return {k, x, y, dr: rate(y) - rate(x), ds};
      });
      const p = mcnemar(onlyBase, onlyCand);
      const meanRate = shared.length ? rows.reduce((s, r) => s + r.dr, 0) / shared.length : null;
      const scoredRows = rows.filter((r) => r.ds !== null);
      const meanScore = scoredRows.length ? scoredRows.reduce((s, r) => s + r.ds, 0) / scoredRows.length : null;
      rows.sort((u, v) => u.dr - v.dr || u.k.localeCompare(v.k));
      out.replaceChildren(
        h("table", {class: "data"}, h("tbody", {},
          h("tr", {}, h("th", {}, "Shared items"), h("td", {class: "n", id: "cmp-shared"}, String(shared.length))),
          h("tr", {}, h("th", {}, "Only in the baseline / only in the candidate"), h("td", {class: "n"}, (b.size - shared.length) + " / " + (c.size - shared.length))),
          h("tr", {}, h("th", {}, "Solved by both"), h("td", {class: "n", id: "cmp-both"}, String(both))),
          h("tr", {}, h("th", {}, "Only by the baseline"), h("td", {class: "n", id: "cmp-only-base"}, String(onlyBase))),
          h("tr", {}, h("th", {}, "Only by the candidate"), h("td", {class: "n", id: "cmp-only-cand"}, String(onlyCand))),
          h("tr", {}, h("th", {}, "By neither"), h("td", {class: "n", id: "cmp-neither"}, String(neither))),
          h("tr", {}, h("th", {}, "Exact McNemar p"), h("td", {class: "n", id: "cmp-p", "data-value": String(p)}, num(p, 4))),
          h("tr", {}, h("th", {}, "Mean success rate change per item"), h("td", {class: "n", id: "cmp-rate"}, pct(meanRate))),
          h("tr", {}, h("th", {}, "Mean score change per item"), h("td", {class: "n", id: "cmp-score"}, num(meanScore))))),
        h("h3", {}, "Items, largest drop first"),
        table(["Item", "Baseline success", "Candidate success", "Change", "Baseline score", "Candidate score", "Score change"],
          rows.map((r) => [r.k, pct(rate(r.x)), pct(rate(r.y)), pct(r.dr), num(score(r.x)), num(score(r.y)), num(r.ds)]), [1, 2, 3, 4, 5, 6]));
      out.dataset.pair = base + " " + cand;
    }
    form.addEventListener("change", run);
    await run();
  }

  function fail(err) {
    console.error(err);
    const box = document.querySelector("main");
    box.append(h("p", {class: "error"}, "Could not load the data of this page: " + (err && err.message ? err.message : err)));
  }

  // What other scripts of the site (views.js) share: helpers, the data loader and the page registry.
  const pages = {runs: runsPage, compare: comparePage};  // views.js adds run and batch
  const liveHandlers = [];
  const zb = window.zb = {
    root, load, h, dash, pct, num, usd, int, dur, config, pretty, setStatus, table, kv, pre, runLink, human, when, fail,
    succeeded,  // an item succeeds when at least half of its runs did (as `zebench compare`)
    pages,
    // called with the live connection when the page is served by `zebench serve --site` (views.js)
    onLive: (fn) => { liveHandlers.push(fn); if (zb.live && zb.live.ready) fn(zb.live); },
    liveHandlers,
  };

  document.addEventListener("DOMContentLoaded", () => {
    renderCharts();
    const page = document.body.dataset.page;
    const init = pages[page];
    // data-ready marks the end of the page's own work, whatever its outcome (tests and benchmarks wait for it)
    const done = () => { document.body.dataset.ready = "true"; };
    if (init) init().catch(fail).finally(done); else done();
  });
})();
