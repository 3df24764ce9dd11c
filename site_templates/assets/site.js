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
  function renderCharts() {  // the charts not drawn yet (live mode brings new ones when it refreshes a page)
    const figures = Array.from(document.querySelectorAll("[data-chart]:not([data-rendered])"));
    let done = 0;
    const finish = () => { document.body.dataset.chartsRendered = String(done); };
    if (!figures.length) { finish(); return; }
    if (typeof window.vegaEmbed !== "function") { console.error("the Vega bundle did not load"); return; }
    figures.forEach((el) => {
      const spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
      // A chart of a fixed width wider than its box (a phone) is drawn to the box's width instead; charts sized by
      // steps (the heatmap's readable cells) keep their size and scroll, and a note says so (scrollHints).
      // (the room is the parent's: an empty chart in a flex row of charts has no width of its own yet)
      const room = el.parentElement ? el.parentElement.clientWidth : el.clientWidth;
      if (typeof spec.width === "number" && spec.width + CHART_MARGIN > room) {
        spec.width = "container";
        spec.autosize = {type: "fit-x", contains: "padding"};
        el.classList.add("fit");
      }
      // ast: Vega's expression interpreter instead of generated code (the pages' CSP forbids eval)
      window.vegaEmbed(el, spec, {renderer: "svg", actions: false, ast: true, defaultStyle: false})
        .then(() => { el.dataset.rendered = "true"; scrollHint(el); done += 1; if (done === figures.length) finish(); })
        .catch((err) => { el.textContent = "This chart could not be drawn: " + err; console.error(err); });
    });
  }
  // Room a chart's axes and labels take beside its width.
  const CHART_MARGIN = 120;

  // A box that scrolls sideways says so (a phone shows only its left part otherwise): a note before it, kept
  // up to date when the window is resized.
  function scrollHint(box) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    let note = box.previousElementSibling;
    if (!(note && note.classList.contains("scroll-hint"))) {
      if (!scrolls) return;
      note = h("p", {class: "note scroll-hint"}, "Wider than the screen: scroll it sideways to see all of it.");
      box.before(note);
    }
    note.hidden = !scrolls;
    box.classList.toggle("scrolls", scrolls);
  }
  // Charts, and the tables that scroll in their own box (a table in a .scroll box scrolls with it).
  function scrollHints() {
    document.querySelectorAll("figure.chart[data-rendered], .scroll, table.data, table.kv").forEach((box) => {
      if (!(box.matches("table") && box.parentElement.classList.contains("scroll"))) scrollHint(box);
    });
  }
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(scrollHints, 150); });

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
      // the same counts as every page: cancelled attempts are listed but are not runs
      const split = (list) => { const c = list.filter((r) => r[ix.status] === "cancelled").length; return [list.length - c, c]; };
      const [allRuns, allCancelled] = split(rows), [matchedRuns, matchedCancelled] = split(matched);
      const fmt = (n) => n.toLocaleString("en");
      setStatus("runs-status", matched.length === rows.length
        ? fmt(allRuns) + " runs" + (allCancelled ? " + " + fmt(allCancelled) + " cancelled attempts" : "")
        : fmt(matchedRuns) + " of " + fmt(allRuns) + " runs match" +
          (matchedCancelled ? " (+ " + fmt(matchedCancelled) + " cancelled attempts)" : ""));
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
  function erfc(x) {  // complementary error function, x >= 0: series below 2, continued fraction above
    if (x < 2) {
      let term = x, sum = x;
      for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
        term *= -x * x / n;
        sum += term / (2 * n + 1);
      }
      return 1 - 2 / Math.sqrt(Math.PI) * sum;
    }
    let f = x;  // Lentz: erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
    let c = x, d = 0;
    for (let n = 1; n < 500; n++) {
      const a = n / 2;
      d = x + a * d; d = 1 / (d === 0 ? 1e-300 : d);
      c = x + a / (c === 0 ? 1e-300 : c);
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }
  const EXACT_SIGN_FLIP_WORK = 50000000;  // as zebench.stats._EXACT_SIGN_FLIP_WORK
  function gcd(a, b) { while (b) [a, b] = [b, a % b]; return a; }
  function rateTest(pairs) {  // pairs: [sb, nb, sc, nc]; as zebench.stats.paired_rate_test
    if (pairs.every(([, nb, , nc]) => nb === 1 && nc === 1)) {
      const b = pairs.filter(([sb, , sc]) => sb > sc).length, c = pairs.filter(([sb, , sc]) => sc > sb).length;
      return {p: mcnemar(b, c), method: "exact McNemar"};
    }
    const diffs = pairs.map(([sb, nb, sc, nc]) => sc / nc - sb / nb);
    const differing = pairs.filter(([sb, nb, sc, nc]) => sc * nb !== sb * nc).length;
    if (!differing) return {p: 1, method: "exact sign-flip"};
    let scale = 1;
    for (const [, nb, , nc] of pairs) {
      scale = scale / gcd(scale, nb) * nb;
      scale = scale / gcd(scale, nc) * nc;
      if (scale > EXACT_SIGN_FLIP_WORK) break;
    }
    let reach = scale <= EXACT_SIGN_FLIP_WORK ? diffs.reduce((t, d) => t + Math.abs(d), 0) * scale : Infinity;
    if ((2 * reach + 1) * differing <= EXACT_SIGN_FLIP_WORK) {
      const signed = pairs.map(([sb, nb, sc, nc]) => sc * (scale / nc) - sb * (scale / nb));
      const steps = signed.filter((d) => d !== 0).map(Math.abs).sort((a, b) => a - b);
      const observed = Math.abs(signed.reduce((t, d) => t + d, 0));
      reach = steps.reduce((t, d) => t + d, 0);
      let pmf = new Float64Array(2 * reach + 1);
      pmf[reach] = 1;
      for (const step of steps) {
        const next = new Float64Array(pmf.length);
        for (let i = step; i < pmf.length; i++) next[i] += pmf[i - step];
        for (let i = 0; i + step < pmf.length; i++) next[i] += pmf[i + step];
        for (let i = 0; i < next.length; i++) next[i] *= 0.5;
        pmf = next;
      }
      let p = 0;
      for (let i = 0; i < pmf.length; i++) if (Math.abs(i - reach) >= observed) p += pmf[i];
      return {p: Math.min(1, p), method: "exact sign-flip"};
    }
    const z = Math.abs(diffs.reduce((t, d) => t + d, 0)) / Math.sqrt(diffs.reduce((t, d) => t + d * d, 0));
    return {p: Math.min(1, erfc(z / Math.SQRT2)), method: "sign-flip, normal approximation"};
  }
  function itemsOf(rows, config) {  // one configuration's items (a row names its configuration as the manifest does)
    const items = new Map();
    for (const [name, suite, scenario, tier, runs, successful, scored, sumWeighted] of rows) {
      if (name !== config || !runs) continue;
      items.set(suite + "/" + scenario + "/" + tier, {runs, successful, scored, sumWeighted});
    }
    return items;
  }
  const rate = (it) => it.runs ? it.successful / it.runs : 0;
  const score = (it) => it.scored ? it.sumWeighted / it.scored : null;
  const succeeded = (it) => 2 * it.successful >= it.runs;
  const ALL = "*";

  async function comparePage() {
    const manifest = await load("manifest");
    const form = document.getElementById("compare-form");
    const out = document.getElementById("compare-result");
    const files = new Map(manifest.batches.map((b) => [b.id, b.file]));
    const names = manifest.configs.map((c) => c.name);
    if (!names.length) {
      out.replaceChildren(h("p", {class: "empty"}, "No runs to compare yet."));
      return;
    }
    for (const name of ["bc", "cc"]) names.forEach((n) => form.elements[name].append(h("option", {value: n}, n)));
    function fillBatches(side) {  // the batches that ran the chosen configuration, and "all batches"
      const select = form.elements[side + "b"], config = form.elements[side + "c"].value, keep = select.value;
      select.replaceChildren(h("option", {value: ALL}, "all batches"),
        ...manifest.batches.filter((b) => b.configs.includes(config))
          .map((b) => h("option", {value: b.id}, b.id + " (" + human(b.createdAt) + ")")));
      if (Array.from(select.options).some((o) => o.value === keep)) select.value = keep;
    }
    const params = new URLSearchParams(location.hash.slice(1));
    const pick = (key, fallback) => names.includes(params.get(key)) ? params.get(key) : fallback;
    form.elements.bc.value = pick("bc", names[0]);
    form.elements.cc.value = pick("cc", names[names.length > 1 ? 1 : 0]);
    fillBatches("b"); fillBatches("c");
    for (const side of ["b", "c"]) {
      const wanted = params.get(side + "b");
      if (wanted && files.has(wanted) && Array.from(form.elements[side + "b"].options).some((o) => o.value === wanted)) {
        form.elements[side + "b"].value = wanted;
      }
    }
    const sideRows = (batch) => batch === ALL ? load("items") : load("batch-items/" + files.get(batch));
    async function run() {
      const bc = form.elements.bc.value, bb = form.elements.bb.value, cc = form.elements.cc.value, cb = form.elements.cb.value;
      history.replaceState(null, "", "#" + new URLSearchParams({bc, bb, cc, cb}).toString());
      const [b, c] = [itemsOf(await sideRows(bb), bc), itemsOf(await sideRows(cb), cc)];
      const shared = Array.from(b.keys()).filter((k) => c.has(k)).sort();
      const groups = {regressed: [], improved: [], stayedSolved: [], stayedFailed: []};
      const rows = shared.map((k) => {
        const x = b.get(k), y = c.get(k), sx = succeeded(x), sy = succeeded(y);
        const outcome = sx ? (sy ? "stayedSolved" : "regressed") : (sy ? "improved" : "stayedFailed");
        groups[outcome].push(k);
        const ds = score(x) === null || score(y) === null ? null : score(y) - score(x);
        return {k, x, y, outcome, dr: rate(y) - rate(x), ds};
      });
      const test = rateTest(shared.map((k) => [b.get(k).successful, b.get(k).runs, c.get(k).successful, c.get(k).runs]));
      const meanRate = shared.length ? rows.reduce((s, r) => s + r.dr, 0) / shared.length : null;
      const scoredRows = rows.filter((r) => r.ds !== null);
      const meanScore = scoredRows.length ? scoredRows.reduce((s, r) => s + r.ds, 0) / scoredRows.length : null;
      const repeats = rows.some((r) => r.x.runs > 1 || r.y.runs > 1);
      const label = {regressed: "Regressed (solved by the baseline, not by the candidate)", improved: "Improved",
        stayedSolved: "Stayed solved", stayedFailed: "Stayed failed"};
      const ids = {regressed: "cmp-regressed", improved: "cmp-improved", stayedSolved: "cmp-stayed-solved", stayedFailed: "cmp-stayed-failed"};
      const lists = Object.keys(groups).map((g) => h("details", {open: g === "regressed" || g === "improved" ? "" : null},
        h("summary", {}, label[g] + ": " + groups[g].length),
        groups[g].length ? table(["Item", "Baseline", "Candidate", "Change", "Baseline score", "Candidate score"],
          rows.filter((r) => r.outcome === g).map((r) => [r.k, r.x.successful + "/" + r.x.runs, r.y.successful + "/" + r.y.runs,
            pct(r.dr), num(score(r.x)), num(score(r.y))]), [1, 2, 3, 4, 5]) : h("p", {class: "empty"}, "None.")));
      out.replaceChildren(
        h("table", {class: "data"}, h("tbody", {},
          h("tr", {}, h("th", {}, "Baseline / candidate"), h("td", {}, bc + " (" + (bb === ALL ? "all batches" : bb) + ") → " + cc + " (" + (cb === ALL ? "all batches" : cb) + ")")),
          h("tr", {}, h("th", {}, "Paired items"), h("td", {class: "n", id: "cmp-shared"}, String(shared.length))),
          h("tr", {}, h("th", {}, "Only in the baseline / only in the candidate"), h("td", {class: "n"}, (b.size - shared.length) + " / " + (c.size - shared.length))),
          ...Object.keys(groups).map((g) => h("tr", {}, h("th", {}, label[g]), h("td", {class: "n", id: ids[g]}, String(groups[g].length)))),
          h("tr", {}, h("th", {}, "p (success)"), h("td", {class: "n", id: "cmp-p", "data-value": String(test.p)}, num(test.p, 4))),
          h("tr", {}, h("th", {}, "Test"), h("td", {id: "cmp-test"}, test.method + (repeats ? " (items with several runs compared by their success rates)" : ""))),
          h("tr", {}, h("th", {}, "Mean success rate change per item"), h("td", {class: "n", id: "cmp-rate"}, pct(meanRate))),
          h("tr", {}, h("th", {}, "Mean score change per item"), h("td", {class: "n", id: "cmp-score"}, num(meanScore))))),
        ...lists);
      out.dataset.pair = bc + "|" + bb + " " + cc + "|" + cb;
    }
    form.addEventListener("change", (e) => {
      if (e.target.name === "bc") fillBatches("b");
      if (e.target.name === "cc") fillBatches("c");
      run().catch(fail);
    });
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
    scrollHints,  // after a view adds or widens a table
    renderCharts,
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
    const done = () => { scrollHints(); document.body.dataset.ready = "true"; };
    if (init) init().catch(fail).finally(done); else done();
  });
})();
