/* Sohoa staff UI: CSRF for fetch, resumable chunked uploads, live progress (SSE), page viewer. No dependencies. */
(function () {
  "use strict";
  var CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var CHUNK = 4 * 1024 * 1024;

  function api(method, url, body, headers) {
    var h = Object.assign({ "X-CSRF-Token": CSRF, "Accept": "application/json" }, headers || {});
    if (body && !(body instanceof Blob)) { h["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    return fetch(url, { method: method, headers: h, body: body, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) { throw new Error(j.detail || r.statusText); } return j; });
    });
  }

  /* ---- uploads ---- */
  var labels = {};
  try { labels = JSON.parse((document.getElementById("i18n") || {}).textContent || "{}"); } catch (e) { labels = {}; }

  function row(status) {
    var table = document.querySelector("#uploads tbody");
    if (!table) { return null; }
    var tr = table.querySelector('tr[data-token="' + status.token + '"]');
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.token = status.token;
      tr.innerHTML = '<td></td><td></td><td><progress></progress></td><td class="state"></td><td class="num pages"></td><td class="num docs"></td>';
      tr.children[0].textContent = status.filename;
      tr.children[1].textContent = status.file_code || "—";
      table.insertBefore(tr, table.firstChild);
    }
    var bar = tr.querySelector("progress");
    var live = status.live;
    if (status.state === "processing" && live && live[1]) { bar.max = live[1]; bar.value = live[0]; }
    else { bar.max = status.size; bar.value = status.received; }
    var cell = tr.querySelector(".state");
    cell.dataset.state = status.state;
    cell.textContent = (labels[status.state] || status.state) + (status.message ? " — " + status.message : "");
    tr.querySelector(".pages").textContent = status.pages;
    tr.querySelector(".docs").textContent = status.documents;
    return tr;
  }

  function sendFrom(file, status) {
    if (status.received >= status.size) { row(status); return Promise.resolve(status); }
    var end = Math.min(status.received + CHUNK, status.size);
    var headers = { "Content-Range": "bytes " + status.received + "-" + (end - 1) + "/" + status.size,
                    "Content-Type": "application/octet-stream" };
    return api("PUT", "/scanning/uploads/" + status.token, file.slice(status.received, end), headers)
      .then(function (next) { row(next); return sendFrom(file, next); });
  }

  function upload(file) {
    var key = "sohoa-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
    var select = document.getElementById("scan-file");
    var fileId = select && select.value ? parseInt(select.value, 10) : null;
    var saved = window.localStorage.getItem(key);
    var start = saved
      ? api("GET", "/scanning/uploads/" + saved).catch(function () { return null; })
      : Promise.resolve(null);
    return start.then(function (status) {
      if (status && status.state === "receiving") { return status; }
      return api("POST", "/scanning/uploads", { filename: file.name, size: file.size, file_id: fileId });
    }).then(function (status) {
      window.localStorage.setItem(key, status.token);
      row(status);
      return sendFrom(file, status);
    }).then(function (status) {
      window.localStorage.removeItem(key);
      return status;
    }).catch(function (err) { window.alert(file.name + ": " + err.message); });
  }

  function startEvents() {
    if (!window.EventSource || !document.getElementById("uploads")) { return; }
    var source = new EventSource("/scanning/events");
    source.addEventListener("upload", function (e) { row(JSON.parse(e.data)); });
  }

  function setupDropzone() {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("scan-input");
    if (!zone || !input) { return; }
    function take(files) { Array.prototype.reduce.call(files, function (p, f) { return p.then(function () { return upload(f); }); }, Promise.resolve()); }
    ["dragenter", "dragover"].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
    zone.addEventListener("drop", function (e) { take(e.dataTransfer.files); });
    zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    input.addEventListener("change", function () { take(input.files); input.value = ""; });
    startEvents();
  }

  /* ---- page viewer: zoom, pan, field highlights, keyboard ---- */
  function setupViewer() {
    var viewer = document.getElementById("viewer");
    if (!viewer) { return; }
    var pages = JSON.parse(viewer.dataset.pages || "[]");
    var prov = JSON.parse(viewer.dataset.provenance || "{}");
    var canvas = document.getElementById("canvas"), img = document.getElementById("page-img");
    var label = document.getElementById("page-label");
    var state = { page: 0, scale: 1, x: 0, y: 0, active: null };

    function apply() { canvas.style.transform = "translate(" + state.x + "px," + state.y + "px) scale(" + state.scale + ")"; }
    function fit() {
      var p = pages[state.page]; if (!p) { return; }
      state.scale = Math.min(viewer.clientWidth / p.width, viewer.clientHeight / p.height);
      state.x = 0; state.y = 0; apply();
    }
    function boxes() {
      canvas.querySelectorAll(".hl").forEach(function (n) { n.remove(); });
      var p = pages[state.page]; if (!p) { return; }
      Object.keys(prov).forEach(function (name) {
        var f = prov[name] || {};
        if ((f.page || 1) !== state.page + 1) { return; }
        (f.boxes || []).forEach(function (b) {
          var d = document.createElement("div");
          d.className = "hl" + (state.active === name ? " active" : "");
          d.title = name;
          d.style.left = b[0] + "px"; d.style.top = b[1] + "px";
          d.style.width = (b[2] - b[0]) + "px"; d.style.height = (b[3] - b[1]) + "px";
          canvas.appendChild(d);
        });
      });
    }
    function show(index) {
      if (index < 0 || index >= pages.length) { return; }
      state.page = index;
      var p = pages[index];
      img.src = "/pages/" + p.id + "/image";
      img.style.width = p.width + "px"; img.style.height = p.height + "px";
      label.textContent = (index + 1) + "/" + pages.length;
      boxes(); fit();
    }
    function zoom(factor) { state.scale = Math.max(0.05, Math.min(8, state.scale * factor)); apply(); }

    viewer.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () { var z = b.dataset.zoom; if (z === "fit") { fit(); } else { zoom(z === "in" ? 1.25 : 0.8); } });
    });
    viewer.querySelectorAll("[data-page]").forEach(function (b) {
      b.addEventListener("click", function () { show(state.page + (b.dataset.page === "next" ? 1 : -1)); });
    });
    viewer.addEventListener("wheel", function (e) { e.preventDefault(); zoom(e.deltaY < 0 ? 1.1 : 0.9); }, { passive: false });
    var drag = null;
    viewer.addEventListener("mousedown", function (e) { if (e.target.closest(".tools")) { return; } drag = { x: e.clientX - state.x, y: e.clientY - state.y }; });
    window.addEventListener("mousemove", function (e) { if (drag) { state.x = e.clientX - drag.x; state.y = e.clientY - drag.y; apply(); } });
    window.addEventListener("mouseup", function () { drag = null; });
    viewer.addEventListener("keydown", function (e) {
      var step = 40;
      if (e.key === "ArrowLeft") { state.x += step; } else if (e.key === "ArrowRight") { state.x -= step; }
      else if (e.key === "ArrowUp") { state.y += step; } else if (e.key === "ArrowDown") { state.y -= step; }
      else if (e.key === "+" || e.key === "=") { zoom(1.25); return; } else if (e.key === "-") { zoom(0.8); return; }
      else { return; }
      e.preventDefault(); apply();
    });
    document.querySelectorAll("[data-field]").forEach(function (input) {
      input.addEventListener("focus", function () {
        var f = prov[input.dataset.field];
        state.active = input.dataset.field;
        if (f && f.page && f.page - 1 !== state.page) { show(f.page - 1); } else { boxes(); }
      });
    });
    document.addEventListener("keydown", function (e) {
      if (!e.altKey) { return; }
      var button = { KeyS: "save", KeyA: "approve" }[e.code];
      var target = button && document.querySelector('#fields-form button[value="' + button + '"]');
      if (target) { e.preventDefault(); target.click(); return; }
      if (e.key === "ArrowRight") { show(state.page + 1); } else if (e.key === "ArrowLeft") { show(state.page - 1); }
      else if (e.key === "+" || e.key === "=") { zoom(1.25); } else if (e.key === "-") { zoom(0.8); }
      else { return; }
      e.preventDefault();
    });
    if (pages.length) { show(0); }
  }

  /* ---- selects that save on change (no inline handlers: the Content-Security-Policy forbids them) ---- */
  function setupAutosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setupDropzone(); setupViewer(); setupAutosubmit(); });
}());
