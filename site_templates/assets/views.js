/* zebench report site: the run view (one timeline of the agent's turns), the batch matrix (item x configuration)
   and live mode (pages served by `zebench serve --site` refresh from the live API while a batch runs).
   Uses site.js's helpers (window.zb). Every piece of run data reaches the page through textContent or a text
   node, never as HTML. */
"use strict";
(function () {
  const zb = window.zb;
  const {h, dash, num, pct, usd, int, dur, config, setStatus, kv, when, root} = zb;

  // -- line diffs ------------------------------------------------------------------------------------------
  const DIFF_MAX_EDITS = 2000;  // beyond this many changed lines the diff shows old and new as a whole

  /** Myers' O(ND) line diff: a list of [op, line] with op " ", "-" or "+". */
  function diffLines(a, b) {
    const n = a.length, m = b.length, max = n + m, offset = max + 1;
    const v = new Int32Array(2 * max + 3), trace = [];
    let found = -1;
    for (let d = 0; d <= Math.min(max, DIFF_MAX_EDITS) && found < 0; d++) {
      trace.push(v.slice());
      for (let k = -d; k <= d; k += 2) {
        let x = (k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
        let y = x - k;
        while (x < n && y < m && a[x] === b[y]) { x++; y++; }
        v[offset + k] = x;
        if (x >= n && y >= m) { found = d; break; }
      }
    }
    if (found < 0) return [...a.map((l) => ["-", l]), ...b.map((l) => ["+", l])];
    const ops = [];
    let x = n, y = m;
    for (let d = found; d > 0; d--) {
      const vd = trace[d], k = x - y;
      const prevK = (k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1])) ? k + 1 : k - 1;
      const px = vd[offset + prevK], py = px - prevK;
      while (x > px && y > py) { ops.push([" ", a[--x]]); y--; }
      if (x === px) ops.push(["+", b[--y]]); else ops.push(["-", a[--x]]);
    }
    while (x > 0 && y > 0) { ops.push([" ", a[--x]]); y--; }
    return ops.reverse();
  }

  /** Unified-diff hunks (3 lines of context) of ops: [{header, lines: [[op, text]]}]. */
  function hunks(ops, context = 3) {
    const out = [];
    let i = 0, oldNo = 1, newNo = 1;
    const changed = ops.map((o) => o[0] !== " ");
    while (i < ops.length) {
      if (!changed[i]) { i++; oldNo++; newNo++; continue; }
      let start = Math.max(0, i - context);
      let end = i;  // extend while changes are within 2 * context lines of each other
      for (let j = i; j < ops.length; j++) {
        if (changed[j]) end = j;
        else if (j - end > 2 * context) break;
      }
      end = Math.min(ops.length - 1, end + context);
      const lead = i - start;
      const o0 = oldNo - lead, n0 = newNo - lead;
      const lines = ops.slice(start, end + 1);
      const oldLen = lines.filter((l) => l[0] !== "+").length, newLen = lines.filter((l) => l[0] !== "-").length;
      out.push({header: "@@ -" + (oldLen ? o0 : o0 - 1) + "," + oldLen + " +" + (newLen ? n0 : n0 - 1) + "," + newLen + " @@", lines});
      for (let j = i; j <= end; j++) { if (ops[j][0] !== "+") oldNo++; if (ops[j][0] !== "-") newNo++; }
      i = end + 1;
    }
    return out;
  }

  const splitLines = (text) => text === "" ? [] : text.replace(/\n$/, "").split("\n");

  /** The text before a unified patch, given the text after it (null when the patch does not fit the text). */
  function unapply(patch, after) {
    const lines = splitLines(after), out = [];
    let pos = 0;
    const parts = patch.split("\n");
    for (let i = 0; i < parts.length; i++) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(parts[i]);
      if (!m) continue;
      const start = Number(m[2] === "0" ? m[1] : m[1] - 1);
      if (start < pos || start > lines.length) return null;
      out.push(...lines.slice(pos, start));
      pos = start;
      for (i++; i < parts.length && !parts[i].startsWith("@@"); i++) {
        const op = parts[i][0], text = parts[i].slice(1);
        if (op === " " || op === "+") { if (lines[pos] !== text) return null; pos++; }
        if (op === " " || op === "-") out.push(text);
      }
      i--;
    }
    out.push(...lines.slice(pos));
    return out.join("\n");
  }

  const CUT = /\n\[cut: ([\d,]+) characters\]$/;
  function uncut(text) {  // the site cuts long texts (builder.TEXT_LIMIT) and says so at the end
    const m = typeof text === "string" ? CUT.exec(text) : null;
    return m ? {text: text.slice(0, m.index), cut: m[1]} : {text: typeof text === "string" ? text : "", cut: null};
  }

  function diffView(before, after) {
    const list = hunks(diffLines(splitLines(before), splitLines(after)));
    if (!list.length) return h("p", {class: "note"}, "Same content as before.");
    return h("pre", {class: "diff"}, list.map((hk) => [h("span", {class: "hunk"}, hk.header + "\n"),
      hk.lines.map(([op, text]) => h("span", {class: op === "+" ? "add" : op === "-" ? "del" : null}, op + text + "\n"))]));
  }

  // -- the timeline ----------------------------------------------------------------------------------------
  /** What a message holds: text, tool requests (Anthropic tool_use blocks, OpenAI tool_calls, Claude Code events'
   *  blocks), tool results, and anything else (shown as JSON). */
  function partsOf(content) {
    const parts = {text: [], uses: [], results: [], other: []};
    const block = (b) => {
      if (typeof b === "string") { parts.text.push(b); return; }
      if (!b || typeof b !== "object") { if (b !== null && b !== undefined) parts.text.push(String(b)); return; }
      if (b.type === "text" && typeof b.text === "string") parts.text.push(b.text);
      else if (b.type === "thinking" && typeof b.thinking === "string") parts.text.push(b.thinking);
      else if (b.type === "tool_use") parts.uses.push({id: b.id, name: b.name, input: b.input});
      else if (b.type === "tool_result") parts.results.push({id: b.tool_use_id, content: b.content, isError: !!b.is_error});
      else parts.other.push(b);
    };
    if (Array.isArray(content)) content.forEach(block);
    else if (content && typeof content === "object") {
      if (content.message && typeof content.message === "object" && "content" in content.message) {
        const inner = partsOf(content.message.content);  // a Claude Code stream event
        return inner;
      }
      if (Array.isArray(content.tool_calls) || (typeof content.content === "string" && content.role)) {  // OpenAI shape
        if (content.role === "tool") parts.results.push({id: content.tool_call_id, content: content.content, isError: false});
        else {
          if (typeof content.content === "string" && content.content) parts.text.push(content.content);
          (content.tool_calls || []).forEach((c) => {
            let input = c.function && c.function.arguments;
            try { input = typeof input === "string" ? JSON.parse(input) : input; } catch (e) { /* shown as given */ }
            parts.uses.push({id: c.id, name: c.function ? c.function.name : c.type, input});
          });
        }
      } else block(content);
    } else block(content);
    return parts;
  }

  /** The run's turns in order: messages with the tool calls they asked for right after them. zebench stores
   *  messages and tool calls apart; a message's tool requests are matched, in order, with the recorded calls.
   *  Calls no message asked for (offline agents) go before the final assistant message. */
  function timeline(transcript) {
    const messages = (transcript.messages || []).slice().sort((a, b) => a.seq - b.seq);
    const calls = (transcript.toolCalls || []).slice().sort((a, b) => a.seq - b.seq);
    const parsed = messages.map((m) => ({m, p: partsOf(m.content)}));
    const results = new Map();
    parsed.forEach(({p}) => p.results.forEach((r) => { if (r.id) results.set(r.id, r); }));
    const asked = new Set();
    parsed.forEach(({p}) => p.uses.forEach((u) => { if (u.id) asked.add(u.id); }));
    const items = [];
    let next = 0;
    parsed.forEach(({m, p}) => {
      const onlyResults = p.results.length && !p.text.length && !p.uses.length && !p.other.length &&
        p.results.every((r) => asked.has(r.id));
      if (!onlyResults) items.push({kind: "message", role: m.role, parts: p, seq: m.seq});
      p.uses.forEach((u) => {
        if (next < calls.length) items.push({kind: "call", call: calls[next++], use: u});
        else {  // asked for and run outside zebench's tools (Claude Code's own): its result is in a message
          const r = results.get(u.id);
          items.push({kind: "call", call: {seq: null, name: u.name, input: u.input || {}, output: r ? resultText(r.content) : null,
            isError: r ? r.isError : null, durationMs: null}, use: u, external: true});
        }
      });
    });
    if (next < calls.length) {
      const rest = calls.slice(next).map((c) => ({kind: "call", call: c}));
      const last = items.length - 1;
      if (next === 0 && items.length >= 2 && items[last].kind === "message" && items[last].role === "assistant") items.splice(last, 0, ...rest);
      else items.push(...rest);
    }
    return items;
  }

  function resultText(content) {
    if (typeof content === "string") return content;
    if (Array.isArray(content)) return content.map((c) => c && c.type === "text" ? c.text : JSON.stringify(c)).join("\n");
    return content === null || content === undefined ? "" : JSON.stringify(content, null, 2);
  }

  const normPath = (p) => typeof p === "string" ? p.replace(/^(\.\/)+/, "") : "";

  function commandOutput(output) {  // runCommand's output starts with "Exit code: N"
    const m = /^Exit code: (-?\d+)\n?/.exec(output || "");
    return m ? {exit: Number(m[1]), text: output.slice(m[0].length)} : {exit: null, text: output || ""};
  }

  /** The MCP server behind each offered tool name (metadata.mcp.servers[].tools: offered name -> MCP name). */
  function mcpTools(d) {
    const meta = (d.run && d.run.metadata) || {};
    const parsed = typeof meta === "string" ? (() => { try { return JSON.parse(meta); } catch (e) { return {}; } })() : meta;
    const out = new Map();
    ((parsed.mcp && parsed.mcp.servers) || []).forEach((s) => Object.entries(s.tools || {}).forEach(([offered, tool]) => {
      out.set(offered, {server: s.name, tool});
      out.set(s.name + "_" + tool, {server: s.name, tool});
    }));
    return out;
  }

  function renderCall(item, files, lastWrite, diffFiles, mcp) {
    const c = item.call, input = c.input && typeof c.input === "object" ? c.input : {};
    const via = c.server ? {server: c.server, tool: c.tool || c.name} : (mcp && mcp.get(c.name)) || null;
    const path = normPath(input.path || input.file_path);
    let target = "", body = [], badge = null;
    const out = uncut(c.output);
    const outputPre = (cls) => h("pre", {class: cls || null}, out.text + (out.cut ? "\n[cut: " + out.cut + " characters]" : ""));
    if (c.name === "writeFile" || c.name === "Write") {
      target = path;
      const content = uncut(input.content);
      let before = files.has(path) ? files.get(path) : undefined, source = "its previous content in this run";
      if (before === undefined) {
        const f = diffFiles.get(path);
        if (f && f.change === "added") { before = ""; source = "no file (new)"; }
        else if (f && f.patch && lastWrite.get(path) === item && !content.cut) {
          const original = unapply(f.patch, content.text);
          if (original !== null) { before = original; source = "the fixture (from the run's diff)"; }
        }
      }
      if (before === undefined) {
        body.push(h("p", {class: "note"}, "The file's content before this write is not in the transcript: the whole new content."),
          h("pre", {class: "code"}, content.text));
      } else {
        body.push(h("p", {class: "note"}, "Diff against " + source + "."), diffView(before, content.text));
      }
      if (content.cut) body.push(h("p", {class: "note"}, "The content was cut at 4,000 of " + content.cut + " characters: the diff covers the part shown."));
      files.set(path, content.text);
      if (out.text) body.push(h("div", {class: "result"}, outputPre()));
    } else if (c.name === "readFile" || c.name === "Read") {
      target = path;
      if (!c.isError && !out.cut && c.output !== null) files.set(path, out.text);
      body.push(outputPre("code"));
    } else if (c.name === "runCommand" || c.name === "Bash") {
      target = input.command || "";
      const r = commandOutput(out.text);
      badge = r.exit === null ? null : h("span", {class: "exit " + (r.exit === 0 ? "ok" : "bad")}, "exit " + r.exit);
      body.push(h("pre", {class: "shell"}, h("span", {class: "prompt"}, "$ "), h("span", {class: "cmd"}, input.command || ""), "\n",
        r.text + (out.cut ? "\n[cut: " + out.cut + " characters]" : "")));
      if (input.description) body.unshift(h("p", {class: "note"}, input.description));
    } else if (c.name === "listFiles") {
      target = input.path || ".";
      body.push(outputPre("code"));
    } else if (c.name === "askUser") {
      target = input.question || "";
      body.push(kv([["Question", input.question || ""], input.context ? ["Context", input.context] : null, ["Answer", out.text]]));
    } else {
      target = path || "";
      if (via) body.push(h("p", {class: "note"}, "MCP tool " + via.tool + " of the server " + via.server + "."));
      body.push(h("pre", {class: "code"}, JSON.stringify(input, null, 2)));
      if (c.output !== null && c.output !== undefined) body.push(outputPre());
    }
    const cls = "turn call" + (c.isError ? " error" : "");
    return h("details", {class: cls, "data-kind": "call", "data-tool": c.name, "data-seq": c.seq === null ? null : String(c.seq)},
      h("summary", {},
        h("span", {class: "tool"}, c.name), " ",
        via ? h("span", {class: "mcp", title: "MCP server"}, "MCP " + via.server) : null, " ",
        target ? h("code", {class: "target"}, target.length > 160 ? target.slice(0, 160) + "…" : target) : null, " ",
        badge, c.isError ? h("span", {class: "exit bad"}, "error") : null,
        h("span", {class: "meta"}, item.external ? "run by the agent's own tools" : (c.seq === null ? "" : "#" + c.seq) + " · " + dur(c.durationMs))),
      h("div", {class: "body"}, body));
  }

  function renderMessage(item) {
    const p = item.parts;
    const role = item.role || "message";
    const body = [];
    p.text.forEach((t) => body.push(h("div", {class: "text"}, uncut(t).text + (uncut(t).cut ? "\n[cut: " + uncut(t).cut + " characters]" : ""))));
    p.results.forEach((r) => body.push(h("pre", {class: r.isError ? "result error" : "result"}, resultText(r.content))));
    p.other.forEach((o) => body.push(h("pre", {class: "code"}, JSON.stringify(o, null, 2))));
    if (!body.length) body.push(h("p", {class: "empty"}, p.uses.length ? "(tool requests only)" : "(empty)"));
    const first = p.text.length ? p.text[0].replace(/\s+/g, " ").slice(0, 120) : "";
    return h("details", {class: "turn message " + (role === "user" ? "user" : role === "assistant" ? "assistant" : "other"), open: "", "data-kind": "message",
      "data-role": role},
      h("summary", {}, h("span", {class: "role"}, role), " ", h("span", {class: "preview"}, first)),
      h("div", {class: "body"}, body));
  }

  function timelineSection(d) {
    const tr = d.transcript || {messages: [], toolCalls: []};
    const items = timeline(tr);
    const parts = [h("h2", {}, "Timeline")];
    if (!items.length) { parts.push(h("p", {class: "empty"}, "No transcript was recorded.")); return h("section", {id: "transcript"}, parts); }
    const diffFiles = new Map((d.diff && d.diff.files || []).map((f) => [normPath(f.path), f]));
    const lastWrite = new Map();
    items.forEach((it) => { if (it.kind === "call" && (it.call.name === "writeFile" || it.call.name === "Write")) lastWrite.set(normPath((it.call.input || {}).path || (it.call.input || {}).file_path), it); });
    const files = new Map();
    const mcp = mcpTools(d);
    const rendered = items.map((it) => it.kind === "call" ? renderCall(it, files, lastWrite, diffFiles, mcp) : renderMessage(it));
    if (items.length <= 30) rendered.forEach((el) => { el.open = true; });  // a short run opens whole
    else rendered.forEach((el) => { if (el.classList.contains("error")) el.open = true; });
    const calls = items.filter((i) => i.kind === "call").length;
    const toggle = (open) => () => document.querySelectorAll("#timeline > details").forEach((el) => { el.open = open; });
    parts.push(h("p", {class: "actions"}, (items.length - calls) + " messages, " + calls + " tool calls · ",
      h("button", {type: "button", id: "expand-all"}, "Expand all"), " ", h("button", {type: "button", id: "collapse-all"}, "Collapse all")));
    parts.push(h("div", {id: "timeline"}, rendered));
    const section = h("section", {id: "transcript"}, parts);
    section.querySelector("#expand-all").addEventListener("click", toggle(true));
    section.querySelector("#collapse-all").addEventListener("click", toggle(false));
    return section;
  }

  // -- evaluators as checks ---------------------------------------------------------------------------------
  function checkMessage(e) {
    const d = e.details;
    if (e.error) return e.error;
    if (typeof d === "string") return d;
    if (!d || typeof d !== "object") return "";
    for (const key of ["message", "reason", "summary", "explanation"]) if (typeof d[key] === "string") return d[key];
    if (Array.isArray(d.checks)) return d.checks.filter((c) => c && c.passed).length + " of " + d.checks.length + " checks passed";
    if (Array.isArray(d.rules)) return d.rules.filter((c) => c && c.passed).length + " of " + d.rules.length + " rules passed";
    if (Array.isArray(d.findings)) return d.findings.length ? d.findings.length + " findings" : "no findings";
    if (typeof d.status === "string") return d.command ? d.command + ": " + d.status : d.status;
    return "";
  }

  function checkRow(e) {
    const ratio = e.applicable && e.score !== null && e.maxScore ? e.score / e.maxScore : null;
    const state = e.error ? "error" : !e.applicable ? "na" : ratio === null ? "na" : ratio >= 1 ? "pass" : ratio <= 0 ? "fail" : "partial";
    const label = {error: "error", na: "n/a", pass: "pass", fail: "fail", partial: "partial"}[state];
    const details = e.details && typeof e.details === "object" && Object.keys(e.details).length
      ? h("details", {class: "raw"}, h("summary", {}, "details"), h("pre", {}, JSON.stringify(e.details, null, 2))) : null;
    return h("tr", {class: "check " + state, "data-state": state},
      h("td", {}, h("span", {class: "badge " + state}, label)),
      h("td", {}, e.evaluatorName, e.kind ? h("small", {}, " " + e.kind) : null),
      h("td", {class: "n"}, num(e.weight, 1)),
      h("td", {class: "n"}, ratio === null ? dash : num(ratio, 2)),
      h("td", {class: "msg"}, checkMessage(e), details));
  }

  function checksSection(evaluations) {
    const parts = [h("h2", {}, "Checks")];
    if (!evaluations.length) { parts.push(h("p", {class: "empty"}, "No evaluations.")); return h("section", {id: "checks"}, parts); }
    const order = {error: 0, fail: 1, partial: 2, pass: 3};
    const real = evaluations.filter((e) => e.error || e.applicable);
    const na = evaluations.filter((e) => !e.error && !e.applicable);
    const head = h("thead", {}, h("tr", {}, h("th", {}, "Result"), h("th", {}, "Evaluator"), h("th", {class: "n"}, "Weight"), h("th", {class: "n"}, "Score 0-1"), h("th", {}, "Message")));
    const rows = real.map(checkRow).sort((a, b) => order[a.dataset.state] - order[b.dataset.state]);
    const failed = evaluations.filter((e) => e.error);
    if (failed.length) {  // an evaluator that failed has no score: said above the checks, with its message
      parts.push(h("div", {class: "failure", id: "evaluator-errors"},
        h("p", {class: "bad-note"}, "The score leaves out " + failed.map((e) => e.evaluatorName).join(", ") +
          " (it failed: no score), a gate that failed fails the run, and the run is not successful."),
        ...failed.map((e) => h("div", {}, h("strong", {}, e.evaluatorName), h("pre", {}, e.error)))));
    }
    parts.push(h("div", {class: "scroll"}, h("table", {class: "data checks"}, head, h("tbody", {}, rows))));
    if (na.length) {
      parts.push(h("details", {class: "na-checks"}, h("summary", {}, na.length + " not applicable (left out of the score)"),
        h("div", {class: "scroll"}, h("table", {class: "data checks"}, h("tbody", {}, na.map(checkRow))))));
    }
    return h("section", {id: "checks"}, parts);
  }

  // -- integrity: the guard's findings (blocking) and flags (not scored), each with its kind, path and evidence ---
  function findingsSection(evaluations) {
    const guard = evaluations.find((e) => e.evaluatorName === "integrity_guard" && e.details && typeof e.details === "object");
    const findings = guard && Array.isArray(guard.details.findings) ? guard.details.findings : [];
    const flags = guard && Array.isArray(guard.details.flags) ? guard.details.flags : [];
    if (!findings.length && !flags.length) return null;
    const rows = (list) => list.map((f) => [f.kind || dash, f.path ? h("code", {}, f.path) : dash, f.message || "",
      f.evidence ? h("pre", {}, typeof f.evidence === "string" ? f.evidence : JSON.stringify(f.evidence, null, 2)) : ""]);
    const parts = [h("h2", {}, "Integrity: findings and flags")];
    if (findings.length) {
      parts.push(h("p", {class: "bad-note"}, findings.length + " blocking finding" + (findings.length > 1 ? "s" : "") +
        ": the run is not successful, and it is counted among the runs with findings (docs/integrity.md)."),
        h("div", {class: "scroll"}, zb.table(["Kind", "Path", "Finding", "Evidence"], rows(findings))));
    }
    if (flags.length) {
      parts.push(h("h3", {}, "Flags (listed, not scored)"), h("div", {class: "scroll"}, zb.table(["Kind", "Path", "Flag", "Evidence"], rows(flags))));
    }
    return h("section", {id: "findings", class: findings.length ? "failure" : null}, parts);
  }

  // -- validation: baseline and after, side by side ----------------------------------------------------------
  function commandCell(v) {
    if (!v) return h("td", {class: "empty"}, "not run");
    const state = v.status === "passed" ? "pass" : v.status === "skipped" ? "na" : "fail";
    return h("td", {},
      h("span", {class: "badge " + state}, v.status), " ",
      h("span", {class: "meta"}, (v.exitCode === null || v.exitCode === undefined ? "" : "exit " + v.exitCode + " · ") + dur(v.durationMs)),
      v.outputTail ? h("details", {class: "output"}, h("summary", {}, "output"), h("pre", {class: "shell"}, v.outputTail)) : null);
  }

  function validationSection(d) {
    const after = d.validationResults || [], baseline = d.baselineResults || [];
    const parts = [h("h2", {}, baseline.length ? "Validation: baseline and after the agent" : "Validation commands")];
    if (!after.length && !baseline.length) { parts.push(h("p", {class: "empty"}, "No validation commands ran.")); return h("section", {id: "validation"}, parts); }
    const keys = [];
    const byKey = new Map();
    const key = (v) => v.kind + "\u0000" + v.command;
    for (const [side, list] of [["after", after], ["baseline", baseline]]) {
      list.forEach((v) => {
        if (!byKey.has(key(v))) { byKey.set(key(v), {kind: v.kind, command: v.command}); keys.push(key(v)); }
        byKey.get(key(v))[side] = v;
      });
    }
    const rows = keys.map((k) => {
      const r = byKey.get(k);
      const regressed = r.baseline && r.after && r.baseline.status === "passed" && (r.after.status === "failed" || r.after.status === "timeout");
      return h("tr", {class: regressed ? "regressed" : null},
        h("td", {}, r.kind, regressed ? h("strong", {class: "regression"}, " regression") : null),
        h("td", {}, h("code", {}, r.command)),
        ...(baseline.length ? [commandCell(r.baseline)] : []), commandCell(r.after));
    });
    parts.push(h("div", {class: "scroll"}, h("table", {class: "data validation"},
      h("thead", {}, h("tr", {}, h("th", {}, "Kind"), h("th", {}, "Command"), ...(baseline.length ? [h("th", {}, "Baseline (untouched fixture)")] : []), h("th", {}, "After the agent"))),
      h("tbody", {}, rows))));
    return h("section", {id: "validation"}, parts);
  }

  // -- the run view ------------------------------------------------------------------------------------------
  function runTitle(r) {
    return r.suite + "/" + r.scenario + " · " + r.tier + " · " + r.agent + (r.model ? "/" + r.model : "");
  }

  function renderRun(d, manifest, source) {
    const r = d.run;
    document.title = runTitle(r) + " · zebench";
    setStatus("run-title", runTitle(r));
    setStatus("run-status", "");
    const batchFile = new Map((manifest ? manifest.batches : []).map((b) => [b.id, b.file]));
    const sections = [];
    const successful = r.successful;  // as every count defines it (store.COUNT_CONDITIONS), served with the run
    sections.push(h("p", {class: "subtitle"}, "Run ", h("code", {id: "run-id"}, r.runId), " · started ", when(r.startedAt),
      r.completedAt ? [" · finished ", when(r.completedAt)] : null, source === "live" ? " · from the live API" : null));
    sections.push(h("dl", {class: "cards"},
      h("div", {}, h("dt", {}, "Status"), h("dd", {id: "run-state"}, r.status)),
      h("div", {class: successful ? "good" : "bad"}, h("dt", {}, "Success"), h("dd", {}, successful ? "yes" : "no")),
      h("div", {}, h("dt", {}, "Weighted score"), h("dd", {}, num(r.weightedScore), h("small", {}, " / 10" +
        (r.evaluatorErrors ? " (incomplete: " + r.evaluatorErrors + " evaluator" + (r.evaluatorErrors > 1 ? "s" : "") + " failed)" : "")))),
      h("div", {class: r.findings ? "bad" : null}, h("dt", {}, "Findings"), h("dd", {}, r.findings === null || r.findings === undefined ? dash : String(r.findings))),
      h("div", {}, h("dt", {}, "Success metric"), h("dd", {}, num(r.successMetric, 3))),
      h("div", {}, h("dt", {}, "Cost"), h("dd", {}, usd(r.costUsd))),
      d.telemetry ? h("div", {}, h("dt", {}, "Duration"), h("dd", {}, dur(d.telemetry.durationMs))) : null));
    if (r.failureCategory || r.error) {
      sections.push(h("section", {class: "failure"}, h("h2", {}, "Failure"),
        kv([["Category", r.failureCategory || dash], ["Stage", r.failureStage || dash]]), h("pre", {}, r.error || "")));
    }
    const findings = findingsSection(d.evaluations || []);
    if (findings) sections.push(findings);
    sections.push(checksSection(d.evaluations || []));
    sections.push(validationSection(d));
    sections.push(timelineSection(d));
    const diff = d.diff || {files: [], dependencyChanges: []};
    const diffParts = [h("h2", {}, "Diff of the workspace")];
    if (diff.dependencyChanges.length) {
      diffParts.push(h("h3", {}, "Dependency changes"), h("div", {class: "scroll"}, zb.table(["Manifest", "Section", "Name", "Before", "After"],
        diff.dependencyChanges.map((c) => [c.manifest, c.section, c.name, c.before || dash, c.after || dash]))));
    }
    if (!diff.files.length) diffParts.push(h("p", {class: "empty"}, "The agent changed no file."));
    diff.files.forEach((f) => {
      const body = f.binary ? h("p", {class: "note"}, "binary file") : h("pre", {class: "diff"}, (f.patch || "").split("\n").map((line) => h("span", {
        class: line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : line.startsWith("@@") ? "hunk" : null,
      }, line + "\n")));
      diffParts.push(h("details", {class: "file", open: diff.files.length <= 5 ? "" : null},
        h("summary", {}, h("code", {}, f.path), " ", h("small", {}, f.change + " +" + (f.additions || 0) + " −" + (f.deletions || 0) + (f.patchTruncated ? " (patch cut)" : ""))), body));
    });
    sections.push(h("section", {id: "diff"}, diffParts));
    const info = [
      ["Batch", r.batchId ? (batchFile.has(r.batchId) ? h("a", {href: root + "batches/" + encodeURIComponent(batchFile.get(r.batchId)) + ".html"}, r.batchId)
        : h("a", {href: root + "batch.html?id=" + encodeURIComponent(r.batchId)}, r.batchId)) : dash],
      ["Suite / scenario", r.suite + " / " + r.scenario], ["Tier", r.tier],
      ["Agent [model]", config(r.agent, r.model)], ["Repeat", r.repeatIndex],
      r.specialistEnabled || r.specialistName ? ["Specialist", (r.specialistName || "yes") + (r.specialistVersion ? " " + r.specialistVersion : "")] : null,
      ["Started", when(r.startedAt)], ["Completed", when(r.completedAt)],
      Object.keys(r.metadata || {}).length ? ["Metadata", h("pre", {}, JSON.stringify(r.metadata, null, 2))] : null];
    sections.push(h("section", {}, h("h2", {}, "Run"), kv(info)));
    if (d.telemetry) {
      const t = d.telemetry;
      sections.push(h("section", {}, h("h2", {}, "Telemetry"), kv([
        ["Duration", dur(t.durationMs)], ["Tool calls", int(t.toolCalls)], ["Tokens in / out", int(t.tokensIn) + " / " + int(t.tokensOut)],
        ["Cache read / write", int(t.cacheReadTokens) + " / " + int(t.cacheWriteTokens)],
        ["Agent cost", usd(t.costUsd)], ["Judge cost", usd(t.judgeCostUsd)],
        ["Stages", Object.keys(t.stageMs || {}).length ? zb.table(["Stage", "Time"], Object.entries(t.stageMs).map(([k, v]) => [k, dur(v)]), [1]) : dash],
        t.promptSent ? ["Prompt", h("pre", {}, t.promptSent)] : null])));
    }
    if (d.manifest) {
      const m = d.manifest;
      sections.push(h("section", {}, h("h2", {}, "Reproducibility manifest"), kv([
        ["zebench", m.zebenchVersion], ["Git commit", m.gitCommit || dash], ["Scenario hash", m.scenarioHash],
        ["Prompt hash", m.promptHash || dash], ["Agent / model", config(m.agent, m.model)],
        ["Python", m.pythonVersion], ["Platform", m.platform], ["Settings", h("pre", {}, JSON.stringify(m.settings || {}, null, 2))]])));
    }
    const raw = h("details", {class: "raw", id: "raw-json"}, h("summary", {}, "Raw JSON"));
    raw.addEventListener("toggle", () => {  // built on first open: a transcript can be large
      if (raw.open && raw.children.length === 1) raw.append(h("pre", {}, JSON.stringify(d, null, 2)));
    });
    sections.push(h("section", {}, raw));
    document.getElementById("run-view").replaceChildren(...sections);
  }

  async function findChunk(manifest, runId) {
    const ix = manifest.indexColumns.indexOf("runId"), idIx = manifest.indexColumns.indexOf("id");
    for (const n of manifest.indexChunks) {
      const row = (await zb.load("runs-index/" + n)).find((r) => r[ix] === runId);
      if (row) return Math.floor(row[idIx] / manifest.detailChunk);
    }
    return null;
  }

  async function runPage() {
    const params = new URLSearchParams(location.search);
    const runId = params.get("id");
    if (!runId) { setStatus("run-status", "No run given: open one from the Runs page."); return; }
    const [manifest, live] = await Promise.all([zb.load("manifest"), liveReady]);
    if (live) {  // the live API has every run, new ones too, with texts uncut
      const d = await live.get("runs/" + encodeURIComponent(runId)).catch(() => null);
      if (d) {
        d.transcript = await live.get("runs/" + encodeURIComponent(runId) + "/transcript").catch(() => null);
        renderRun(d, manifest, "live");
        return;
      }
    }
    const has = (details) => details && Object.prototype.hasOwnProperty.call(details, runId);
    const chunkOf = async (c) => (c === null || !/^[0-9]+$/.test(c)) ? null : zb.load("runs/" + c).catch(() => null);
    let details = await chunkOf(params.get("c"));
    if (!has(details)) details = await chunkOf(String(await findChunk(manifest, runId)));  // no or a stale c=
    if (!has(details)) {
      setStatus("run-status", "Run " + runId + " is not in this site (built " + manifest.builtAt + ").");
      return;
    }
    renderRun(details[runId], manifest, "site");
  }

  // -- the batch matrix --------------------------------------------------------------------------------------
  const itemName = (i) => i.suite + "/" + i.scenario + " " + i.tier;

  function runsHref(batchId, i) {
    const q = new URLSearchParams({batch: batchId, agent: i.agent, suite: i.suite, scenario: i.scenario, tier: i.tier});
    if (i.model) q.set("model", i.model);
    return root + "runs.html#" + q.toString();
  }

  function passAtK(c) {
    const entries = Object.entries(c.passAtK || {}).filter(([k]) => k.startsWith("pass@"));
    if (!entries.length) return "one run per item";
    const items = c.passAtKItems || {};
    return entries.map(([k, v]) => k + " " + pct(v) + (items[k.slice(5)] !== undefined ? " (" + items[k.slice(5)] + " items)" : "")).join(", ");
  }

  function renderMatrix(box, m) {
    const configs = Array.from(new Set(m.items.map((i) => config(i.agent, i.model)))).sort();
    const rows = new Map();
    m.items.forEach((i) => {
      const k = itemName(i);
      if (!rows.has(k)) rows.set(k, {name: k, cells: new Map(), regressions: 0, failures: 0, spread: 0});
      const row = rows.get(k);
      row.cells.set(config(i.agent, i.model), i);
      if (i.regressed) row.regressions++;
      if (!zb.succeeded(i)) row.failures++;
    });
    const sortSel = box.querySelector("select[name=sort]");
    const sortBy = sortSel ? sortSel.value : "regressions";
    const list = Array.from(rows.values());
    const byName = (a, b) => a.name.localeCompare(b.name);
    list.sort(sortBy === "name" ? byName : sortBy === "failures" ? (a, b) => b.failures - a.failures || byName(a, b)
      : (a, b) => b.regressions - a.regressions || b.failures - a.failures || byName(a, b));
    const head = h("tr", {}, h("th", {class: "item"}, "Item (suite/scenario tier)"), configs.map((c) => h("th", {class: "cfg", title: c}, h("span", {}, c))));
    const body = list.map((row) => h("tr", {"data-item": row.name, "data-regressions": String(row.regressions)},
      h("th", {class: "item", scope: "row"}, row.name),
      configs.map((c) => {
        const i = row.cells.get(c);
        if (!i) return h("td", {class: "cell none"}, "");
        const ok = zb.succeeded(i);
        const state = i.successful === i.runs ? "pass" : i.successful === 0 ? "fail" : "mixed";
        const text = i.runs === 1 ? (ok ? "pass" : "fail") : i.successful + " of " + i.runs;
        const prev = i.previousRuns ? " · before: " + i.previousSuccessful + " of " + i.previousRuns : "";
        return h("td", {class: "cell " + state + (i.regressed ? " regressed" : ""), "data-config": c},
          h("a", {href: runsHref(m.batchId, i), title: c + " · " + row.name + ": " + i.successful + " of " + i.runs + " successful" + prev + (i.regressed ? " (regressed)" : "")},
            text, i.regressed ? " ↓" : ""));
      })));
    const regressed = list.reduce((s, r) => s + r.regressions, 0);
    box.querySelector(".matrix-summary").textContent = list.length + " items × " + configs.length + " configurations" +
      (m.previousBatchId ? " · " + regressed + " regressed cells against " + m.previousBatchId : "");
    box.querySelector(".matrix-table").replaceChildren(h("table", {class: "data matrix", id: "matrix"}, h("thead", {}, head), h("tbody", {}, body)));
    box.querySelector(".pass-at-k").replaceChildren(h("table", {class: "data", id: "pass-at-k"},
      h("thead", {}, h("tr", {}, h("th", {}, "Agent [model]"), h("th", {class: "n"}, "Runs"), h("th", {class: "n"}, "Success"), h("th", {}, "pass@k"))),
      h("tbody", {}, (m.configurations || []).map((c) => h("tr", {"data-config": config(c.agent, c.model)},
        h("td", {}, config(c.agent, c.model)), h("td", {class: "n"}, int(c.runs)), h("td", {class: "n"}, pct(c.successRate)), h("td", {}, passAtK(c)))))));
    box.dataset.items = String(list.length);
  }

  async function matrixBox(box, batchId, file) {
    let m = null;
    const live = await liveReady;
    const previous = box.dataset.previous || "";
    if (live) m = await live.get("batches/" + encodeURIComponent(batchId) + "/matrix" + (previous ? "?previous=" + encodeURIComponent(previous) : "")).catch(() => null);
    if (!m && file) m = await zb.load("batch-matrix/" + file);
    if (!m) { box.querySelector(".matrix-summary").textContent = "This batch is not in this site."; return; }
    const draw = () => renderMatrix(box, m);
    box.querySelector("select[name=sort]").addEventListener("change", draw);
    draw();
    if (live) {
      const progress = h("p", {class: "note live-progress"});
      box.prepend(progress);
      const showProgress = async (l) => {  // the batch's own counts, as its page's cards show them once built
        const b = await l.get("batches/" + encodeURIComponent(batchId) + "?runs=0").catch(() => null);
        if (!b) return;
        const d = b.denominators || {};
        progress.textContent = "Live: " + int(b.totalRuns) + (b.expectedRuns ? " of " + int(b.expectedRuns) : "") + " runs stored · success " +
          pct(d.successRate) + " · " + (b.completedAt ? "finished " + zb.human(b.completedAt) : "not finished");
      };
      await showProgress(live);
      zb.onLive(async (l) => {
        if (!l.changed) return;
        const fresh = await l.get("batches/" + encodeURIComponent(batchId) + "/matrix" + (previous ? "?previous=" + encodeURIComponent(previous) : "")).catch(() => null);
        if (fresh) { m = fresh; draw(); }
        await showProgress(l);
      });
    }
  }

  function matrixShell() {
    return [h("p", {class: "note matrix-summary"}, "Loading…"),
      h("p", {class: "filters"}, h("label", {}, "Sort items ", h("select", {name: "sort"},
        h("option", {value: "regressions"}, "regressions first"), h("option", {value: "failures"}, "most failing first"),
        h("option", {value: "name"}, "by name")))),
      h("div", {class: "scroll matrix-table"}),
      h("h3", {}, "pass@k per configuration"),
      h("div", {class: "scroll pass-at-k"})];
  }

  async function batchPage() {
    const box = document.getElementById("batch-matrix");
    if (!box) return;
    box.append(...matrixShell());
    await matrixBox(box, box.dataset.batch, box.dataset.file);
  }

  // batch.html?id=: a batch of the site has its own page (served live, the site was built before this page was
  // served: every batch has one then); the page goes there before live mode starts (nothing left in flight)
  let batchTarget = null;
  function batchPageOf() {
    if (!batchTarget) {
      const id = new URLSearchParams(location.search).get("id");
      batchTarget = zb.load("manifest").then((manifest) => {
        const known = id && manifest.batches.find((b) => b.id === id);
        return known ? root + "batches/" + encodeURIComponent(known.file) + ".html" : null;
      });
    }
    return batchTarget;
  }

  async function batchViewPage() {  // batch.html?id=...: any batch, the ones started after the build too (live)
    const id = new URLSearchParams(location.search).get("id");
    if (await batchPageOf()) return;  // forwarded
    const [manifest, live] = await Promise.all([zb.load("manifest"), liveReady]);
    const known = id && manifest.batches.find((b) => b.id === id);
    if (!id || (!known && !live)) { setStatus("batch-status", id ? "Batch " + id + " is not in this site." : "No batch given."); return; }
    setStatus("batch-title", "Batch " + id);
    document.title = "Batch " + id + " · zebench";
    setStatus("batch-status", "");
    const box = document.getElementById("batch-matrix");
    box.dataset.batch = id;
    box.append(h("p", {}, h("a", {href: root + "runs.html#" + new URLSearchParams({batch: id}).toString()}, "The runs of this batch")), ...matrixShell());
    await matrixBox(box, id, known ? known.file : null);
  }

  // -- live mode -------------------------------------------------------------------------------------------
  // data/live.js says null in a built site; `zebench serve --site` answers it with where the API is.
  let liveResolve;
  const liveReady = new Promise((resolve) => { liveResolve = resolve; });
  const page = document.body.dataset.page;

  // What the database is at, in the form of a page's data-snapshot (zebench.site.pages.live_snapshot): counts
  // and texts only, so that Python and JavaScript write the same JSON.
  const snapshotOf = (stats, batches) => JSON.stringify([stats.totalRuns, stats.successfulRuns, stats.totalBatches,
    batches.map((b) => [b.batchId, b.totalRuns, b.completedAt])]);
  const batchSnapshot = (b) => JSON.stringify([b.batchId, b.totalRuns, b.completedAt]);  // pages.batch_snapshot

  // Pages whose figures are the build's: fetched again when the database moved on (the server builds before it
  // answers, so every figure of the new page is of one state). The runs table, the run view and the batch view
  // follow the API themselves; a page's [data-keep] parts (the live matrix, the comparison form) stay.
  const REFRESHED = new Set(["dashboard", "static", "batch", "compare"]);
  // A refresh waits for the server's build: the next one comes no sooner than three times the last one took, so
  // that a page left open does not keep a core busy beside the batch (a refresh put off is made when it is due).
  let refreshedAt = 0, refreshCost = 0, refreshLater = null;
  async function refreshPage(live) {
    if (!REFRESHED.has(page)) return;
    const wait = refreshedAt + 3 * refreshCost - Date.now();
    if (wait > 0) {
      if (!refreshLater) refreshLater = setTimeout(() => { refreshLater = null; refreshPage(zb.live).catch(() => null); }, wait);
      return;
    }
    let now = live.snapshot;
    if (page === "batch") {
      const box = document.getElementById("batch-matrix");
      const b = box ? await live.get("batches/" + encodeURIComponent(box.dataset.batch) + "?runs=0").catch(() => null) : null;
      if (!b) return;
      now = batchSnapshot(b);
    }
    if (now === document.body.dataset.snapshot) return;
    const asked = Date.now();
    const res = await fetch(location.pathname + location.search, {cache: "no-store"});
    refreshedAt = Date.now();
    refreshCost = refreshedAt - asked;
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const main = document.querySelector("main"), fresh = doc.querySelector("main");
    if (!main || !fresh) return;
    main.querySelectorAll("[data-keep][id]").forEach((el) => {
      const twin = fresh.querySelector("#" + CSS.escape(el.id));
      if (twin) twin.replaceWith(el);
    });
    main.replaceWith(document.adoptNode(fresh));
    for (const selector of ["footer", "#page-figures"]) {
      const mine = document.querySelector(selector), theirs = doc.querySelector(selector);
      if (mine && theirs) mine.replaceWith(document.adoptNode(theirs));
    }
    document.title = doc.title;
    document.body.dataset.snapshot = doc.body.dataset.snapshot || "";
    zb.renderCharts();
    zb.scrollHints();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  }

  async function startLive() {
    const cfg = await zb.load("live").catch(() => null);
    if (!cfg || location.protocol === "file:") { liveResolve(null); return; }
    const api = root + cfg.api;
    const get = async (path) => {
      const res = await fetch(api + "/" + path, {cache: "no-store", headers: {Accept: "application/json"}});
      if (!res.ok) throw new Error(path + ": HTTP " + res.status);
      return res.json();
    };
    const badge = h("a", {id: "live", class: "live", href: root + "batches.html", title: "Pages refresh from the live API"}, "live");
    const header = document.querySelector("header.top");
    if (header) header.append(badge);
    const live = {
      get, changed: false, ready: false, running: [],
      async newRuns(afterId, cols) {  // /api/v2/runs rows newer than afterId, as the runs table's arrays
        const out = [];
        let cursor = null;
        for (let pages = 0; pages < 20; pages++) {  // 10,000 runs a refresh at most: the next poll brings the rest
          const res = await fetch(api + "/runs?limit=500" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""), {cache: "no-store"});
          if (!res.ok) throw new Error("runs: HTTP " + res.status);
          const page = await res.json();
          const fresh = page.filter((r) => r.id > afterId);
          out.push(...fresh);
          cursor = res.headers.get("X-Next-Cursor");
          if (fresh.length < page.length || !cursor) break;
        }
        out.sort((a, b) => a.id - b.id);
        return out.map((r) => cols.map((c) => c === "durationMs"
          ? (r.completedAt && r.startedAt ? new Date(r.completedAt) - new Date(r.startedAt) : null)
          : r[c] === undefined ? null : r[c]));
      },
    };
    zb.live = live;
    zb.liveHandlers.unshift(refreshPage);  // first: the page's other live parts then work on its fresh content
    let last = null, timer = null;
    const interval = cfg.interval || 3000;
    async function poll() {
      try {
        const [stats, batches] = await Promise.all([get("stats"), get("batches?limit=" + (cfg.batches || 10))]);
        // running: not marked finished, runs still missing, started in the last day (a crashed batch is never
        // marked finished: it must not look running for ever)
        const running = batches.filter((b) => !b.completedAt && !(b.expectedRuns && b.totalRuns >= b.expectedRuns) &&
          Date.now() - Date.parse(b.createdAt) < 24 * 3600 * 1000);
        const signature = snapshotOf(stats, batches);
        live.changed = last !== null && signature !== last;
        live.snapshot = signature;
        live.stats = stats;
        live.running = running;
        live.batches = batches;
        const first = last === null;
        last = signature;
        badge.className = "live" + (running.length ? " running" : "");
        badge.textContent = running.length ? "live · " + running.length + " batch" + (running.length > 1 ? "es" : "") + " running" : "live";
        badge.title = "Connected to the live API; checked " + new Date().toLocaleTimeString("en-GB") + (running.length ? "; running: " + running.map((b) => b.batchId).join(", ") : "");
        document.body.dataset.live = running.length ? "running" : "idle";
        if (first || live.changed) {
          for (const fn of zb.liveHandlers.slice()) { try { await fn(live); } catch (err) { console.warn("live refresh failed", err); } }
          live.ready = true;  // handlers registered from now on run at once (zb.onLive)
          document.body.dataset.liveVersion = String(Number(document.body.dataset.liveVersion || 0) + 1);
        }
      } catch (err) {
        badge.className = "live offline";
        badge.textContent = "live · unreachable";
        document.body.dataset.live = "offline";
      }
      // quicker while a batch runs; the API is local (zebench serve)
      timer = setTimeout(poll, live.running.length ? interval : interval * 5);
    }
    liveResolve(live);
    await poll();
    return timer;
  }

  function dashboardLive() {  // the totals and the batches running now
    zb.onLive((live) => {  // after refreshPage: the cards and tables are already those of the live data
      let box = document.getElementById("live-batches");
      if (!box) {
        box = h("section", {id: "live-batches"});
        const main = document.querySelector("main h1");
        if (main) main.after(box);
      }
      const files = new Map();
      zb.load("manifest").then((manifest) => {
        manifest.batches.forEach((b) => files.set(b.id, b.file));
        box.replaceChildren(h("h2", {}, "Running now"), live.running.length ? h("div", {class: "scroll"}, zb.table(["Batch", "Started", "Runs", "Success so far"],
          live.running.map((b) => [h("a", {href: files.has(b.batchId) ? root + "batches/" + encodeURIComponent(files.get(b.batchId)) + ".html" : root + "batch.html?id=" + encodeURIComponent(b.batchId)}, b.batchId),
            when(b.createdAt), int(b.totalRuns) + (b.expectedRuns ? " of " + int(b.expectedRuns) : ""), pct(b.denominators ? b.denominators.successRate : null)]), [2, 3]))
          : h("p", {class: "empty"}, "No batch is running."));
      });
    });
  }

  zb.pages.run = runPage;
  zb.pages.batch = batchPage;
  zb.pages["batch-view"] = batchViewPage;
  zb.views = {diffLines, hunks, unapply, timeline, partsOf};  // for tests and other scripts
  (page === "batch-view" ? batchPageOf() : Promise.resolve(null)).then((target) => {
    if (target) { location.replace(target); return null; }
    return startLive().then(() => { if (page === "dashboard") dashboardLive(); });
  }).catch((err) => { console.error(err); liveResolve(null); });
})();
