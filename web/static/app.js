// FinPipe UI: live updates by short polling, without a front-end build.
// Elements marked data-live are re-fetched as HTML fragments (the same URL
// with ?fragment=1) every data-poll milliseconds and swapped in place, until
// the server marks one data-final. Log panes (data-log) follow an attempt's
// log through the JSON API, appending lines after the last one seen.
(function () {
  "use strict";

  function pollLive(el) {
    var every = parseInt(el.getAttribute("data-poll") || "2000", 10);
    var timer = setInterval(function () {
      if (el.getAttribute("data-final") === "true") { clearInterval(timer); return; }
      var url = new URL(window.location.href);
      url.searchParams.set("fragment", el.id);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var tpl = document.createElement("template");
          tpl.innerHTML = html.trim();
          var fresh = tpl.content.firstElementChild;
          // Not while a button or link inside is pressed: a swap between
          // mousedown and mouseup puts the release on a new element, and
          // the browser then fires no click (a lost pause toggle). The
          // next tick swaps instead.
          if (!fresh || el.matches(":active")) { return; }
          el.replaceWith(fresh);
          el = fresh;
          if (el.getAttribute("data-final") === "true") { clearInterval(timer); }
        })
        .catch(function () { /* transient: try again on the next tick */ });
    }, every);
  }

  function followLog(pre) {
    var url = pre.getAttribute("data-log");
    var after = parseInt(pre.getAttribute("data-after") || "0", 10);
    var status = document.getElementById(pre.getAttribute("data-status"));
    function tick() {
      fetch(url + "?after_line=" + after + "&limit=1000&wait=10", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (page) {
          (page.lines || []).forEach(function (l) {
            var span = document.createElement("span");
            span.className = "lvl-" + l.level;
            span.textContent = l.time.substring(11, 23) + " " + l.level + " " + l.message + "\n";
            pre.appendChild(span);
            after = l.line;
          });
          if (page.lines && page.lines.length) { pre.scrollTop = pre.scrollHeight; }
          if (page.following) { setTimeout(tick, page.lines && page.lines.length ? 0 : 500); }
          else if (status) { status.textContent = "attempt finished"; }
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(pollLive);
    document.querySelectorAll("pre[data-log]").forEach(followLog);
    document.querySelectorAll("[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  });
})();
