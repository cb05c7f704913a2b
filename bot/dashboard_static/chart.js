/* A small hand-written SVG chart: bars (overlaid or stacked) or an area line over days, with a hover/tap
   tooltip. No library: the dashboard must work offline and inside Telegram's webview. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, parent) {
    var node = document.createElementNS(NS, tag);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  // A round step (1, 2, 2.5, 5 × 10^n; whole for counts) so that four steps reach `value`.
  function niceStep(value, integer) {
    var raw = Math.max(value / 4, integer ? 1 : 0.01);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = integer && power < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  /* spec: {labels: [..], series: [{name, cls, values: [numbers]}], mode: "overlay"|"stack"|"area",
            integer: bool, axis: fn(number) → text, tip: fn(index) → [title, [[cls, text], ...]]} */
  function draw(box, tipBox, spec) {
    Array.prototype.slice.call(box.querySelectorAll("svg")).forEach(function (old) { old.remove(); });
    tipBox.hidden = true;
    var width = box.clientWidth || 320, height = box.clientHeight || 220;
    var n = spec.labels.length;
    var top = 10, bottom = 24;
    var total = function (i) {
      if (spec.mode === "stack") return spec.series.reduce(function (s, one) { return s + one.values[i]; }, 0);
      return Math.max.apply(null, spec.series.map(function (one) { return one.values[i]; }));
    };
    var peak = 0;
    for (var i = 0; i < n; i++) peak = Math.max(peak, total(i));
    var step = niceStep(peak, spec.integer), max = step * 4;
    var ticks = [0, step, 2 * step, 3 * step, max];
    var left = 8 + Math.max.apply(null, ticks.map(function (v) { return spec.axis(v).length; })) * 6.4;
    var plotW = Math.max(10, width - left - 4), plotH = height - top - bottom;
    var band = plotW / Math.max(n, 1);
    var y = function (v) { return top + plotH - (v / max) * plotH; };
    var root = svg("svg", {viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": spec.title || ""});
    box.insertBefore(root, tipBox);

    ticks.forEach(function (v) {
      svg("line", {"class": "grid", x1: left, x2: width, y1: y(v), y2: y(v)}, root);
      svg("text", {"class": "axis", x: left - 6, y: y(v) + 4, "text-anchor": "end"}, root).textContent = spec.axis(v);
    });
    var every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 46))));
    spec.labels.forEach(function (label, i) {
      if (i % every) return;
      svg("text", {"class": "axis", x: left + band * (i + 0.5), y: height - 6, "text-anchor": "middle"}, root)
        .textContent = label;
    });

    var hot = svg("rect", {"class": "hot", x: 0, y: top, width: band, height: plotH, visibility: "hidden"}, root);
    var barW = Math.max(1, Math.min(36, band * 0.64));
    if (spec.mode === "area") {
      var line = spec.series[0];
      var points = line.values.map(function (v, i) { return [left + band * (i + 0.5), y(v)]; });
      if (points.length) {
        var path = points.map(function (p, i) { return (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1); });
        svg("path", {"class": "area", d: path.join(" ") + " L" + points[points.length - 1][0].toFixed(1) + " " +
          y(0) + " L" + points[0][0].toFixed(1) + " " + y(0) + " Z"}, root);
        svg("path", {"class": "line", d: path.join(" ")}, root);
        if (n <= 45) points.forEach(function (p) { svg("circle", {"class": "point", cx: p[0], cy: p[1], r: 3}, root); });
      }
    } else {
      for (var d = 0; d < n; d++) {
        var x = left + band * d + (band - barW) / 2, base = 0;
        spec.series.forEach(function (one) {
          var v = one.values[d];
          if (!v) return;
          var from = spec.mode === "stack" ? base : 0;
          base = from + v;
          svg("rect", {"class": "bar " + one.cls, x: x, width: barW, y: y(from + v),
                       height: Math.max(1, y(from) - y(from + v)), rx: Math.min(3, barW / 3)}, root);
        });
      }
    }
    var cursor = svg("line", {"class": "cursor", y1: top, y2: top + plotH, visibility: "hidden"}, root);

    function show(clientX) {
      var rect = root.getBoundingClientRect();
      var index = Math.floor((clientX - rect.left - left) / band);
      if (index < 0 || index >= n) return hide();
      var cx = left + band * (index + 0.5);
      hot.setAttribute("x", left + band * index);
      hot.setAttribute("visibility", "visible");
      cursor.setAttribute("x1", cx);
      cursor.setAttribute("x2", cx);
      cursor.setAttribute("visibility", spec.mode === "area" ? "visible" : "hidden");
      var content = spec.tip(index);
      tipBox.textContent = "";
      var title = document.createElement("b");
      title.textContent = content[0];
      tipBox.appendChild(title);
      content[1].forEach(function (row) {
        var line = document.createElement("div");
        var dot = document.createElement("span");
        dot.className = "dot " + row[0];
        line.appendChild(dot);
        line.appendChild(document.createTextNode(row[1]));
        tipBox.appendChild(line);
      });
      tipBox.hidden = false;
      var w = tipBox.offsetWidth;
      var at = cx + 12 + w > width ? cx - 12 - w : cx + 12;
      tipBox.style.left = Math.max(0, at) + "px";
      tipBox.dataset.index = String(index);
    }
    function hide() {
      tipBox.hidden = true;
      hot.setAttribute("visibility", "hidden");
      cursor.setAttribute("visibility", "hidden");
    }
    root.addEventListener("pointermove", function (e) { show(e.clientX); });
    root.addEventListener("pointerdown", function (e) { show(e.clientX); });
    root.addEventListener("pointerleave", function (e) { if (e.pointerType === "mouse") hide(); });
  }

  window.DashChart = {draw: draw};
})();
