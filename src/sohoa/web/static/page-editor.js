/* Sohoa review page editor (templates/_page_editor.html): reorder a document's page thumbnails by drag and
   drop or with the ← → buttons, then "Lưu thứ tự" posts the new order as the pages' current positions.
   Without this script each ← → button posts one move. While the order is changed and not saved, the
   form counts as unsaved (app.js asks before leaving) and the buttons that act at once (turn, split, merge)
   wait, since they name pages by their saved positions. No dependencies; no inline script (CSP). */
(function () {
  "use strict";

  function PageEditor(root) {
    var form = root.querySelector("#pe-order");
    var list = root.querySelector(".pe-pages");
    var field = form && form.querySelector('input[name="positions"]');
    var save = root.querySelector("#pe-save");
    var status = root.querySelector("#pe-status");
    var labels = {};
    try { labels = JSON.parse(root.dataset.labels || "{}"); } catch (e) { labels = {}; }
    if (!form || !list || !field) { return; }
    var initial = field.value, dragged = null;
    save.hidden = false;

    function items() { return Array.prototype.slice.call(list.querySelectorAll(".pe-page")); }

    function fill(text, values) {
      return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
        return key in values ? values[key] : all;
      });
    }

    function update(moved) {
      var pages = items();
      field.value = pages.map(function (li) { return li.dataset.position; }).join(",");
      var dirty = field.value !== initial;
      root.dataset.dirty = dirty ? "1" : "";
      pages.forEach(function (li, n) {
        li.querySelector('[data-move="-1"]').disabled = n === 0;
        li.querySelector('[data-move="1"]').disabled = n === pages.length - 1;
      });
      root.querySelectorAll("[data-immediate]").forEach(function (b) {
        b.disabled = dirty;
        b.title = dirty ? (labels.saveFirst || "") : "";
      });
      if (moved) {
        status.textContent = fill(labels.moved, { page: moved.dataset.position,
                                                  to: pages.indexOf(moved) + 1, count: pages.length });
      }
      form.dispatchEvent(new Event("change", { bubbles: true }));  // the unsaved-changes warning (app.js)
    }

    // The ← → buttons move the page on the screen; focus stays on the page that moved.
    list.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest("[data-move]") : null;
      if (!button) { return; }
      e.preventDefault();
      var li = button.closest(".pe-page");
      var step = Number(button.dataset.move);
      var other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!other) { return; }
      list.insertBefore(li, step < 0 ? other : other.nextElementSibling);
      update(li);
      var again = li.querySelector('[data-move="' + step + '"]');
      (again.disabled ? li.querySelector('[data-move="' + (-step) + '"]') : again).focus();
    });

    // HTML5 drag and drop: the page goes before or after the one it is dropped on (by the pointer's side).
    list.addEventListener("dragstart", function (e) {
      dragged = e.target.closest ? e.target.closest(".pe-page") : null;
      if (!dragged) { return; }
      dragged.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged.dataset.position);
    });
    list.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      dragged = null;
      items().forEach(function (li) { li.classList.remove("drop-target"); });
    });
    list.addEventListener("dragover", function (e) {
      var target = e.target.closest ? e.target.closest(".pe-page") : null;
      if (!dragged || !target) { return; }
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      items().forEach(function (li) { li.classList.toggle("drop-target", li === target && li !== dragged); });
    });
    list.addEventListener("drop", function (e) {
      var target = e.target.closest ? e.target.closest(".pe-page") : null;
      if (!dragged || !target) { return; }
      e.preventDefault();
      if (target !== dragged) {
        var box = target.getBoundingClientRect();
        var after = e.clientX > box.left + box.width / 2;
        list.insertBefore(dragged, after ? target.nextElementSibling : target);
        update(dragged);
      }
      target.classList.remove("drop-target");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-page-editor]").forEach(function (root) { PageEditor(root); });
  });
}());
