// The desk's live parts, plain JS: counts from server-sent events, the
// door desk's list refreshed on every change and its marks sent in place.
(function () {
  "use strict";
  var list = document.getElementById("desk-list");
  var search = document.getElementById("desk-search");
  var pending = null;

  function query() {
    var q = search ? search.querySelector("input[name=q]").value : "";
    return q ? "?q=" + encodeURIComponent(q) : "";
  }
  function refresh() {
    if (!list) return;
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(list.dataset.src + query(), { credentials: "same-origin", signal: pending.signal })
      .then(function (r) { return r.text(); })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () {});
  }
  function set(el, v) {
    if (v === undefined || el.textContent === String(v)) return;
    el.textContent = v;
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 1200);
  }
  var src = document.body.dataset.events;
  if (src && window.EventSource) {
    var es = new EventSource(src);
    es.addEventListener("counts", function (e) {
      var c = JSON.parse(e.data), stale = false;
      document.querySelectorAll("[data-c]").forEach(function (el) {
        var p = el.dataset.c.split(".");
        if (p[0] === "here") return set(el, c.total.present + c.total.late);
        if (p[0] === "total") return set(el, c.total[p[1]]);
        var g = c[p[0]] && c[p[0]][+p[1]];
        if (!g) { stale = true; return; }
        set(el, g[p[2]]);
      });
      if (stale && !list) location.reload();
      refresh();
    });
  }
  // The venue screen's check-in code: a rotating one is fetched again when
  // the server says it is replaced, a static one every 30 s (the organizer
  // may switch to rotating); retry soon if a fetch fails.
  var qr = document.getElementById("venue-qr");
  function rotate(ms) {
    setTimeout(function () {
      fetch(qr.dataset.src, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw r.status; return r.json(); })
        .then(function (c) { qr.src = c.qr; qr.dataset.mode = c.mode; rotate(c.refresh_ms || 30000); })
        .catch(function () { rotate(3000); });
    }, ms);
  }
  if (qr && qr.dataset.src) rotate(+qr.dataset.refresh);
  if (search) {
    var timer;
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    search.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
  }
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.classList.contains("mark")) return;
    e.preventDefault();
    var body = new FormData(f);
    if (e.submitter) body.set(e.submitter.name, e.submitter.value);
    // getAttribute: f.action would be the button named "action".
    fetch(f.getAttribute("action") + query(), { method: "POST", body: body, credentials: "same-origin", headers: { "X-Desk": "list" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () { f.submit(); });
  });
})();
