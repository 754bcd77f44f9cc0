(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var KIND_COLOR = { "function": "#3b6fd8", "event": "#b7791f", "cron": "#2e7d32", "sender": "#5f6368" };
  var EDGE_LABEL = { "waits": "waits for", "cancels": "cancels", "invokes": "invokes", "runs": "step.run",
                     "matches": "matches", "did_you_mean": "did you mean?" };
  var MAX_TEXT = 340;

  function fail(error) {
    document.body.setAttribute("data-error", String(error && error.message || error));
    document.getElementById("error").textContent = "The graph could not be drawn: " + String(error && error.message || error);
  }
  window.addEventListener("error", function (event) { fail(event.error || event.message); });

  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, edges = data.edges;
  var byId = {};
  nodes.forEach(function (node) { byId[node.id] = node; });
  var around = {};
  nodes.forEach(function (node) { around[node.id] = []; });
  edges.forEach(function (edge, index) {
    edge.index = index;
    if (around[edge.source]) around[edge.source].push(edge);
    if (around[edge.target] && edge.target !== edge.source) around[edge.target].push(edge);
  });

  var svg = document.getElementById("canvas");
  var viewport = document.getElementById("viewport");
  var edgeLayer = document.getElementById("edges");
  var nodeLayer = document.getElementById("nodes");
  var filterBox = document.getElementById("filter");
  var panel = document.getElementById("details");
  var autoDirection = data.view.direction !== "TB" && data.view.direction !== "LR";
  var state = { direction: data.view.direction === "TB" ? "TB" : "LR", filter: "", selected: null,
                t: { x: 0, y: 0, k: 1 }, box: null, visible: {} };

  // ------------------------------------------------------------------ drawing helpers
  function el(name, attributes, parent) {
    var element = document.createElementNS(SVGNS, name);
    Object.keys(attributes || {}).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(element);
    return element;
  }
  var measureContext = document.createElement("canvas").getContext("2d");
  function textWidth(text, size, weight) {
    if (!measureContext) return text.length * size * 0.6;
    measureContext.font = (weight || "400") + " " + size + "px " + FONT;
    return measureContext.measureText(text).width;
  }
  function fitText(text, size, weight) {
    if (textWidth(text, size, weight) <= MAX_TEXT) return text;
    var cut = text.length;
    while (cut > 1 && textWidth(text.slice(0, cut) + "…", size, weight) > MAX_TEXT) cut--;
    return text.slice(0, cut) + "…";
  }

  function drawNode(node) {
    var lines = [{ text: node.label, cls: "label", size: 12, weight: "600" }];
    if (node.detail) lines.push({ text: node.detail, cls: "detail", size: 10.5, weight: "400" });
    if (node.marks.length) lines.push({ text: "⚠ " + node.marks.join(", "), cls: "marks", size: 10.5, weight: "600" });
    lines.forEach(function (line) { line.text = fitText(line.text, line.size, line.weight); });
    var pad = node.kind === "sender" || node.kind === "cron" ? 30 : 22;
    var width = Math.max(70, Math.max.apply(null, lines.map(function (l) { return textWidth(l.text, l.size, l.weight); })) + pad);
    var height = 12 + lines.length * 15;
    var classes = "node kind-" + node.kind + (node.marks.length ? " has-finding" : "") + (node.external ? " external" : "");
    var group = el("g", { "class": classes, "data-node-id": node.id, "data-kind": node.kind, "data-visible": "true",
                          "tabindex": "0", "role": "button", "aria-label": node.kind + " " + node.label }, nodeLayer);
    el("title", {}, group).textContent = [node.label, node.detail].concat(node.marks).filter(Boolean).join("\n");
    var w = width / 2, h = height / 2, shape;
    if (node.kind === "cron") {
      shape = el("polygon", { points: [-w, 0, -w + 10, -h, w - 10, -h, w, 0, w - 10, h, -w + 10, h].join(" ") }, group);
    } else if (node.kind === "sender") {
      shape = el("polygon", { points: [-w + 8, -h, w, -h, w - 8, h, -w, h].join(" ") }, group);
    } else {
      shape = el("rect", { x: -w, y: -h, width: width, height: height, rx: node.kind === "event" ? h : 6 }, group);
    }
    shape.setAttribute("class", "shape");
    lines.forEach(function (line, i) {
      var text = el("text", { "class": line.cls, "text-anchor": "middle", x: 0, y: -h + 19 + i * 15 }, group);
      text.textContent = line.text;
    });
    group.addEventListener("click", function (event) { event.stopPropagation(); select(node.id); });
    group.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(node.id); }
    });
    node.element = group; node.width = width; node.height = height;
  }

  function drawEdge(edge) {
    var group = el("g", { "class": "edge kind-" + edge.kind, "data-edge-kind": edge.kind,
                          "data-source": edge.source, "data-target": edge.target }, edgeLayer);
    var marker = edge.kind === "did_you_mean" ? "arrow-red" : edge.kind === "cancels" ? "arrow-cancel" : "arrow";
    edge.path = el("path", { "marker-end": "url(#" + marker + ")" }, group);
    if (EDGE_LABEL[edge.kind]) {
      edge.labelBox = el("rect", { rx: 3 }, group);
      edge.label = el("text", { "text-anchor": "middle" }, group);
      edge.label.textContent = EDGE_LABEL[edge.kind];
      edge.labelWidth = textWidth(EDGE_LABEL[edge.kind], 10, "400") + 6;
    }
    edge.element = group;
  }

  // ------------------------------------------------------------------ layout
  // Layers by longest path, crossings reduced by barycentre sweeps, positions pulled towards
  // neighbours. Edges that span several layers go through virtual points so they bend around
  // the nodes in between instead of crossing them.
  function layout(ids, direction) {
    var LR = direction === "LR";
    var isShown = {};
    ids.forEach(function (id) { isShown[id] = true; });
    var shownEdges = edges.filter(function (e) { return isShown[e.source] && isShown[e.target] && e.source !== e.target; });
    // "did you mean?" ranks too: the sent name left of the listened one reads as a correction.
    var ranked = shownEdges;
    var out = {};
    ids.forEach(function (id) { out[id] = []; });
    ranked.forEach(function (e) { out[e.source].push(e); });

    // Break cycles: an edge that closes a cycle in a depth-first walk is laid out reversed.
    var colour = {}, reversed = {};
    ids.forEach(function (root) {
      if (colour[root]) return;
      var stack = [[root, 0]];
      colour[root] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1], list = out[top[0]];
        if (top[1] >= list.length) { colour[top[0]] = 2; stack.pop(); continue; }
        var e = list[top[1]++], next = e.target;
        if (colour[next] === 1) reversed[e.index] = true;
        else if (!colour[next]) { colour[next] = 1; stack.push([next, 0]); }
      }
    });
    var preds = {}, succs = {};
    ids.forEach(function (id) { preds[id] = []; succs[id] = []; });
    var dag = ranked.map(function (e) {
      var from = reversed[e.index] ? e.target : e.source, to = reversed[e.index] ? e.source : e.target;
      succs[from].push(to); preds[to].push(from);
      return { edge: e, from: from, to: to };
    });

    // Longest-path ranks, then sources pulled next to their first successor.
    var rank = {}, indegree = {}, queue = [];
    ids.forEach(function (id) { indegree[id] = preds[id].length; rank[id] = 0; if (!indegree[id]) queue.push(id); });
    for (var qi = 0; qi < queue.length; qi++) {
      var u = queue[qi];
      succs[u].forEach(function (v) {
        rank[v] = Math.max(rank[v], rank[u] + 1);
        if (--indegree[v] === 0) queue.push(v);
      });
    }
    ids.forEach(function (id) {
      if (!preds[id].length && succs[id].length) {
        rank[id] = Math.max(0, Math.min.apply(null, succs[id].map(function (v) { return rank[v]; })) - 1);
      }
    });

    // Virtual points for long edges; from here on preds/succs link neighbouring layers only.
    var size = {}, layers = [], chains = {};
    ids.forEach(function (id) { size[id] = { w: byId[id].width, h: byId[id].height, real: true }; preds[id] = []; succs[id] = []; });
    dag.forEach(function (d) {
      var chain = [d.from];
      for (var r = rank[d.from] + 1; r < rank[d.to]; r++) {
        var dummy = "\u0000" + d.edge.index + ":" + r;
        rank[dummy] = r; size[dummy] = { w: 0, h: 0, real: false }; preds[dummy] = []; succs[dummy] = [];
        chain.push(dummy);
      }
      chain.push(d.to);
      for (var i = 0; i + 1 < chain.length; i++) { succs[chain[i]].push(chain[i + 1]); preds[chain[i + 1]].push(chain[i]); }
      chains[d.edge.index] = chain;
    });
    Object.keys(rank).forEach(function (id) {
      (layers[rank[id]] = layers[rank[id]] || []).push(id);
    });
    for (var r0 = 0; r0 < layers.length; r0++) layers[r0] = layers[r0] || [];

    // Initial order: depth-first from the first layer, so related nodes start close.
    var order = {}, seen = {}, counter = 0;
    function visitOrder(start) {
      var stack = [start];
      while (stack.length) {
        var id = stack.pop();
        if (seen[id]) continue;
        seen[id] = true; order[id] = counter++;
        for (var i = succs[id].length - 1; i >= 0; i--) stack.push(succs[id][i]);
      }
    }
    layers.forEach(function (layer) { layer.forEach(visitOrder); });
    layers.forEach(function (layer) { layer.sort(function (a, b) { return order[a] - order[b]; }); });

    function positions() {
      var pos = {};
      layers.forEach(function (layer) { layer.forEach(function (id, i) { pos[id] = i; }); });
      return pos;
    }
    function crossings() {
      var pos = positions(), total = 0;
      for (var r = 0; r + 1 < layers.length; r++) {
        var pairs = [];
        layers[r].forEach(function (u) { succs[u].forEach(function (v) { if (rank[v] === r + 1) pairs.push([pos[u], pos[v]]); }); });
        if (pairs.length > 600) return -1;
        for (var i = 0; i < pairs.length; i++) {
          for (var j = i + 1; j < pairs.length; j++) {
            if ((pairs[i][0] - pairs[j][0]) * (pairs[i][1] - pairs[j][1]) < 0) total++;
          }
        }
      }
      return total;
    }
    function sweep(down) {
      var pos = positions();
      var range = down ? layers.map(function (_, i) { return i; }).slice(1) : layers.map(function (_, i) { return i; }).reverse().slice(1);
      range.forEach(function (r) {
        var layer = layers[r], keys = {};
        layer.forEach(function (id) {
          var others = down ? preds[id] : succs[id];
          var near = others.filter(function (o) { return rank[o] === (down ? r - 1 : r + 1); });
          keys[id] = near.length ? near.reduce(function (sum, o) { return sum + pos[o]; }, 0) / near.length : pos[id];
        });
        layer.sort(function (a, b) { return keys[a] - keys[b] || pos[a] - pos[b]; });
        layer.forEach(function (id, i) { pos[id] = i; });
      });
    }
    var best = layers.map(function (layer) { return layer.slice(); }), bestCount = crossings();
    if (bestCount < 0) {
      // Too many edges to count crossings cheaply: a few sweeps, kept as they come.
      for (var quick = 0; quick < 4; quick++) sweep(quick % 2 === 0);
    } else {
      for (var pass = 0; pass < 12 && bestCount > 0; pass++) {
        sweep(pass % 2 === 0);
        var count = crossings();
        if (count < bestCount) { bestCount = count; best = layers.map(function (layer) { return layer.slice(); }); }
      }
      layers = best;
    }

    // Coordinates: along the rank axis by layer, across it by order, pulled towards neighbours.
    function along(id) { return LR ? size[id].w : size[id].h; }
    function across(id) { return LR ? size[id].h : size[id].w; }
    var gap = LR ? 110 : 80, rankCentre = [], offset = 0;
    layers.forEach(function (layer, r) {
      var widest = layer.reduce(function (m, id) { return Math.max(m, along(id)); }, 0);
      rankCentre[r] = offset + widest / 2;
      offset += widest + gap;
    });
    function separation(a, b) { return (across(a) + across(b)) / 2 + (size[a].real && size[b].real ? (LR ? 22 : 28) : 10); }
    var cross = {};
    layers.forEach(function (layer) {
      var c = 0;
      layer.forEach(function (id, i) { if (i) c += separation(layer[i - 1], id); cross[id] = c; });
      layer.forEach(function (id) { cross[id] -= c / 2; });
    });
    function place(layer, wanted) {
      var n = layer.length, forward = [], backward = [], i;
      for (i = 0; i < n; i++) forward[i] = i ? Math.max(wanted[i], forward[i - 1] + separation(layer[i - 1], layer[i])) : wanted[i];
      for (i = n - 1; i >= 0; i--) backward[i] = i < n - 1 ? Math.min(wanted[i], backward[i + 1] - separation(layer[i], layer[i + 1])) : wanted[i];
      var result = [];
      for (i = 0; i < n; i++) result[i] = (forward[i] + backward[i]) / 2;
      for (i = 1; i < n; i++) result[i] = Math.max(result[i], result[i - 1] + separation(layer[i - 1], layer[i]));
      layer.forEach(function (id, k) { cross[id] = result[k]; });
    }
    for (var iteration = 0; iteration < 8; iteration++) {
      var sweepOrder = iteration % 2 === 0 ? layers : layers.slice().reverse();
      sweepOrder.forEach(function (layer) {
        var wanted = layer.map(function (id) {
          var near = preds[id].concat(succs[id]);
          if (!near.length) return cross[id];
          return near.reduce(function (sum, o) { return sum + cross[o]; }, 0) / near.length;
        });
        place(layer, wanted);
      });
    }

    var at = {}, minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    Object.keys(rank).forEach(function (id) {
      var x = LR ? rankCentre[rank[id]] : cross[id], y = LR ? cross[id] : rankCentre[rank[id]];
      at[id] = { x: x, y: y };
      minX = Math.min(minX, x - size[id].w / 2); maxX = Math.max(maxX, x + size[id].w / 2);
      minY = Math.min(minY, y - size[id].h / 2); maxY = Math.max(maxY, y + size[id].h / 2);
    });
    if (!isFinite(minX)) { minX = minY = 0; maxX = maxY = 1; }
    return { at: at, size: size, rank: rank, chains: chains, reversed: reversed, edges: shownEdges,
             box: { x: minX, y: minY, w: maxX - minX, h: maxY - minY }, LR: LR };
  }

  // ------------------------------------------------------------------ edge geometry
  function port(g, id, towards) {
    var p = g.at[id], s = g.size[id];
    if (g.LR) return { x: p.x + (towards.x >= p.x ? s.w / 2 : -s.w / 2), y: p.y };
    return { x: p.x, y: p.y + (towards.y >= p.y ? s.h / 2 : -s.h / 2) };
  }
  function curve(g, points) {
    var d = "M" + points[0].x.toFixed(1) + "," + points[0].y.toFixed(1), mids = [];
    for (var i = 0; i + 1 < points.length; i++) {
      var a = points[i], b = points[i + 1], c1, c2;
      if (g.LR) { var dx = (b.x - a.x) / 2; c1 = { x: a.x + dx, y: a.y }; c2 = { x: b.x - dx, y: b.y }; }
      else { var dy = (b.y - a.y) / 2; c1 = { x: a.x, y: a.y + dy }; c2 = { x: b.x, y: b.y - dy }; }
      d += " C" + [c1.x, c1.y, c2.x, c2.y, b.x, b.y].map(function (v) { return v.toFixed(1); }).join(",");
      mids.push({ x: (a.x + 3 * c1.x + 3 * c2.x + b.x) / 8, y: (a.y + 3 * c1.y + 3 * c2.y + b.y) / 8 });
    }
    return { d: d, mid: mids[Math.floor((mids.length - 1) / 2)] || points[0] };
  }
  function route(g, edge) {
    var chain = g.chains[edge.index];
    var s = edge.source, t = edge.target;
    if (chain) {
      var inner = chain.slice(1, -1).map(function (id) { return g.at[id]; });
      var from = chain[0], to = chain[chain.length - 1];
      var first = port(g, from, inner[0] || g.at[to]);
      var last = port(g, to, inner[inner.length - 1] || g.at[from]);
      var points = [first].concat(inner, [last]);
      if (g.reversed[edge.index]) points.reverse();
      return curve(g, points);
    }
    // Not ranked (a "did you mean?" pair): between facing sides, or a bulge beside one column.
    var a = g.at[s], b = g.at[t];
    if (g.rank[s] !== g.rank[t]) return curve(g, [port(g, s, b), port(g, t, a)]);
    var bulge = 70, start, end, c1, c2;
    if (g.LR) {
      start = { x: a.x + g.size[s].w / 2, y: a.y }; end = { x: b.x + g.size[t].w / 2, y: b.y };
      var x = Math.max(start.x, end.x) + bulge;
      c1 = { x: x, y: a.y }; c2 = { x: x, y: b.y };
    } else {
      start = { x: a.x, y: a.y + g.size[s].h / 2 }; end = { x: b.x, y: b.y + g.size[t].h / 2 };
      var y = Math.max(start.y, end.y) + bulge;
      c1 = { x: a.x, y: y }; c2 = { x: b.x, y: y };
    }
    return { d: "M" + start.x + "," + start.y + " C" + [c1.x, c1.y, c2.x, c2.y, end.x, end.y].join(","),
             mid: { x: (start.x + 3 * c1.x + 3 * c2.x + end.x) / 8, y: (start.y + 3 * c1.y + 3 * c2.y + end.y) / 8 } };
  }

  // ------------------------------------------------------------------ visibility and drawing
  function matches(node, text) {
    return node.search.toLowerCase().indexOf(text) !== -1;
  }
  function visibleIds() {
    var text = state.filter.trim().toLowerCase(), shown = {};
    nodes.forEach(function (node) {
      if (!text || matches(node, text)) {
        shown[node.id] = true;
        if (text) around[node.id].forEach(function (e) { shown[e.source] = true; shown[e.target] = true; });
      }
    });
    return shown;
  }
  function redraw(refit) {
    var shown = visibleIds();
    state.visible = shown;
    var ids = nodes.filter(function (n) { return shown[n.id]; }).map(function (n) { return n.id; });
    var g = layout(ids, state.direction);
    nodes.forEach(function (node) {
      var on = !!shown[node.id];
      node.element.setAttribute("data-visible", on ? "true" : "false");
      node.element.style.display = on ? "" : "none";
      if (on) node.element.setAttribute("transform", "translate(" + g.at[node.id].x.toFixed(1) + "," + g.at[node.id].y.toFixed(1) + ")");
    });
    var drawn = {};
    g.edges.forEach(function (edge) { drawn[edge.index] = true; });
    edges.forEach(function (edge) {
      var on = !!drawn[edge.index];
      edge.element.style.display = on ? "" : "none";
      edge.element.setAttribute("data-visible", on ? "true" : "false");
      if (!on) return;
      var r = route(g, edge);
      edge.path.setAttribute("d", r.d);
      if (edge.label) {
        edge.label.setAttribute("x", r.mid.x.toFixed(1)); edge.label.setAttribute("y", (r.mid.y + 3.5).toFixed(1));
        edge.labelBox.setAttribute("x", (r.mid.x - edge.labelWidth / 2).toFixed(1));
        edge.labelBox.setAttribute("y", (r.mid.y - 7).toFixed(1));
        edge.labelBox.setAttribute("width", edge.labelWidth.toFixed(1)); edge.labelBox.setAttribute("height", "14");
      }
    });
    state.box = g.box;
    document.getElementById("counts").textContent = ids.length === nodes.length
      ? nodes.length + " nodes, " + edges.length + " edges"
      : ids.length + " of " + nodes.length + " nodes shown";
    if (refit) fit();
  }

  // ------------------------------------------------------------------ pan and zoom
  function apply() {
    viewport.setAttribute("transform", "translate(" + state.t.x.toFixed(1) + "," + state.t.y.toFixed(1) + ") scale(" + state.t.k.toFixed(4) + ")");
  }
  function windowSize() {
    var rect = svg.getBoundingClientRect();
    return { width: rect.width || 800, height: rect.height || 600, margin: 40 };
  }
  function fitScale(box) {
    var w = windowSize();
    var k = Math.min((w.width - 2 * w.margin) / Math.max(box.w, 1), (w.height - 2 * w.margin) / Math.max(box.h, 1), 1.25);
    return Math.max(k, 0.05);
  }
  function fit() {
    var box = state.box, w = windowSize(), k = fitScale(box);
    state.t = { k: k, x: w.width / 2 - (box.x + box.w / 2) * k, y: w.height / 2 - (box.y + box.h / 2) * k };
    apply();
  }
  // The first view. Without --direction, the layout (left to right or top to bottom) that fits
  // the window larger: a long chain reads top to bottom. When even that makes the text too small
  // to read, it is fitted across the flow (by height left to right, by width top to bottom) and
  // shown from its start; pan, or Fit (0), for the rest.
  var READABLE_SCALE = 0.6;
  function chooseDirection(ids) {
    if (!autoDirection) return;
    var across = fitScale(layout(ids, "LR").box), down = fitScale(layout(ids, "TB").box);
    state.direction = down > across * 1.05 ? "TB" : "LR";
  }
  function initialView() {
    fit();
    if (state.t.k >= READABLE_SCALE) return;
    var box = state.box, w = windowSize(), LR = state.direction === "LR";
    var k = Math.min(1, LR ? (w.height - 2 * w.margin) / Math.max(box.h, 1) : (w.width - 2 * w.margin) / Math.max(box.w, 1));
    k = Math.max(k, state.t.k);
    state.t = LR
      ? { k: k, x: w.margin - box.x * k, y: w.height / 2 - (box.y + box.h / 2) * k }
      : { k: k, x: w.width / 2 - (box.x + box.w / 2) * k, y: w.margin - box.y * k };
    apply();
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.min(4, Math.max(0.05, state.t.k * factor));
    var px = (cx - state.t.x) / state.t.k, py = (cy - state.t.y) / state.t.k;
    state.t = { k: k, x: cx - px * k, y: cy - py * k };
    apply();
  }
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var rect = svg.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.target.closest && event.target.closest(".node")) return;
    drag = { x: event.clientX, y: event.clientY, tx: state.t.x, ty: state.t.y, moved: false };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    state.t.x = drag.tx + dx; state.t.y = drag.ty + dy;
    apply();
  });
  function endDrag(event) {
    if (!drag) return;
    var clicked = !drag.moved;
    drag = null;
    svg.classList.remove("dragging");
    if (event.type === "pointerup" && clicked) select(null);
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  function centreOn(id) {
    var node = byId[id], rect = svg.getBoundingClientRect();
    var match = /translate\(([-\d.]+),([-\d.]+)\)/.exec(node.element.getAttribute("transform") || "");
    if (!match) return;
    state.t.x = (rect.width || 800) / 2 - parseFloat(match[1]) * state.t.k;
    state.t.y = (rect.height || 600) / 2 - parseFloat(match[2]) * state.t.k;
    apply();
  }

  // ------------------------------------------------------------------ details panel
  function add(parent, tag, text, cls) {
    var element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    if (cls) element.className = cls;
    parent.appendChild(element);
    return element;
  }
  function where(location) { return location.path + ":" + location.line; }
  function link(parent, id) {
    var a = add(parent, "a", byId[id].label);
    a.setAttribute("role", "button"); a.tabIndex = 0;
    a.addEventListener("click", function () { select(id, true); });
    a.addEventListener("keydown", function (event) { if (event.key === "Enter") select(id, true); });
    return a;
  }
  function findingItem(list, finding, nodeId) {
    var item = add(list, "li", undefined, "finding");
    add(item, "strong", finding.code + " ");
    add(item, "span", finding.message + " ");
    add(item, "code", finding.path + ":" + finding.line);
    if (nodeId) { add(item, "span", " "); link(item, nodeId); }
  }
  var VERBS = {
    out: { sends: "sends", invokes: "invokes", runs: "runs step handler", triggers: "triggers", waits: "is awaited by",
           cancels: "cancels", matches: "matches wildcard", did_you_mean: "did you mean" },
    "in": { sends: "sent by", invokes: "invoked by", runs: "step handler of", triggers: "triggered by", waits: "waits for",
            cancels: "cancelled by", matches: "matched by", did_you_mean: "near miss of" }
  };
  function showSummary() {
    panel.textContent = "";
    add(panel, "h2", data.view.title);
    var counts = {};
    nodes.forEach(function (n) { counts[n.kind] = (counts[n.kind] || 0) + 1; });
    add(panel, "p", ["function", "event", "sender", "cron"].map(function (k) { return (counts[k] || 0) + " " + k + (counts[k] === 1 ? "" : "s"); }).join(", ") + ".");
    add(panel, "p", "Click a node for where it is and what was found there. Drag to pan, scroll to zoom, type in the box to filter.");
    add(panel, "h3", "Findings (" + data.findings.length + ")");
    if (!data.findings.length) { add(panel, "p", "None."); return; }
    var list = add(panel, "ul");
    data.findings.forEach(function (finding) {
      var owner = nodes.filter(function (n) {
        return n.findings.some(function (f) { return f.code === finding.code && f.path === finding.path && f.line === finding.line && f.column === finding.column; });
      })[0];
      findingItem(list, finding, owner && owner.id);
    });
  }
  function showNode(node) {
    panel.textContent = "";
    var kind = add(panel, "span", node.kind, "kind");
    kind.style.background = KIND_COLOR[node.kind];
    add(panel, "h2", node.label);
    if (node.location) { var p = add(panel, "p", "at "); add(p, "code", where(node.location)); }
    if (node.module) add(panel, "p", "module " + node.module);
    if (node.kind === "function" && node.handler) add(panel, "p", "handler " + node.handler + (node.app_id ? " · app " + node.app_id : ""));
    if (node.served === false) add(panel, "p", "Not passed to any serve()/connect(): Inngest never runs it.", "finding");
    if (node.kind === "event" && node.external) add(panel, "p", "Comes from outside the project (external-events or an inngest/ system event).");
    if (node.kind === "event" && node.dynamic) add(panel, "p", "The name is computed at run time; the linter cannot tell which event this is.");
    add(panel, "h3", "Findings (" + node.findings.length + ")");
    if (node.findings.length) {
      var list = add(panel, "ul");
      node.findings.forEach(function (f) { findingItem(list, f); });
    } else add(panel, "p", "None.");
    add(panel, "h3", "Connections");
    var conn = add(panel, "ul");
    around[node.id].slice().sort(function (a, b) { return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0; }).forEach(function (edge) {
      var outgoing = edge.source === node.id, other = outgoing ? edge.target : edge.source;
      var item = add(conn, "li");
      add(item, "span", VERBS[outgoing ? "out" : "in"][edge.kind] + " ");
      link(item, other);
      edge.locations.forEach(function (location, i) { add(item, "span", i ? ", " : " at "); add(item, "code", where(location)); });
      if (!state.visible[other]) add(item, "span", " (hidden by the filter)");
    });
    if (!around[node.id].length) add(conn, "li", "none");
  }
  function select(id, centre) {
    state.selected = id && byId[id] ? id : null;
    nodes.forEach(function (n) { n.element.classList.remove("selected", "related"); });
    edges.forEach(function (e) { e.element.classList.remove("related"); });
    if (!state.selected) { svg.classList.remove("focus"); showSummary(); return; }
    var node = byId[state.selected];
    svg.classList.add("focus");
    node.element.classList.add("selected");
    around[node.id].forEach(function (e) {
      e.element.classList.add("related");
      byId[e.source].element.classList.add("related");
      byId[e.target].element.classList.add("related");
    });
    showNode(node);
    if (centre && state.visible[node.id]) centreOn(node.id);
  }

  // ------------------------------------------------------------------ filter and URL hash
  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    return { filter: params.get("filter") || "", node: params.get("node") || "" };
  }
  function writeHash() {
    var params = new URLSearchParams();
    if (state.filter) params.set("filter", state.filter);
    var hash = params.toString();
    if (history.replaceState) history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
  }
  function setFilter(text, fromHash) {
    state.filter = text;
    if (filterBox.value !== text) filterBox.value = text;
    redraw(true);
    if (state.selected && !state.visible[state.selected]) select(null);
    if (!fromHash) writeHash();
  }
  filterBox.addEventListener("input", function () { setFilter(filterBox.value, false); });
  window.addEventListener("hashchange", function () {
    var hash = readHash();
    if (hash.filter !== state.filter) setFilter(hash.filter, true);
    if (hash.node) select(hash.node, true);
  });
  document.getElementById("clear").addEventListener("click", function () { setFilter("", false); filterBox.focus(); });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("zoom-in").addEventListener("click", function () { var r = svg.getBoundingClientRect(); zoomAt(1.25, r.width / 2, r.height / 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { var r = svg.getBoundingClientRect(); zoomAt(0.8, r.width / 2, r.height / 2); });
  var directionButton = document.getElementById("direction");
  function showDirection() { directionButton.textContent = state.direction === "LR" ? "Top to bottom" : "Left to right"; }
  directionButton.addEventListener("click", function () {
    state.direction = state.direction === "LR" ? "TB" : "LR";
    showDirection(); redraw(true);
    document.body.setAttribute("data-direction", state.direction);
  });
  window.addEventListener("resize", function () { fit(); });
  document.addEventListener("keydown", function (event) {
    if (event.target === filterBox) { if (event.key === "Escape") setFilter("", false); return; }
    if (event.key === "/") { event.preventDefault(); filterBox.focus(); }
    else if (event.key === "Escape") select(null);
    else if (event.key === "+" || event.key === "=") document.getElementById("zoom-in").click();
    else if (event.key === "-") document.getElementById("zoom-out").click();
    else if (event.key === "0") fit();
  });

  try {
    edges.forEach(drawEdge);
    nodes.forEach(drawNode);
    showDirection();
    var initial = readHash();
    state.filter = initial.filter;
    filterBox.value = initial.filter;
    var visible = visibleIds();
    chooseDirection(nodes.filter(function (n) { return visible[n.id]; }).map(function (n) { return n.id; }));
    showDirection();
    redraw(false);
    initialView();
    document.body.setAttribute("data-direction", state.direction);
    if (initial.node) select(initial.node, true); else showSummary();
    document.body.setAttribute("data-ready", "true");
  } catch (error) {
    fail(error);
    throw error;
  }
})();
