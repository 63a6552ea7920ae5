/* Sohoa staff UI: CSRF for fetch, resumable chunked uploads, live progress (SSE), review shortcuts. No dependencies. */
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
      tr.innerHTML = '<td></td><td></td><td><progress></progress></td><td class="state"></td><td class="num pages"></td><td class="docs"></td>';
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
    cell.textContent = (labels[status.state] || status.state) + (status.one_document ? " · " + (labels.one || "") : "") +
      (status.message ? " — " + status.message : "");
    tr.querySelector(".pages").textContent = status.pages;
    documentLinks(tr.querySelector(".docs"), status, table.closest("table").dataset.docHref || "/documents/");
    return tr;
  }

  /* Finished rows link to the documents their pages went into. */
  function documentLinks(cell, status, href) {
    var ids = status.document_ids || [];
    cell.textContent = ids.length ? "" : (status.documents || "");
    ids.forEach(function (id, n) {
      if (n) { cell.appendChild(document.createTextNode(", ")); }
      var link = document.createElement("a");
      link.href = href + id;
      link.textContent = "#" + id;
      cell.appendChild(link);
    });
  }

  function sendFrom(file, status) {
    if (status.received >= status.size) { row(status); return Promise.resolve(status); }
    var end = Math.min(status.received + CHUNK, status.size);
    var headers = { "Content-Range": "bytes " + status.received + "-" + (end - 1) + "/" + status.size,
                    "Content-Type": "application/octet-stream" };
    return api("PUT", "/scanning/uploads/" + status.token, file.slice(status.received, end), headers)
      .then(function (next) { row(next); return sendFrom(file, next); });
  }

  function upload(file, grouping) {
    var key = "sohoa-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
    /* The hồ sơ as picked or typed ("CODE — Title", a code or a title): the server resolves the text under the
       access policy; the picker's id settles a choice between several matches. */
    var typed = document.getElementById("scan-file");
    var picked = document.getElementById("scan-file-id");
    var fileText = typed && typed.value.trim() ? typed.value.trim() : null;
    var fileId = fileText && picked && picked.value ? parseInt(picked.value, 10) : null;
    var saved = window.localStorage.getItem(key);
    var start = saved
      ? api("GET", "/scanning/uploads/" + saved).catch(function () { return null; })
      : Promise.resolve(null);
    return start.then(function (status) {
      if (status && status.state === "receiving") { return status; }
      return api("POST", "/scanning/uploads", Object.assign({ filename: file.name, size: file.size, file: fileText,
                                                              file_id: fileId },
                                                            grouping || {}));
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

  var ALLOWED = /\.(tiff?|jpe?g|png|pdf)$/i;

  /* Files chosen together: one sequence split where a document begins ("auto"), one document ("one"), or
     each on its own ("each"); a rework rescan ("scan-replaces") is one document replacing the old one. */
  function groupingFor(count) {
    var replaces = document.getElementById("scan-replaces");
    var mode = (document.querySelector('input[name="scan-mode"]:checked') || {}).value || "each";
    if (replaces) { mode = "one"; }
    if (!count || mode === "each" || (mode === "auto" && count < 2)) { return {}; }
    var group = "g" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
    var grouping = { group: group, group_size: count, one_document: mode === "one" };
    if (replaces) { grouping.replaces = parseInt(replaces.value, 10); }
    return grouping;
  }

  function setupDropzone() {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("scan-input");
    if (!zone || !input) { return; }
    function take(files) {
      var list = Array.prototype.filter.call(files, function (f) {
        if (!ALLOWED.test(f.name)) { window.alert(f.name + ": " + (labels.unsupported || "")); }
        return ALLOWED.test(f.name);
      });
      var grouping = groupingFor(list.length);
      list.reduce(function (p, f) { return p.then(function () { return upload(f, grouping); }); }, Promise.resolve());
    }
    ["dragenter", "dragover"].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
    zone.addEventListener("drop", function (e) { take(e.dataTransfer.files); });
    zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    input.addEventListener("change", function () { take(input.files); input.value = ""; });
    startEvents();
  }

  /* ---- review shortcuts: Alt+S saves, Alt+A approves (the page viewer is viewer.js) ---- */
  function setupShortcuts() {
    document.addEventListener("keydown", function (e) {
      if (!e.altKey) { return; }
      var button = { KeyS: "save", KeyA: "approve" }[e.code];
      var target = button && document.querySelector('#fields-form button[value="' + button + '"]');
      if (target) { e.preventDefault(); target.click(); }
    });
  }

  /* ---- selects that save on change (no inline handlers: the Content-Security-Policy forbids them) ---- */
  function setupAutosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  /* ---- unsaved changes: leaving a form marked data-unsaved-warning after editing it asks first; saving it
     (its own submit) does not ---- */
  function setupUnsavedWarning() {
    document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
      var dirty = false;
      form.addEventListener("input", function () { dirty = true; });
      form.addEventListener("change", function () { dirty = true; });
      form.addEventListener("submit", function () { dirty = false; });
      window.addEventListener("beforeunload", function (e) {
        if (!dirty) { return; }
        e.preventDefault();
        e.returnValue = "";  /* older browsers need a value to show their own dialog */
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupDropzone(); setupShortcuts(); setupAutosubmit(); setupUnsavedWarning();
  });
}());
