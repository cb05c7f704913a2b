/* Partner dashboard page. Signs in with Telegram launch data (Telegram.WebApp.initData, or the tgWebAppData
   fragment when Telegram's script is absent) sent as "Authorization: tma …", or with the session cookie a
   /dashboard link set. Texts come from the server's locales (boot.strings); money arrives formatted. */
(function () {
  "use strict";
  var loginForm = document.getElementById("login-form");
  if (loginForm) { loginForm.submit(); return; }  // a sign-in link: spend it now (link previews never get here)
  var boot = JSON.parse(document.getElementById("boot").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var fragment = new URLSearchParams(location.hash.slice(1));
  var state = {preset: "7d", group: "day", sub: "sub1", metric: "clicks", currency: null, data: null,
               locale: boot.locale, seq: 0};

  // ---- Telegram ----
  function webApp() { return window.Telegram && window.Telegram.WebApp; }
  function initData() { var w = webApp(); return (w && w.initData) || fragment.get("tgWebAppData") || ""; }
  var inTelegram = fragment.has("tgWebAppData") || !!window.TelegramWebviewProxy;

  function applyTheme(params) {
    if (!params) return;
    var root = document.documentElement.style;
    Object.keys(params).forEach(function (key) {
      if (/^#[0-9a-f]{3,8}$/i.test(params[key])) root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), params[key]);
    });
    var bg = params.bg_color;
    if (bg && bg.length === 7) {  // a dark Telegram theme: native controls (select, scrollbars) follow it
      var v = [1, 3, 5].map(function (i) { return parseInt(bg.substr(i, 2), 16); });
      root.colorScheme = (v[0] * 0.299 + v[1] * 0.587 + v[2] * 0.114) < 128 ? "dark" : "light";
    }
  }

  function telegramReady() {
    var w = webApp();
    if (!w) return;
    applyTheme(w.themeParams);
    if (w.onEvent) w.onEvent("themeChanged", function () { applyTheme(w.themeParams); });
    if (w.ready) w.ready();
    if (w.expand) w.expand();
  }

  if (inTelegram) {
    try { applyTheme(JSON.parse(fragment.get("tgWebAppThemeParams") || "null")); } catch (e) { /* no theme */ }
    var user = null;
    try { user = JSON.parse(new URLSearchParams(initData()).get("user") || "null"); } catch (e) { /* unsigned hint */ }
    if (user && user.language_code) state.locale = /^(ru|uk|be|kk|uz|ky|tg|hy|az|ka)/.test(user.language_code) ? "ru" : "en";
    if (webApp()) telegramReady();
    else {  // optional: theme changes, expand(), downloadFile(); the page works the same without it
      var script = document.createElement("script");
      script.src = boot.telegramScript;
      script.async = true;
      script.onload = telegramReady;
      document.head.appendChild(script);
    }
  }

  // ---- text and numbers ----
  function t(key) {
    var table = boot.strings[state.locale] || boot.strings.en;
    return (table && table[key]) || boot.strings.en[key] || key;
  }
  function num(value) { return new Intl.NumberFormat(state.locale === "ru" ? "ru-RU" : "en-US").format(value); }
  // No money yet reads "0.00", as in the chat's /stats.
  function moneyText(list) { return list.length ? list.map(function (m) { return m.text; }) : ["0.00"]; }
  // "1234.5" → "1 234.50": the server's money format, for chart values (exact: works on the decimal string).
  function groupDigits(amount) {
    var neg = amount.charAt(0) === "-", parts = amount.replace("-", "").split(".");
    return (neg ? "-" : "") + parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, " ") + "." + ((parts[1] || "") + "00").slice(0, 2);
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- data ----
  function request(path) {
    var headers = {};
    var data = initData();
    if (data) headers.Authorization = "tma " + data;
    return fetch(boot.base + path, {headers: headers, credentials: "same-origin"});
  }
  function groupParam() { return state.group === "sub" ? state.sub : state.group; }

  function load() {
    var seq = ++state.seq;
    $("app").classList.add("loading");
    if (!state.data) $("busy").hidden = false;
    request("/api/stats?period=" + state.preset + "&group=" + groupParam()).then(function (response) {
      if (seq !== state.seq) return;  // the partner already picked another period
      if (response.status === 401 || response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (body.locale) state.locale = body.locale;
          gate(response.status === 401 ? "auth" : "approved");
        });
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json().then(function (data) {
        if (seq !== state.seq) return;
        state.data = data;
        state.locale = data.partner.locale in boot.strings ? data.partner.locale : state.locale;
        render();
      });
    }).catch(function () {
      if (seq === state.seq) gate("error");
    }).then(function () {
      if (seq !== state.seq) return;
      $("busy").hidden = true;
      $("app").classList.remove("loading");
    });
  }

  function gate(kind) {
    document.documentElement.lang = state.locale;
    document.body.classList.add("gated");
    $("app").hidden = true;
    var box = $("gate");
    box.textContent = "";
    box.dataset.kind = kind;
    var title = kind === "error" ? t("error") : t(kind + "-title");
    box.appendChild(el("h1", "gate-title", title));
    if (kind !== "error") box.appendChild(el("p", "gate-text", t(kind + "-text")));
    else {
      var retry = el("button", "btn", t("retry"));
      retry.type = "button";
      retry.onclick = function () { document.body.classList.remove("gated"); state.data = null; load(); };
      box.appendChild(retry);
    }
  }

  // ---- rendering ----
  function segmented(box, options, current, onPick) {
    box.textContent = "";
    options.forEach(function (option) {
      var button = el("button", "", option[1]);
      button.type = "button";
      button.dataset.value = option[0];
      button.setAttribute("aria-pressed", String(option[0] === current));
      button.onclick = function () { onPick(option[0]); };
      box.appendChild(button);
    });
  }

  function kpi(name, label, lines, sub, wide) {
    var card = el("div", "kpi" + (wide ? " wide" : ""));
    card.dataset.kpi = name;
    card.appendChild(el("div", "kpi-label", label));
    var value = el("div", "kpi-value");
    lines.forEach(function (line, i) {
      if (i) value.appendChild(document.createElement("br"));
      value.appendChild(i ? el("small", "", line) : document.createTextNode(line));
    });
    card.appendChild(value);
    if (sub) card.appendChild(sub);
    return card;
  }

  function statusLine(conversions) {
    var sub = el("div", "kpi-sub");
    ["approved", "pending", "rejected", "refunded"].forEach(function (status) {
      if (status === "refunded" && !conversions.refunded) return;
      var part = el("span", "");
      part.dataset.status = status;
      part.appendChild(el("span", "dot " + status));
      part.appendChild(document.createTextNode(num(conversions[status]) + "  "));
      part.title = t(status);
      sub.appendChild(part);
    });
    return sub;
  }

  function renderKpis(f) {
    var box = $("kpis");
    box.textContent = "";
    box.appendChild(kpi("clicks", t("clicks"), [num(f.clicks)], el("div", "kpi-sub", t("unique") + ": " + num(f.unique_clicks))));
    box.appendChild(kpi("conversions", t("conversions"), [num(f.conversions_total)], statusLine(f.conversions)));
    box.appendChild(kpi("cr", t("cr"), [f.cr + " %"]));
    box.appendChild(kpi("epc", t("epc"), moneyText(f.epc)));
    var subs = document.createDocumentFragment();
    subs.appendChild(el("div", "kpi-sub", t("earnings-hint")));
    var l2 = subs.appendChild(el("div", "kpi-sub", t("l2") + ": " + moneyText(f.l2_earnings).join(", ")));
    l2.dataset.kpi = "l2";
    box.appendChild(kpi("earnings", t("earnings"), moneyText(f.earnings), subs, true));
  }

  function dayTitle(iso, fallback, short) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) return fallback;
    var options = {weekday: "short", day: "numeric", month: "short"};
    if (!short) options.year = "numeric";
    return new Intl.DateTimeFormat(state.locale === "ru" ? "ru-RU" : "en-GB", options)
      .format(new Date(+m[1], +m[2] - 1, +m[3]));
  }

  function renderChart() {
    var s = state.data.series, metric = state.metric;
    var currencies = Object.keys(s.earnings);
    if (currencies.indexOf(state.currency) < 0) state.currency = currencies[0] || null;
    var options = [["clicks", t("clicks")], ["conversions", t("conversions")], ["earnings", t("earnings")]];
    segmented($("metrics"), options, metric, function (value) { state.metric = value; renderChart(); });
    // Axis labels: "09.01" from ISO day keys (short enough for 30 bars on a phone), else the server's label.
    var axisLabels = s.days.map(function (day, i) {
      var m = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
      return m ? m[2] + "." + m[1] : s.labels[i];
    });
    var spec = {labels: axisLabels, integer: metric !== "earnings", axis: function (v) { return num(Math.round(v * 100) / 100); }};
    var legend = [];
    if (metric === "clicks") {
      spec.mode = "overlay";
      spec.series = [{cls: "soft", values: s.clicks}, {cls: "", values: s.unique_clicks}];
      legend = [["soft", t("clicks")], ["", t("unique")]];
      spec.tip = function (i) {
        return [dayTitle(s.days[i], s.labels[i]), [["soft", t("clicks") + ": " + num(s.clicks[i])],
                                                   ["main", t("unique") + ": " + num(s.unique_clicks[i])]]];
      };
    } else if (metric === "conversions") {
      var statuses = ["approved", "pending", "rejected", "refunded"];
      spec.mode = "stack";
      spec.series = statuses.map(function (status) { return {cls: status, values: s.conversions[status]}; });
      legend = statuses.map(function (status) { return [status, t(status)]; });
      spec.tip = function (i) {
        return [dayTitle(s.days[i], s.labels[i]), statuses.map(function (status) {
          return [status, t(status) + ": " + num(s.conversions[status][i])];
        })];
      };
    } else {
      var amounts = state.currency ? s.earnings[state.currency] : s.labels.map(function () { return "0"; });
      spec.mode = "area";
      spec.integer = false;
      spec.series = [{cls: "", values: amounts.map(parseFloat)}];  // floats only to place points on screen
      legend = [["", t("earnings") + (state.currency ? ", " + state.currency : "")]];
      spec.tip = function (i) {
        return [dayTitle(s.days[i], s.labels[i]), [["main", groupDigits(amounts[i]) + " " + (state.currency || "")]]];
      };
    }
    spec.title = options.filter(function (o) { return o[0] === metric; })[0][1];
    window.DashChart.draw($("chart"), $("tip"), spec);
    var box = $("legend");
    box.textContent = "";
    legend.forEach(function (item) {
      var span = el("span", "");
      span.appendChild(el("i", item[0]));
      span.appendChild(document.createTextNode(item[1]));
      box.appendChild(span);
    });
    if (metric === "earnings" && currencies.length > 1) {
      var pick = el("select", "");
      currencies.forEach(function (c) { var o = el("option", "", c); o.value = c; o.selected = c === state.currency; pick.appendChild(o); });
      pick.onchange = function () { state.currency = pick.value; renderChart(); };
      box.appendChild(pick);
    }
  }

  function renderTable() {
    var groups = [["day", t("g-day")], ["link", t("g-link")], ["offer", t("g-offer")], ["sub", t("g-sub")]];
    segmented($("groups"), groups, state.group, function (value) { state.group = value; load(); });
    if (state.group === "sub") {
      var pick = el("select", "");
      ["sub1", "sub2", "sub3", "sub4", "sub5"].forEach(function (name) {
        var option = el("option", "", name);
        option.value = name;
        option.selected = name === state.sub;
        pick.appendChild(option);
      });
      pick.onchange = function () { state.sub = pick.value; load(); };
      $("groups").appendChild(pick);
    }
    var data = state.data.table, box = $("table");
    box.textContent = "";
    var rows = data.group === "day" ? data.rows.slice().reverse() : data.rows;
    if (data.group === "day") rows = rows.filter(function (r) { return r.clicks || r.conversions_total; });
    if (!rows.length) { box.appendChild(el("div", "empty", t("empty"))); return; }
    var table = el("table", "");
    table.dataset.group = data.group;
    var head = table.createTHead().insertRow();
    [data.group === "day" ? t("col-day") : t("col-name"), t("clicks"), t("col-unique"), t("col-conv"), t("cr"),
     t("earnings")].forEach(function (title) { head.appendChild(el("th", "", title)); });
    var body = table.createTBody();
    var cells = function (tr, label, f) {
      [label, num(f.clicks), num(f.unique_clicks), num(f.conversions_total), f.cr + " %",
       moneyText(f.earnings).join("\n")].forEach(function (text, i) {
        var td = tr.insertCell();
        td.textContent = text;
        if (!i) td.title = text;
      });
    };
    rows.forEach(function (row) {
      var tr = body.insertRow();
      tr.dataset.key = row.key;
      cells(tr, data.group === "day" ? dayTitle(row.key, row.label, true) : row.label, row);
    });
    var foot = table.createTFoot().insertRow();
    cells(foot, "Σ", state.data.totals);
    box.appendChild(table);
  }

  function renderBalance() {
    var box = $("balance");
    box.textContent = "";
    var list = state.data.balance.length ? state.data.balance : [{}];
    list.forEach(function (b) {
      var row = el("div", "balance-row");
      row.dataset.currency = b.currency || "";
      [["on_hold", "on-hold"], ["available", "available"], ["paid_out", "paid-out"]].forEach(function (bucket) {
        var cell = el("div", "balance-cell");
        cell.dataset.bucket = bucket[0];
        cell.appendChild(el("div", "kpi-label", t(bucket[1])));
        cell.appendChild(el("div", "amount", b[bucket[0]] ? b[bucket[0]].text : "0.00"));
        row.appendChild(cell);
      });
      box.appendChild(row);
    });
  }

  function render() {
    var d = state.data;
    document.documentElement.lang = state.locale;
    document.title = t("title");
    document.body.classList.remove("gated");
    $("app").hidden = false;
    $("title").textContent = t("title");
    $("who").textContent = [d.partner.name, t("tz") + ": " + d.partner.tz].filter(Boolean).join(" · ");
    segmented($("periods"), boot.presets.map(function (p) { return [p, t("p-" + p)]; }), state.preset, function (p) {
      state.preset = p;
      load();
    });
    Array.prototype.forEach.call($("periods").children, function (b) { b.className = "chip"; });
    $("range").textContent = d.period.text + " · " + d.period.tz;
    $("range").dataset.preset = d.period.preset;
    renderKpis(d.totals);
    $("chart-title").textContent = t("chart");
    renderChart();
    $("table-title").textContent = t("breakdown");
    renderTable();
    $("balance-title").textContent = t("balance");
    renderBalance();
    var csv = $("csv");
    csv.textContent = "⤓ " + t("csv");
    csv.title = t("csv-hint");
  }

  // ---- contests: the same leaderboards as /contest in the chat ----
  function loadContests() {
    request("/api/contests").then(function (r) { return r.ok ? r.json() : {contests: []}; }).then(function (body) {
      var box = $("contests");
      box.textContent = "";
      $("contests-title").textContent = t("contests");
      (body.contests || []).forEach(function (c) {
        var item = el("div", "contest");
        item.appendChild(el("h3", "", c.title));
        item.appendChild(el("div", "hint", c.description));
        var list = el("ol", "board");
        c.top.forEach(function (line) {
          var li = el("li", line.me ? "me" : "", line.name + " — " + line.value);
          li.value = line.place;
          list.appendChild(li);
        });
        item.appendChild(list);
        if (c.mine) {
          item.appendChild(el("div", "mine", t("contest-place") + ": " + c.mine.place + " · " + c.mine.value +
            (c.mine.gap ? " · " + t("contest-gap") + ": " + c.mine.gap : "")));
        }
        box.appendChild(item);
      });
      $("contests-card").hidden = !(body.contests || []).length;
    }).catch(function () { $("contests-card").hidden = true; });
  }

  function download() {
    request("/api/export?period=" + state.preset + "&group=" + groupParam()).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (body) {
      var w = webApp();
      if (w && w.downloadFile && w.isVersionAtLeast && w.isVersionAtLeast("8.0")) {
        w.downloadFile({url: body.url, file_name: "stats-" + state.preset + "-" + groupParam() + ".csv"});
        return;
      }
      var a = document.createElement("a");  // a signed, short-lived URL: works without our headers
      a.href = body.url;
      a.download = "";
      document.body.appendChild(a);
      a.click();
      a.remove();
    }).catch(function () { gate("error"); });
  }

  if (document.body.classList.contains("gated")) return;  // the server already explained (a spent link)
  $("csv").onclick = download;
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (state.data) renderChart(); }, 120);
  });
  load();
  loadContests();
})();
