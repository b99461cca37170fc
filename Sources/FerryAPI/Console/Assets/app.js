// Ferry web console. Plain JavaScript, no dependencies; it only calls the public HTTP API v1.
//
// Safety rule: data from the server (topic names, keys, values, headers, error texts) only ever reaches the
// page as text nodes (el()/textContent), never as markup. The server also sends a strict
// Content-Security-Policy for these files.
"use strict";

(() => {
  const TOKEN_KEY = "ferry.token";
  const POLL_MS = 3000;
  const MAX_SHOWN = 500; // messages kept in the browser list (follow mode drops the oldest)
  const MAX_PRETTY = 200000; // characters of a value pretty-printed; longer ones are shown as plain text

  const state = {
    token: localStorage.getItem(TOKEN_KEY) || "",
    view: null, // {refresh(), unmount()}
    timer: null,
    ends: new Map(), // "topic" or "topic/p" -> {t, end, rate}
  };

  // ---------------------------------------------------------------- DOM helpers (text only)

  /** el("td", {class: "num"}, "text", childNode, …): strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else if (name === "value" || name === "checked" || name === "disabled" || name === "selected") node[name] = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    add(node, children);
    return node;
  }
  function add(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function replace(node, ...children) {
    node.replaceChildren();
    return add(node, children);
  }
  const enc = encodeURIComponent;
  const topicLink = (name) => el("a", { href: "#/topic/" + enc(name) }, name);
  const groupLink = (name) => el("a", { href: "#/group/" + enc(name) }, name);
  const queueLink = (topic, name) => el("a", { href: "#/queue/" + enc(topic) + "/" + enc(name) }, name);

  function fmtInt(n) {
    return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US");
  }
  function fmtBytes(n) {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = Number(n), unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }
  function fmtTime(ms) {
    if (ms === null || ms === undefined) return "–";
    const d = new Date(Number(ms));
    return isNaN(d) ? String(ms) : d.toISOString().replace("T", " ").replace("Z", " UTC");
  }
  function fmtRate(rate) {
    if (rate === undefined) return "…";
    return (rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)) + " msg/s";
  }
  function pill(text, kind) { return el("span", { class: "pill " + (kind || text) }, text); }
  function table(headers, rows, emptyText, attrs) {
    const head = el("tr", {}, headers.map((h) => {
      const [label, cls] = Array.isArray(h) ? h : [h, ""];
      return el("th", { class: cls }, label);
    }));
    const body = rows.length ? rows : [el("tr", {}, el("td", { class: "empty", colspan: headers.length }, emptyText))];
    return el("table", attrs || {}, el("thead", {}, head), el("tbody", {}, body));
  }
  function statusLine(node, text, kind) {
    node.className = "status-line" + (kind ? " " + kind : "");
    node.textContent = text || "";
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, problem) {
      const detail = problem && typeof problem === "object" ? (problem.detail || problem.title) : problem;
      super(detail ? `${status}: ${detail}` : `HTTP ${status}`);
      this.status = status;
      this.problem = problem && typeof problem === "object" ? problem : null;
      this.slug = this.problem && typeof this.problem.type === "string" ? this.problem.type.replace("urn:ferry:error:", "") : "";
    }
  }

  function authHeaders(extra) {
    const headers = Object.assign({}, extra);
    if (state.token) headers.Authorization = "Bearer " + state.token;
    return headers;
  }

  /** Calls the API; resolves with {data, text} (data parsed with JSON.parse), rejects with ApiError. */
  async function call(method, path, body, contentType) {
    const headers = authHeaders({ Accept: "application/json" });
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = contentType || "application/json";
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: payload, cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, { detail: "server unreachable (" + error.message + ")" });
    }
    const text = await response.text();
    let data = null;
    if (text) { try { data = JSON.parse(text); } catch (_) { data = text; } }
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) authProblem(response.status, data);
      throw new ApiError(response.status, data);
    }
    return { data, text };
  }
  const api = async (method, path, body) => (await call(method, path, body)).data;

  /** Promise.all over at most `width` concurrent calls. */
  async function mapLimited(items, width, fn) {
    const out = new Array(items.length);
    let next = 0;
    async function worker() {
      while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
    }
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
    return out;
  }

  // ---------------------------------------------------------------- exact JSON (numbers kept as written)

  /** Parses JSON keeping numbers as {kind: "number", raw} and objects as ordered entries. */
  function parseExact(text) {
    let i = 0;
    const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    const STR = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    const fail = () => { throw new SyntaxError("invalid JSON at " + i); };
    const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
    function string() {
      STR.lastIndex = i;
      const m = STR.exec(text);
      if (!m) fail();
      i = STR.lastIndex;
      return JSON.parse(m[0]);
    }
    function value(depth) {
      if (depth > 200) fail();
      ws();
      const c = text[i];
      if (c === "{") {
        i++; const entries = []; ws();
        if (text[i] === "}") { i++; return { kind: "object", entries }; }
        for (;;) {
          ws(); if (text[i] !== '"') fail();
          const key = string(); ws();
          if (text[i++] !== ":") fail();
          entries.push([key, value(depth + 1)]); ws();
          if (text[i] === ",") { i++; continue; }
          if (text[i++] !== "}") fail();
          return { kind: "object", entries };
        }
      }
      if (c === "[") {
        i++; const items = []; ws();
        if (text[i] === "]") { i++; return { kind: "array", items }; }
        for (;;) {
          items.push(value(depth + 1)); ws();
          if (text[i] === ",") { i++; continue; }
          if (text[i++] !== "]") fail();
          return { kind: "array", items };
        }
      }
      if (c === '"') return string();
      if (text.startsWith("true", i)) { i += 4; return true; }
      if (text.startsWith("false", i)) { i += 5; return false; }
      if (text.startsWith("null", i)) { i += 4; return null; }
      NUM.lastIndex = i;
      const m = NUM.exec(text);
      if (!m) fail();
      i = NUM.lastIndex;
      return { kind: "number", raw: m[0] };
    }
    const result = value(0);
    ws();
    if (i !== text.length) fail();
    return result;
  }
  function field(node, key) {
    if (node && node.kind === "object") for (const [k, v] of node.entries) if (k === key) return v;
    return undefined;
  }

  /** Appends the pretty-printed exact JSON node to `parent` as coloured text spans. */
  function pretty(node, depth, parent) {
    const pad = "  ".repeat(depth);
    if (node === null || node === true || node === false) parent.append(el("span", { class: "j-lit" }, String(node)));
    else if (typeof node === "string") parent.append(el("span", { class: "j-str" }, JSON.stringify(node)));
    else if (node.kind === "number") parent.append(el("span", { class: "j-num" }, node.raw));
    else if (node.kind === "array") {
      if (!node.items.length) { parent.append("[]"); return; }
      parent.append("[\n");
      node.items.forEach((item, index) => {
        parent.append(pad + "  ");
        pretty(item, depth + 1, parent);
        parent.append(index < node.items.length - 1 ? ",\n" : "\n");
      });
      parent.append(pad + "]");
    } else {
      if (!node.entries.length) { parent.append("{}"); return; }
      parent.append("{\n");
      node.entries.forEach(([key, item], index) => {
        parent.append(pad + "  ", el("span", { class: "j-key" }, JSON.stringify(key)), ": ");
        pretty(item, depth + 1, parent);
        parent.append(index < node.entries.length - 1 ? ",\n" : "\n");
      });
      parent.append(pad + "}");
    }
  }

  // ---------------------------------------------------------------- messages

  /** One message card. `exact` is the message parsed with parseExact (for the value), `m` with JSON.parse. */
  function messageCard(m, exact) {
    const headerEntries = Object.entries(m.headers || {});
    const valueNode = exact ? field(exact, "value") : m.value;
    const pre = el("pre", { class: "msg-value" });
    let kind;
    if (m.value === null && m.value_base64 !== undefined) {
      kind = "binary (base64)";
      pre.textContent = m.value_base64;
    } else if (m.value === null) {
      kind = "null (tombstone)";
      pre.textContent = "null";
    } else if (typeof m.value === "string") {
      kind = "text";
      pre.textContent = m.value;
      const trimmed = m.value.trim();
      if ((trimmed.startsWith("{") || trimmed.startsWith("[")) && m.value.length <= MAX_PRETTY) {
        try { const parsed = parseExact(trimmed); pre.textContent = ""; pretty(parsed, 0, pre); kind = "text (JSON)"; } catch (_) { /* plain text */ }
      }
    } else {
      kind = "json";
      const compact = JSON.stringify(m.value);
      if (valueNode !== undefined && compact.length <= MAX_PRETTY) pretty(valueNode, 0, pre);
      else pre.textContent = compact;
    }
    let key;
    if (m.key !== null && m.key !== undefined) key = el("span", { class: "key" }, "key ", JSON.stringify(m.key));
    else if (m.key_base64 !== undefined) key = el("span", { class: "key" }, "key (base64) ", m.key_base64);
    return el("div", { class: "msg", "data-offset": m.offset, "data-partition": m.partition },
      el("div", { class: "msg-head" },
        el("span", { class: "offset" }, "#" + m.offset),
        el("span", {}, "partition " + m.partition),
        el("span", {}, fmtTime(m.timestamp)),
        key || el("span", {}, "no key"),
        el("span", { class: "kind" }, kind)),
      headerEntries.length ? el("div", { class: "msg-headers" },
        headerEntries.map(([k, v]) => el("span", { class: "hdr" }, k + ": " + v))) : null,
      pre);
  }

  /** Splits a fetch response body into [[message, exactMessage]]. */
  function messagesOf(text, data) {
    let exactList = [];
    try { exactList = field(parseExact(text), "messages").items; } catch (_) { /* fall back to JSON.parse values */ }
    return (data.messages || []).map((m, i) => [m, exactList[i]]);
  }

  /** Follows a partition with the SSE endpoint read through fetch() (EventSource cannot send a token). */
  async function followPartition(topic, partition, offset, signal, onMessage, onStatus) {
    let from = offset;
    while (!signal.aborted) {
      try {
        const response = await fetch(
          `/v1/topics/${enc(topic)}/partitions/${partition}/messages?offset=${from}`,
          { headers: authHeaders({ Accept: "text/event-stream" }), signal, cache: "no-store" });
        if (!response.ok) {
          const text = await response.text();
          let problem = null;
          try { problem = JSON.parse(text); } catch (_) { problem = text; }
          throw new ApiError(response.status, problem);
        }
        onStatus("following partition " + partition + " (live)", "ok");
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n?/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = [];
            let event = "message";
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              const colon = line.indexOf(":");
              const name = colon < 0 ? line : line.slice(0, colon);
              let fieldValue = colon < 0 ? "" : line.slice(colon + 1);
              if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
              if (name === "data") data.push(fieldValue);
              else if (name === "event") event = fieldValue;
            }
            if (event !== "message" || !data.length) continue;
            const text = data.join("\n");
            const m = JSON.parse(text);
            let exact;
            try { exact = parseExact(text); } catch (_) { exact = undefined; }
            from = Number(m.offset) + 1;
            onMessage(m, exact);
          }
        }
        if (!signal.aborted) onStatus("stream ended; reconnecting…", "");
      } catch (error) {
        if (signal.aborted) return;
        onStatus("follow: " + error.message + "; retrying in 2 s", "error");
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  // ---------------------------------------------------------------- produce rate

  /** Records an end offset seen now under `key` and returns msg/s since the previous sample (or undefined). */
  function sampleRate(key, end) {
    const now = performance.now();
    const previous = state.ends.get(key);
    let rate = previous ? previous.rate : undefined;
    if (previous && now - previous.t >= 1000) {
      rate = Math.max(0, (end - previous.end) * 1000 / (now - previous.t));
      state.ends.set(key, { t: now, end, rate });
    } else if (!previous) {
      state.ends.set(key, { t: now, end, rate });
    }
    return rate;
  }

  // ---------------------------------------------------------------- charts (inline SVG, no library)
  //
  // A page that charts keeps its own samples (series name -> number, taken on the page's refresh) in a
  // History: in memory only, empty when the page opens, at most the last 15 minutes. lineChart() draws one
  // History into an <svg data-chart="…"> with a <polyline data-series="…"> per series. Names reach the SVG
  // and the legend only as text nodes, like everything else on the page.

  const CHART_WINDOW_MS = 15 * 60 * 1000;
  const CHART_MAX_SAMPLES = 1000; // a bound on the ring buffer even if refreshes come faster than the timer
  const SVG_NS = "http://www.w3.org/2000/svg";
  const CHART = { width: 640, height: 180, left: 52, right: 12, top: 10, bottom: 22 };
  const CHART_COLOURS = 8; // .s0 … .s7 in app.css

  /** svg("line", {x1: 0, …}, child, "text", …): like el() in the SVG namespace; strings become text nodes. */
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    return add(node, children);
  }

  /** The samples of one open page: [{t (ms, performance.now()), values: {series: number}}], oldest first. */
  class History {
    constructor() { this.samples = []; }
    push(values) {
      const t = performance.now();
      this.samples.push({ t, values });
      while (this.samples.length > CHART_MAX_SAMPLES || (this.samples.length && t - this.samples[0].t > CHART_WINDOW_MS)) {
        this.samples.shift();
      }
    }
    /** Series names in first-seen order (sorted by `compare` when given). */
    names(compare) {
      const seen = new Set();
      for (const s of this.samples) for (const name of Object.keys(s.values)) seen.add(name);
      return compare ? [...seen].sort(compare) : [...seen];
    }
  }

  /** Per-second growth of counters: feed it {name: counter} on each refresh, it returns {name: rate} or null. */
  function rateMeter() {
    let previous = null;
    return (counters) => {
      const now = performance.now();
      if (previous && now - previous.t < 1000) return null; // too close to the last sample to say anything
      const rates = {};
      if (previous) {
        for (const [name, value] of Object.entries(counters)) {
          const before = previous.counters[name];
          if (value === undefined || before === undefined) continue;
          rates[name] = Math.max(0, (value - before) * 1000 / (now - previous.t)); // a reset counts as 0
        }
      }
      previous = { t: now, counters };
      return rates;
    };
  }

  function fmtChartValue(v) {
    if (Math.abs(v) >= 1000) return fmtInt(Math.round(v));
    return Number.isInteger(v) ? String(v) : v.toFixed(v >= 100 ? 0 : 1);
  }
  function fmtAge(ms) {
    const s = Math.round(ms / 1000);
    return s < 60 ? `−${s} s` : `−${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  }

  /**
   * Draws `history` as a multi-series line chart. Returns a <figure> holding the <svg data-chart=id>, a legend
   * and a caption; call it again on every sample and swap the figure in (chartBox() does that).
   * options: {labels: {series: "legend text"}, unit: "msg/s", order: (a, b) => …, empty: "text"}.
   */
  function lineChart(id, history, options) {
    const opts = options || {};
    const { width, height, left, right, top, bottom } = CHART;
    const plotW = width - left - right, plotH = height - top - bottom;
    const names = history.names(opts.order);
    const samples = history.samples;
    const now = performance.now();
    const oldest = samples.length ? samples[0].t : now;
    const span = Math.max(10000, now - oldest); // the time axis: now back to the oldest sample, at least 10 s
    let min = 0, max = 0;
    for (const s of samples) for (const v of Object.values(s.values)) { min = Math.min(min, v); max = Math.max(max, v); }
    if (max === min) max = min + 1;
    const x = (t) => (left + plotW - (now - t) / span * plotW).toFixed(1);
    const y = (v) => (top + plotH - (v - min) / (max - min) * plotH).toFixed(1);
    const unit = opts.unit ? " " + opts.unit : "";

    const chart = svg("svg", { "data-chart": id, class: "chart", viewBox: `0 0 ${width} ${height}`,
      role: "img", "aria-label": opts.title || id },
    svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: top + plotH }),
    svg("line", { class: "axis", x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH }),
    svg("line", { class: "grid", x1: left, y1: top, x2: left + plotW, y2: top }),
    svg("text", { class: "tick", x: left - 6, y: top + 4, "text-anchor": "end", "data-axis": "max" }, fmtChartValue(max)),
    svg("text", { class: "tick", x: left - 6, y: top + plotH, "text-anchor": "end", "data-axis": "min" }, fmtChartValue(min)),
    svg("text", { class: "tick", x: left, y: height - 6, "text-anchor": "start" }, fmtAge(span)),
    svg("text", { class: "tick", x: left + plotW, y: height - 6, "text-anchor": "end" }, "now"));
    names.forEach((name, i) => {
      const points = samples.filter((s) => s.values[name] !== undefined);
      const last = points.length ? points[points.length - 1].values[name] : null;
      chart.append(svg("polyline", { class: "series s" + (i % CHART_COLOURS), "data-series": name,
        "data-points": points.length, "data-last": last,
        points: points.map((s) => x(s.t) + "," + y(s.values[name])).join(" ") }));
    });
    if (!names.length) {
      chart.append(svg("text", { class: "tick", x: left + plotW / 2, y: top + plotH / 2, "text-anchor": "middle" },
        opts.empty || "waiting for samples…"));
    }
    const legend = el("div", { class: "legend" }, names.map((name, i) => {
      const points = samples.filter((s) => s.values[name] !== undefined);
      const last = points.length ? fmtChartValue(points[points.length - 1].values[name]) + unit : "–";
      return el("span", { class: "legend-item", "data-series": name },
        svg("svg", { class: "swatch", viewBox: "0 0 12 12", width: 12, height: 12 },
          svg("rect", { class: "s" + (i % CHART_COLOURS), x: 0, y: 0, width: 12, height: 12, rx: 2 })),
        ((opts.labels && opts.labels[name]) || name) + " " + last);
    }));
    return el("figure", { class: "chart-figure" }, chart, legend,
      el("figcaption", { class: "muted" }, (opts.title ? opts.title + " — " : "") +
        `since this page opened, up to 15 min (sampled every ${POLL_MS / 1000} s, kept in this tab only)`));
  }

  /** A panel body that holds one chart and redraws it. */
  function chartBox(id, history, options) {
    const box = el("div", { class: "chart-box" });
    const draw = () => replace(box, lineChart(id, history, options));
    draw();
    return { box, draw };
  }

  /** The value of label `name` in a Prometheus label set such as `topic="a",partition="0"`. */
  function promLabel(labels, name) {
    const pattern = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    let m;
    while ((m = pattern.exec(labels))) {
      if (m[1] === name) return m[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    }
    return undefined;
  }

  /** Messages read from `topic` so far (`ferry_topic_fetched_messages_total` in /metrics), or undefined. */
  async function fetchedMessages(topic) {
    let text;
    try { text = (await call("GET", "/metrics")).text || ""; } catch (_) { return undefined; }
    for (const line of text.split("\n")) {
      const m = /^ferry_topic_fetched_messages_total\{(.*)\}\s+(\S+)/.exec(line);
      if (m && promLabel(m[1], "topic") === topic) return Number(m[2]);
    }
    return undefined;
  }

  // ---------------------------------------------------------------- views

  const views = {};

  views.topics = () => {
    const list = el("div", { id: "topics-list" }, el("p", { class: "muted" }, "Loading…"));
    const createStatus = el("div", { class: "status-line" });
    const name = el("input", { placeholder: "topic name", required: true, pattern: "[A-Za-z0-9._\\-]{1,249}" });
    const partitions = el("input", { type: "number", min: 1, max: 1024, value: "1", "aria-label": "partitions" });
    const form = el("form", { class: "row", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/v1/topics", { name: name.value, partitions: Number(partitions.value) });
        statusLine(createStatus, "created " + name.value, "ok");
        name.value = "";
        refresh();
      } catch (error) { statusLine(createStatus, error.message, "error"); }
    } }, name, el("label", {}, "partitions"), partitions, el("button", { type: "submit" }, "Create topic"));
    const root = el("section", {},
      el("h1", {}, "Topics"),
      el("div", { class: "panel" }, list),
      el("div", { class: "panel" }, el("h2", {}, "New topic"), form, createStatus));

    async function refresh() {
      const topics = (await api("GET", "/v1/topics")).topics || [];
      const described = await mapLimited(topics.slice(0, 200), 6, (t) =>
        api("GET", "/v1/topics/" + enc(t.name)).catch(() => null));
      const rows = topics.map((t, i) => {
        const d = described[i];
        const end = d ? d.partitions.reduce((sum, p) => sum + p.end_offset, 0) : undefined;
        const rate = end === undefined ? undefined : sampleRate(t.name, end);
        return el("tr", { "data-topic": t.name },
          el("td", {}, topicLink(t.name)),
          el("td", { class: "num" }, fmtInt(t.partition_count)),
          el("td", { class: "num messages" }, fmtInt(t.messages)),
          el("td", { class: "num" }, fmtBytes(t.bytes)),
          el("td", { class: "num rate" }, d ? fmtRate(rate) : "–"));
      });
      replace(list, table(["Topic", ["Partitions", "num"], ["Messages", "num"], ["Size", "num"], ["Produce rate", "num"]],
        rows, "No topics yet: create one below or produce to a new name.", { id: "topics-table" }));
    }
    return { root, refresh };
  };

  views.topic = (topicName) => {
    const partitionsBox = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const configBox = el("div", {});
    const queuesBox = el("div", {});
    const subsBox = el("div", {});
    let partitionCount = 0;
    let described = null;
    const rateHistory = new History();
    const topicRates = rateMeter();
    const rateChart = chartBox("topic-rates", rateHistory, { unit: "msg/s", title: "messages per second",
      labels: { produce: "produce", fetch: "fetch" }, order: (a, b) => (a === "produce" ? -1 : b === "produce" ? 1 : 0) });

    // Message browser
    const browse = { partition: 0, first: null, next: null, follow: null };
    const partitionSelect = el("select", { id: "browse-partition", "aria-label": "partition" });
    const mode = el("select", { id: "browse-mode", "aria-label": "start at" },
      el("option", { value: "newest" }, "newest"), el("option", { value: "offset" }, "offset"),
      el("option", { value: "timestamp" }, "time"));
    const offsetInput = el("input", { type: "number", min: 0, value: "0", "aria-label": "offset", id: "browse-offset" });
    const timeInput = el("input", { type: "datetime-local", step: 1, "aria-label": "time", id: "browse-time" });
    const limitInput = el("input", { type: "number", min: 1, max: 10000, value: "20", "aria-label": "limit" });
    const messageList = el("div", { class: "messages", id: "messages" });
    const browseStatus = el("div", { class: "status-line", id: "browse-status" });
    const followButton = el("button", { type: "button", class: "secondary", id: "follow", onclick: () => toggleFollow() }, "Follow");
    const olderButton = el("button", { type: "button", class: "secondary", onclick: () => page(-1) }, "◀ Older");
    const newerButton = el("button", { type: "button", class: "secondary", onclick: () => page(+1) }, "Newer ▶");
    const syncMode = () => {
      offsetInput.hidden = mode.value !== "offset";
      timeInput.hidden = mode.value !== "timestamp";
    };
    mode.addEventListener("change", syncMode);
    syncMode();

    function partitionInfo(p) { return described ? described.partitions.find((x) => x.partition === p) : undefined; }

    async function load(offsetOrTime) {
      stopFollow();
      const p = Number(partitionSelect.value || 0);
      const limit = Math.max(1, Math.min(10000, Number(limitInput.value) || 20));
      let query;
      if (offsetOrTime && offsetOrTime.offset !== undefined) query = "offset=" + offsetOrTime.offset;
      else if (mode.value === "offset") query = "offset=" + Math.max(0, Number(offsetInput.value) || 0);
      else if (mode.value === "timestamp") {
        const t = timeInput.value ? new Date(timeInput.value).getTime() : 0;
        query = "timestamp=" + (isNaN(t) ? 0 : t);
      } else {
        const d = await api("GET", "/v1/topics/" + enc(topicName));
        const info = d.partitions.find((x) => x.partition === p);
        query = "offset=" + (info ? Math.max(info.start_offset, info.end_offset - limit) : 0);
      }
      try {
        const { data, text } = await call("GET",
          `/v1/topics/${enc(topicName)}/partitions/${p}/messages?${query}&limit=${limit}`);
        const items = messagesOf(text, data);
        replace(messageList, items.map(([m, exact]) => messageCard(m, exact)));
        browse.partition = p;
        browse.first = items.length ? Number(items[0][0].offset) : data.next_offset;
        browse.next = data.next_offset;
        statusLine(browseStatus, items.length
          ? `partition ${p}: offsets ${items[0][0].offset}…${items[items.length - 1][0].offset} of ${data.start_offset}…${data.end_offset - 1}`
          : `partition ${p}: no messages there (partition holds ${data.start_offset}…${data.end_offset - 1})`);
      } catch (error) {
        const extra = error.problem && error.problem.start_offset !== undefined
          ? ` (partition holds ${error.problem.start_offset}…${error.problem.end_offset - 1})` : "";
        statusLine(browseStatus, error.message + extra, "error");
      }
    }
    function page(direction) {
      if (browse.first === null) return load();
      const limit = Math.max(1, Number(limitInput.value) || 20);
      const info = partitionInfo(browse.partition);
      const start = info ? info.start_offset : 0;
      return load({ offset: direction < 0 ? Math.max(start, browse.first - limit) : browse.next });
    }
    function stopFollow() {
      if (browse.follow) { browse.follow.abort(); browse.follow = null; }
      followButton.classList.remove("on");
      followButton.textContent = "Follow";
    }
    function toggleFollow() {
      if (browse.follow) { stopFollow(); statusLine(browseStatus, "stopped following"); return; }
      const p = Number(partitionSelect.value || 0);
      if (browse.partition !== p) { replace(messageList); browse.next = null; }
      browse.partition = p;
      const controller = new AbortController();
      browse.follow = controller;
      followButton.classList.add("on");
      followButton.textContent = "Following…";
      const from = browse.next === null ? -1 : browse.next;
      followPartition(topicName, p, from, controller.signal, (m, exact) => {
        messageList.append(messageCard(m, exact));
        while (messageList.childElementCount > MAX_SHOWN) messageList.firstElementChild.remove();
        messageList.scrollTop = messageList.scrollHeight;
        browse.next = Number(m.offset) + 1;
      }, (text, kind) => statusLine(browseStatus, text, kind));
    }

    // Produce form
    const produceStatus = el("div", { class: "status-line", id: "produce-status" });
    const producePartition = el("select", { "aria-label": "partition", id: "produce-partition" });
    const keyInput = el("input", { placeholder: "key (optional)", id: "produce-key" });
    const valueInput = el("textarea", { placeholder: '{"id": 1}', id: "produce-value" });
    const formatSelect = el("select", { id: "produce-format", "aria-label": "value format" },
      el("option", { value: "json" }, "value is JSON"), el("option", { value: "text" }, "value is text"));
    const headersInput = el("textarea", { placeholder: "headers, one per line: name: value", id: "produce-headers", class: "short" });
    const produceForm = el("form", { class: "stack", id: "produce-form", onsubmit: (event) => { event.preventDefault(); produce(); } },
      el("div", { class: "row" }, el("label", {}, "partition"), producePartition, formatSelect),
      keyInput, valueInput, headersInput,
      el("div", { class: "row" }, el("button", { type: "submit" }, "Produce")), produceStatus);

    async function produce() {
      const record = [];
      const raw = valueInput.value;
      if (formatSelect.value === "json") {
        try { JSON.parse(raw); } catch (error) { statusLine(produceStatus, "value is not JSON: " + error.message, "error"); return; }
        record.push('"value":' + raw.trim()); // the text as typed: numbers stay exactly as written
      } else {
        record.push('"value_base64":' + JSON.stringify(base64(raw)));
      }
      if (keyInput.value) record.push('"key":' + JSON.stringify(keyInput.value));
      const headers = {};
      for (const line of headersInput.value.split("\n")) {
        if (!line.trim()) continue;
        const colon = line.indexOf(":");
        if (colon <= 0) { statusLine(produceStatus, "header line without 'name: value': " + line, "error"); return; }
        headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      if (Object.keys(headers).length) record.push('"headers":' + JSON.stringify(headers));
      if (producePartition.value !== "") record.push('"partition":' + Number(producePartition.value));
      try {
        const result = await api("POST", `/v1/topics/${enc(topicName)}/messages`, `{"records":[{${record.join(",")}}]}`);
        const o = result.offsets[0];
        statusLine(produceStatus, `stored in partition ${o.partition} at offset ${o.offset}`, "ok");
        refresh();
      } catch (error) { statusLine(produceStatus, error.message, "error"); }
    }

    const subsSeek = seekPanel(() => refresh());
    const root = el("section", {},
      el("h1", {}, "Topic ", el("span", { class: "mono", id: "topic-name" }, topicName)),
      el("div", { class: "grid" },
        el("div", {},
          el("div", { class: "panel" }, el("h2", {}, "Partitions"), partitionsBox),
          el("div", { class: "panel" }, el("h2", {}, "Produce and fetch rate"), rateChart.box),
          el("div", { class: "panel" }, el("h2", {}, "Messages"),
            el("div", { class: "row" }, el("label", {}, "partition"), partitionSelect, el("label", {}, "from"), mode,
              offsetInput, timeInput, el("label", {}, "limit"), limitInput,
              el("button", { type: "button", id: "browse-load", onclick: () => load() }, "Show"),
              olderButton, newerButton, followButton),
            browseStatus, messageList)),
        el("div", {},
          el("div", { class: "panel" }, el("h2", {}, "Produce a message"), produceForm),
          el("div", { class: "panel" }, el("h2", {}, "Queues"), queuesBox),
          el("div", { class: "panel" }, el("h2", {}, "Webhook subscriptions"), subsBox, subsSeek.root),
          el("div", { class: "panel" }, el("h2", {}, "Configuration"), configBox))));

    let firstLoad = true;
    async function refresh() {
      let d, fetched;
      try {
        [d, fetched] = await Promise.all([api("GET", "/v1/topics/" + enc(topicName)), fetchedMessages(topicName)]);
      } catch (error) {
        replace(partitionsBox, el("p", { class: "status-line error" }, error.message));
        return;
      }
      described = d;
      if (d.partition_count !== partitionCount) {
        partitionCount = d.partition_count;
        const keep = partitionSelect.value;
        replace(partitionSelect, d.partitions.map((p) => el("option", { value: String(p.partition) }, String(p.partition))));
        if (keep) partitionSelect.value = keep;
        const keepProduce = producePartition.value;
        replace(producePartition, el("option", { value: "" }, "by key / rotate"),
          d.partitions.map((p) => el("option", { value: String(p.partition) }, String(p.partition))));
        producePartition.value = keepProduce;
      }
      const total = d.partitions.reduce((sum, p) => sum + p.end_offset, 0);
      const topicRate = sampleRate(topicName, total);
      const rates = topicRates({ produce: total, fetch: fetched });
      if (rates) { rateHistory.push(rates); rateChart.draw(); }
      replace(partitionsBox,
        table(["Partition", ["Start", "num"], ["End", "num"], ["Messages", "num"], ["Size", "num"], ["Segments", "num"], ["Produce rate", "num"]],
          d.partitions.map((p) => el("tr", { "data-partition": p.partition },
            el("td", {}, String(p.partition)),
            el("td", { class: "num" }, fmtInt(p.start_offset)),
            el("td", { class: "num" }, fmtInt(p.end_offset)),
            el("td", { class: "num" }, fmtInt(p.end_offset - p.start_offset)),
            el("td", { class: "num" }, fmtBytes(p.bytes)),
            el("td", { class: "num" }, fmtInt(p.segments)),
            el("td", { class: "num" }, fmtRate(sampleRate(topicName + "/" + p.partition, p.end_offset))))),
          "No partitions.", { id: "partitions-table" }),
        el("p", { class: "muted" }, `Total produce rate ${fmtRate(topicRate)} · created ${fmtTime(d.created_at)}`));
      replace(configBox, el("dl", { class: "config" },
        Object.entries(d.config || {}).map(([k, v]) => [el("dt", {}, k), el("dd", {}, JSON.stringify(v))])));
      if (firstLoad) { firstLoad = false; load(); }
      try {
        const queues = (await api("GET", `/v1/topics/${enc(topicName)}/queues`)).queues || [];
        replace(queuesBox, queueTable(queues, false));
      } catch (error) { replace(queuesBox, el("p", { class: "status-line error" }, error.message)); }
      const subs = await subscriptionsOf(topicName);
      replace(subsBox, subscriptionTable(subs.list, subs.note, false, subsSeek, refresh));
    }
    const unmount = () => stopFollow();
    return { root, refresh, unmount };
  };

  function base64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  // Queues

  function queueTable(queues, withTopic) {
    const headers = [withTopic ? "Topic" : null, "Queue", ["Available", "num"], ["Leased", "num"], ["Acked", "num"],
      ["Dead-lettered", "num"], ["Max deliveries", "num"], "Dead-letter topic"].filter(Boolean);
    return table(headers, queues.map((q) => el("tr", { "data-queue": q.name },
      withTopic ? el("td", {}, topicLink(q.topic)) : null,
      el("td", { class: "mono" }, queueLink(q.topic, q.name)),
      el("td", { class: "num" }, fmtInt(q.available)),
      el("td", { class: "num" }, fmtInt(q.leased)),
      el("td", { class: "num" }, fmtInt(q.acked)),
      el("td", { class: "num" }, fmtInt(q.dead_lettered)),
      el("td", { class: "num" }, fmtInt(q.max_deliveries)),
      el("td", {}, q.dead_letter_topic ? topicLink(q.dead_letter_topic) : "–"))), "No queues.", { class: "queues-table" });
  }

  views.queues = () => {
    const box = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const root = el("section", {}, el("h1", {}, "Queues"), el("div", { class: "panel" }, box));
    async function refresh() {
      const topics = (await api("GET", "/v1/topics")).topics || [];
      const lists = await mapLimited(topics, 6, (t) =>
        api("GET", `/v1/topics/${enc(t.name)}/queues`).then((r) => r.queues || []).catch(() => []));
      replace(box, queueTable(lists.flat(), true));
    }
    return { root, refresh };
  };

  views.queue = (topicName, queueName) => {
    const countsBox = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const history = new History();
    const labels = { available: "available", leased: "leased", dead_lettered: "dead-lettered" };
    const order = (a, b) => Object.keys(labels).indexOf(a) - Object.keys(labels).indexOf(b);
    const chart = chartBox("queue-state", history, { unit: "messages", title: "messages by state", labels, order });
    const root = el("section", {},
      el("h1", {}, "Queue ", el("span", { class: "mono" }, queueName), " on ", topicLink(topicName)),
      el("div", { class: "panel" }, el("h2", {}, "Counts"), countsBox),
      el("div", { class: "panel" }, el("h2", {}, "Over time"), chart.box));
    async function refresh() {
      let q;
      try { q = await api("GET", `/v1/topics/${enc(topicName)}/queues/${enc(queueName)}`); } catch (error) {
        replace(countsBox, el("p", { class: "status-line error" }, error.message));
        return;
      }
      history.push({ available: q.available, leased: q.leased, dead_lettered: q.dead_lettered });
      chart.draw();
      replace(countsBox, queueTable([q], false),
        table(["Partition", ["Floor offset", "num"]], (q.partitions || []).map((p) => el("tr", { "data-partition": p.partition },
          el("td", {}, String(p.partition)), el("td", { class: "num" }, fmtInt(p.floor_offset)))), "No partitions."));
    }
    return { root, refresh };
  };

  // Webhook subscriptions

  /** The subscriptions of a topic: {list, note}; a server without the subscription routes gives an empty list. */
  async function subscriptionsOf(topic) {
    try {
      return { list: (await api("GET", `/v1/topics/${enc(topic)}/subscriptions`)).subscriptions || [], note: null };
    } catch (error) {
      if (error.status === 404 && error.slug === "not-found") return { list: [], note: "this server has no webhook subscriptions" };
      if (error.status === 404) return { list: [], note: null };
      return { list: [], note: error.message };
    }
  }

  function seekPanel(onDone) {
    let target = null;
    const title = el("strong", {});
    const to = el("select", { "aria-label": "seek to", class: "seek-to" },
      ["earliest", "latest", "timestamp", "offset"].map((v) => el("option", { value: v }, v)));
    const time = el("input", { type: "datetime-local", step: 1, "aria-label": "time" });
    const partition = el("input", { type: "number", min: 0, value: "0", "aria-label": "partition" });
    const offset = el("input", { type: "number", min: 0, value: "0", "aria-label": "offset" });
    const status = el("div", { class: "status-line", id: "seek-status" });
    const sync = () => {
      time.hidden = to.value !== "timestamp";
      partition.hidden = offset.hidden = to.value !== "offset";
    };
    to.addEventListener("change", sync);
    sync();
    const root = el("form", { class: "seek-panel", id: "seek-form", hidden: true, onsubmit: async (event) => {
      event.preventDefault();
      let body;
      if (to.value === "earliest" || to.value === "latest") body = { to: to.value };
      else if (to.value === "timestamp") body = { to: { timestamp: new Date(time.value).getTime() || 0 } };
      else body = { to: { offset: Number(offset.value), partition: Number(partition.value) } };
      try {
        await api("POST", `/v1/topics/${enc(target.topic)}/subscriptions/${enc(target.name)}/seek`, body);
        statusLine(status, "seek done", "ok");
        onDone();
      } catch (error) { statusLine(status, error.message, "error"); }
    } },
    el("div", { class: "row" }, "Seek ", title, " to", to, time, el("label", {}, "partition"), partition,
      el("label", {}, "offset"), offset, el("button", { type: "submit" }, "Seek"),
      el("button", { type: "button", class: "secondary", onclick: () => { root.hidden = true; } }, "Close")),
    status);
    return {
      root,
      open(sub) {
        target = sub;
        title.textContent = sub.topic + " / " + sub.name;
        statusLine(status, "");
        root.hidden = false;
      },
    };
  }

  function subscriptionTable(subs, note, withTopic, seek, onChange) {
    const headers = [withTopic ? "Topic" : null, "Name", "State", "URL", ["Lag", "num"], ["Delivered", "num"],
      ["Failed attempts", "num"], "Last status", "Last error", "Last delivery", ""].filter(Boolean);
    const rows = subs.map((s) => {
      const paused = s.state === "paused" || s.state === "disabled";
      const toggle = el("button", { type: "button", class: "small secondary", onclick: async () => {
        try {
          await api("PATCH", `/v1/topics/${enc(s.topic)}/subscriptions/${enc(s.name)}`, { paused: !paused });
          (onChange || (() => {}))();
        } catch (error) { showBanner(error.message); }
      } }, paused ? "Resume" : "Pause");
      toggle.classList.add("pause-toggle");
      return el("tr", { "data-subscription": s.name },
        withTopic ? el("td", {}, topicLink(s.topic)) : null,
        el("td", { class: "mono" }, s.name),
        el("td", {}, pill(String(s.state))),
        el("td", { class: "mono" }, s.url),
        el("td", { class: "num" }, fmtInt(s.lag)),
        el("td", { class: "num" }, fmtInt(s.delivered)),
        el("td", { class: "num" }, fmtInt(s.failed_attempts)),
        el("td", {}, s.last_status === null || s.last_status === undefined ? "–" : String(s.last_status)),
        el("td", { class: "error-text" }, s.last_error || "–"),
        el("td", {}, fmtTime(s.last_delivery_at)),
        el("td", {}, toggle, " ",
          el("button", { type: "button", class: "small secondary seek-open", onclick: () => seek.open(s) }, "Seek…")));
    });
    return el("div", {}, table(headers, rows, note || "No subscriptions.", { class: "subscriptions-table" }));
  }

  views.subscriptions = () => {
    const box = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const seek = seekPanel(() => refresh());
    const root = el("section", {}, el("h1", {}, "Webhook subscriptions"), el("div", { class: "panel" }, box, seek.root));
    async function refresh() {
      const topics = ((await api("GET", "/v1/topics")).topics || []).filter((t) => !t.name.endsWith(".dlq"));
      const results = await mapLimited(topics, 6, (t) => subscriptionsOf(t.name));
      const notes = results.map((r) => r.note).filter(Boolean);
      replace(box, subscriptionTable(results.flatMap((r) => r.list), notes[0], true, seek, refresh));
    }
    return { root, refresh };
  };

  // Consumer groups

  views.groups = () => {
    const box = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const root = el("section", {}, el("h1", {}, "Consumer groups"), el("div", { class: "panel" }, box));
    async function refresh() {
      const groups = (await api("GET", "/v1/groups")).groups || [];
      const described = await mapLimited(groups, 6, (g) => api("GET", "/v1/groups/" + enc(g.group)).catch(() => null));
      replace(box, table(["Group", ["Members", "num"], "Topics", ["Total lag", "num"]],
        groups.map((g, i) => el("tr", { "data-group": g.group },
          el("td", {}, groupLink(g.group)),
          el("td", { class: "num" }, fmtInt(g.member_count)),
          el("td", {}, (g.topics || []).map((t, j) => [j ? ", " : "", topicLink(t)])),
          el("td", { class: "num lag" }, described[i] ? fmtInt(described[i].offsets.reduce((s, o) => s + o.lag, 0)) : "–"))),
        "No consumer groups yet.", { id: "groups-table" }));
    }
    return { root, refresh };
  };

  views.group = (groupName) => {
    const membersBox = el("div", {});
    const offsetsBox = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const lagHistory = new History();
    const byPartition = (a, b) => {
      const [ta, pa] = [a.slice(0, a.lastIndexOf("/")), Number(a.slice(a.lastIndexOf("/") + 1))];
      const [tb, pb] = [b.slice(0, b.lastIndexOf("/")), Number(b.slice(b.lastIndexOf("/") + 1))];
      return ta < tb ? -1 : ta > tb ? 1 : pa - pb;
    };
    const lagChart = chartBox("group-lag", lagHistory, { unit: "messages", title: "lag per topic/partition",
      order: byPartition, empty: "no partitions" });
    const root = el("section", {},
      el("h1", {}, "Consumer group ", el("span", { class: "mono" }, groupName)),
      el("div", { class: "panel" }, el("h2", {}, "Lag per partition"), offsetsBox),
      el("div", { class: "panel" }, el("h2", {}, "Lag over time"), lagChart.box),
      el("div", { class: "panel" }, el("h2", {}, "Members"), membersBox));
    async function refresh() {
      let g;
      try { g = await api("GET", "/v1/groups/" + enc(groupName)); } catch (error) {
        replace(offsetsBox, el("p", { class: "status-line error" }, error.message));
        return;
      }
      const total = g.offsets.reduce((s, o) => s + o.lag, 0);
      lagHistory.push(Object.fromEntries(g.offsets.map((o) => [o.topic + "/" + o.partition, o.lag])));
      lagChart.draw();
      replace(offsetsBox,
        table(["Topic", ["Partition", "num"], ["Committed offset", "num"], ["End offset", "num"], ["Lag", "num"]],
          g.offsets.map((o) => el("tr", { "data-topic": o.topic, "data-partition": o.partition },
            el("td", {}, topicLink(o.topic)),
            el("td", { class: "num" }, String(o.partition)),
            el("td", { class: "num" }, o.committed_offset === null ? "none" : fmtInt(o.committed_offset)),
            el("td", { class: "num" }, fmtInt(o.end_offset)),
            el("td", { class: "num lag" }, fmtInt(o.lag)))),
          "No partitions.", { id: "group-offsets" }),
        el("p", {}, "Total lag ", el("strong", { id: "group-total-lag" }, fmtInt(total))));
      replace(membersBox, table(["Member", "Topics", "Assignments"],
        g.members.map((m) => el("tr", {},
          el("td", { class: "mono" }, m.member_id),
          el("td", {}, (m.topics || []).join(", ")),
          el("td", { class: "mono" }, (m.assignments || []).map((a) => a.topic + "/" + a.partition).join(", ") || "–"))),
        "No live members (offsets are kept)."));
    }
    return { root, refresh };
  };

  // Cluster: the gateways sharing this node's state

  views.cluster = () => {
    const box = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    const root = el("section", {}, el("h1", {}, "Cluster"), el("div", { class: "panel" }, box));
    async function refresh() {
      const c = await api("GET", "/v1/cluster");
      const nodes = c.nodes || [];
      replace(box,
        el("p", {}, "Cluster ", el("strong", { class: "mono" }, c.cluster), " — answered by ",
          el("span", { class: "mono" }, c.node_id || "?"), ". Any node answers any request; groups, queues and ",
          "subscriptions are served by their owner."),
        table(["Node", "URL", "Alive", ["Groups", "num"], ["Queues", "num"], ["Subscriptions", "num"], "Shards"],
          nodes.map((n) => el("tr", { "data-node": n.node_id },
            el("td", { class: "mono" }, n.node_id),
            el("td", { class: "mono" }, n.url || "–"),
            el("td", {}, el("span", { class: "pill " + (n.alive ? "ok" : "bad") }, n.alive ? "alive" : "gone")),
            el("td", { class: "num" }, fmtInt(n.owns.groups)),
            el("td", { class: "num" }, fmtInt(n.owns.queues)),
            el("td", { class: "num" }, fmtInt(n.owns.subscriptions)),
            el("td", { class: "mono" }, (n.shards || []).join(", ") || "–"))),
          "No nodes.", { id: "cluster-table" }));
    }
    return { root, refresh };
  };

  // ---------------------------------------------------------------- shell: routing, polling, token, health

  const banner = document.getElementById("banner");
  function showBanner(text, kind) {
    banner.className = "banner" + (kind ? " " + kind : "");
    banner.textContent = text;
    banner.hidden = !text;
  }
  function authProblem(status, data) {
    const detail = data && data.detail ? " (" + data.detail + ")" : "";
    showBanner(status === 401
      ? "This server needs a bearer token: enter it at the top right" + detail + "."
      : "The token has no right for part of this page" + detail + ".");
  }

  function route() {
    const parts = (location.hash || "#/topics").slice(2).split("/");
    const name = parts[0] || "topics";
    const arg = parts.length > 1 ? decodeURIComponent(parts.slice(1).join("/")) : undefined;
    if (name === "topic" && arg) return { nav: "topics", view: views.topic(arg) };
    if (name === "group" && arg) return { nav: "groups", view: views.group(arg) };
    if (name === "queue" && parts.length === 3) {
      return { nav: "queues", view: views.queue(decodeURIComponent(parts[1]), decodeURIComponent(parts[2])) };
    }
    if (views[name] && !["topic", "group", "queue"].includes(name)) return { nav: name, view: views[name]() };
    return { nav: "topics", view: views.topics() };
  }

  let refreshing = false;
  async function refreshNow() {
    if (refreshing || !state.view) return;
    refreshing = true;
    const view = state.view;
    try {
      await view.refresh();
      if (!banner.classList.contains("info") && state.view === view) showBanner("");
      document.getElementById("updated").textContent = "Updated " + new Date().toLocaleTimeString();
    } catch (error) {
      if (!(error.status === 401 || error.status === 403)) showBanner(error.message);
    } finally {
      refreshing = false;
    }
    checkHealth();
  }

  async function checkHealth() {
    const health = document.getElementById("health");
    try {
      const response = await fetch("/readyz", { cache: "no-store" });
      health.className = "pill " + (response.ok ? "ok" : "bad");
      health.textContent = response.ok ? "ready" : "not ready";
    } catch (_) {
      health.className = "pill bad";
      health.textContent = "offline";
    }
  }

  function mount() {
    if (state.view && state.view.unmount) state.view.unmount();
    const { nav, view } = route();
    state.view = view;
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.view === nav);
    replace(document.getElementById("main"), view.root);
    showBanner("");
    refreshNow();
  }

  function start() {
    const tokenInput = document.getElementById("token");
    tokenInput.value = state.token;
    document.getElementById("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      state.token = tokenInput.value.trim();
      if (state.token) localStorage.setItem(TOKEN_KEY, state.token); else localStorage.removeItem(TOKEN_KEY);
      showBanner(state.token ? "Token saved in this browser." : "Token removed.", "info");
      setTimeout(() => { if (banner.classList.contains("info")) showBanner(""); }, 2000);
      mount();
    });
    window.addEventListener("hashchange", mount);
    state.timer = setInterval(refreshNow, POLL_MS);
    mount();
  }

  start();
})();
