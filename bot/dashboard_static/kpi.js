/* Staff KPI page. Signs in with Telegram launch data ("Authorization: tma …") or the staff session cookie a
   /kpi → Web link set; the server checks the manager role on every request. Values arrive formatted (texts),
   labels in the person's language (labels, boot.strings). */
(function () {
  "use strict";
  var loginForm = document.getElementById("login-form");
  if (loginForm) { loginForm.submit(); return; }  // a sign-in link: spend it now (previews never get here)
  var boot = JSON.parse(document.getElementById("boot").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var fragment = new URLSearchParams(location.hash.slice(1));
  var state = {preset: "7d", offer: "", metric: "clicks", data: null, seq: 0};
  var METRICS = ["clicks", "conversions", "active_partners", "commissions"];

  function strings() { return boot.strings[(state.data && state.data.locale) || boot.locale] || {}; }
  function t(key) { return strings()[key] || key; }
  function webApp() { return window.Telegram && window.Telegram.WebApp; }
  function initData() { var w = webApp(); return (w && w.initData) || fragment.get("tgWebAppData") || ""; }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function query() { return "?period=" + state.preset + (state.offer ? "&offer=" + state.offer : ""); }
  function api(path) {
    var headers = {}, data = initData();
    if (data) headers.Authorization = "tma " + data;
    return fetch(boot.base + path, {headers: headers, credentials: "same-origin"});
  }
  function gate(text) {
    document.body.className = "gated";
    $("app").hidden = true;
    $("gate").textContent = "";
    $("gate").appendChild(el("p", "gate-text", text));
  }
  function chips(box, items, current, pick) {
    box.textContent = "";
    items.forEach(function (item) {
      var b = el("button", "chip", item[1]);
      b.type = "button";
      b.setAttribute("aria-pressed", String(item[0] === current));
      b.addEventListener("click", function () { pick(item[0]); });
      box.appendChild(b);
    });
  }
  function table(box, rows, texts) {
    box.textContent = "";
    if (!rows.length) { box.appendChild(el("div", "empty", "—")); return; }
    var tbl = el("table"), head = el("tr");
    head.appendChild(el("th", "", "#"));
    head.appendChild(el("th", "", t("kpi-top-columns")));
    tbl.appendChild(head);
    rows.forEach(function (row, i) {
      var tr = el("tr");
      tr.appendChild(el("td", "", String(i + 1) + ". " + row.label));
      tr.appendChild(el("td", "", row.conversions + " · " + row.clicks + " · " + texts[i]));
      tbl.appendChild(tr);
    });
    box.appendChild(tbl);
  }
  function chart(d) {
    var days = d.daily, metric = state.metric;
    var currency = Object.keys(d.metrics.commissions.value)[0] || "";
    var values = days.map(function (day) {
      return metric === "commissions" ? parseFloat(day.commissions[currency] || "0") : day[metric];
    });
    var labels = days.map(function (day) { return day.day.slice(8, 10) + "." + day.day.slice(5, 7); });
    chips($("metrics"), METRICS.map(function (m) { return [m, d.labels[m]]; }), metric,
          function (m) { state.metric = m; chart(d); });
    window.DashChart.draw($("chart"), $("tip"), {
      labels: labels, series: [{cls: "", values: values}], mode: metric === "commissions" ? "area" : "overlay",
      integer: metric !== "commissions", axis: function (v) { return String(v); }, title: d.labels[metric],
      tip: function (i) { return [days[i].day, [["", String(values[i]) + (metric === "commissions" ? " " + currency : "")]]]; }
    });
  }
  function render(d) {
    document.body.className = "";
    $("gate").textContent = "";
    $("app").hidden = false;
    $("title").textContent = t("kpi-title");
    $("range").textContent = d.period.from + " – " + d.period.to + " (" + d.period.tz + ") · " + t("kpi-previous") +
      " " + d.previous_period.from + " – " + d.previous_period.to;
    $("csv").href = boot.base + "/api/kpi.csv" + query();
    chips($("periods"), boot.presets.map(function (p) { return [p, t("p-" + p)]; }), state.preset,
          function (p) { state.preset = p; load(); });
    chips($("offers"), [["", t("kpi-all-offers")]].concat(d.offers.map(function (o) { return [String(o.id), o.name]; })),
          state.offer, function (o) { state.offer = o; load(); });
    var box = $("kpis");
    box.textContent = "";
    Object.keys(d.texts).forEach(function (name) {
      var card = el("div", "kpi");
      card.dataset.kpi = name;
      card.appendChild(el("div", "kpi-label", d.labels[name]));
      card.appendChild(el("div", "kpi-value", d.texts[name]));
      box.appendChild(card);
    });
    $("chart-title").textContent = t("kpi-trends");
    chart(d);
    $("top-partners-title").textContent = t("kpi-top-partners");
    $("top-offers-title").textContent = t("kpi-top-offers");
    table($("top-partners"), d.top_partners, d.top_texts.top_partners);
    table($("top-offers"), d.top_offers, d.top_texts.top_offers);
  }
  function load() {
    var seq = ++state.seq;
    api("/api/kpi" + query()).then(function (r) {
      if (r.status === 401 || r.status === 403) { gate(t("kpi-not-staff")); return null; }
      return r.json();
    }).then(function (d) {
      if (d && seq === state.seq) { state.data = d; render(d); }
    }).catch(function () { gate(t("error")); });
  }
  load();
})();
