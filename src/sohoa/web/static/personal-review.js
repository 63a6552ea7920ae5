/* The review screen's personal data panel (_personal_data.html), a progressive enhancement: every form works
   without it. It outlines a value on the page viewer when its name is clicked, lets the reviewer draw the region
   of a new mask on the page image (the form's page and x0, y0, x1, y1 fields are filled in scan pixels) and
   shows the typed region on the image. The page viewer (viewer.js) draws the outlines of every value. */
(function () {
  "use strict";

  function setup() {
    var panel = document.getElementById("personal-data");
    var root = document.querySelector(".pageviewer");
    var viewer = root && root.pageViewer;
    if (!panel || !viewer) { return; }
    var osd = viewer.osd, area = root.querySelector(".pv-osd");
    var form = document.getElementById("pd-region-form"), drawButton = document.getElementById("pd-draw");
    var status = document.getElementById("pd-draw-status");
    var inputs = ["x0", "y0", "x1", "y1"].map(function (n) { return document.getElementById("pd-" + n); });
    var pageSelect = document.getElementById("pd-page");
    var drawing = { on: false, start: null, overlay: null };

    panel.querySelectorAll("[data-personal-locate]").forEach(function (button) {
      button.addEventListener("click", function () {
        var row = button.closest("[data-personal-id]");
        viewer.locate(Number(button.dataset.personalLocate), Number(row.dataset.personalPage));
        root.scrollIntoView({ block: "nearest" });
      });
    });

    function current() { return viewer.pages[viewer.page()]; }
    function item() { return osd.world.getItemCount() ? osd.world.getItemAt(0) : null; }
    function scale() {
      var it = item(), p = current();
      return it && p && p.width ? it.source.dimensions.x / p.width : 1;
    }
    // A point of the viewer's element → the page's scan pixels (OpenSeadragon undoes zoom, pan and rotation).
    function toScan(event) {
      var rect = area.getBoundingClientRect(), it = item();
      var vp = osd.viewport.pointFromPixel(new OpenSeadragon.Point(event.clientX - rect.left, event.clientY - rect.top));
      var img = it.viewportToImageCoordinates(vp), k = scale(), p = current();
      return { x: Math.max(0, Math.min(p.width || 1e9, Math.round(img.x / k))),
               y: Math.max(0, Math.min(p.height || 1e9, Math.round(img.y / k))) };
    }
    function showBox(box) {
      var it = item();
      if (drawing.overlay) { osd.removeOverlay(drawing.overlay); drawing.overlay = null; }
      if (!it || !box || box[2] <= box[0] || box[3] <= box[1]) { return; }
      var k = scale(), el = document.createElement("div");
      el.className = "pv-drawing";
      osd.addOverlay({ element: el, location: it.imageToViewportRectangle(box[0] * k, box[1] * k,
                       (box[2] - box[0]) * k, (box[3] - box[1]) * k),
                       rotationMode: OpenSeadragon.OverlayRotationMode.BOUNDING_BOX });
      drawing.overlay = el;
    }
    function typedBox() {
      var v = inputs.map(function (i) { return Number(i.value); });
      if (inputs.some(function (i) { return i.value === ""; })) { return null; }
      return [Math.min(v[0], v[2]), Math.min(v[1], v[3]), Math.max(v[0], v[2]), Math.max(v[1], v[3])];
    }
    function fill(a, b) {
      var box = [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
      inputs.forEach(function (input, i) { input.value = String(box[i]); });
      pageSelect.value = String(current().no);
      return box;
    }
    function setMode(on) {
      drawing.on = on;
      drawing.start = null;
      osd.setMouseNavEnabled(!on);
      root.classList.toggle("pv-draw-mode", on);
      drawButton.setAttribute("aria-pressed", on ? "true" : "false");
      status.textContent = on ? drawButton.dataset.hint : "";
    }

    drawButton.hidden = false;
    drawButton.addEventListener("click", function (e) {
      setMode(!drawing.on);
      if (drawing.on) {
        panel.querySelector("#personal-add").open = true;
        if (e.detail === 0 && !typedBox()) { startFromKeys(); }  // pressed from the keyboard: a region to move
      }
    });
    area.addEventListener("pointerdown", function (e) {
      if (!drawing.on || !item()) { return; }
      drawing.start = toScan(e);
      area.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    area.addEventListener("pointermove", function (e) {
      if (!drawing.on || !drawing.start) { return; }
      showBox(fill(drawing.start, toScan(e)));
    });
    area.addEventListener("pointerup", function (e) {
      if (!drawing.on || !drawing.start) { return; }
      var box = fill(drawing.start, toScan(e));
      setMode(false);
      showBox(box);
      status.textContent = drawButton.dataset.done;
      document.getElementById("pd-region-kind").focus();
    });
    // From the keyboard: in drawing mode a region starts at the middle of the view; the arrows move it,
    // Shift+arrows resize it (a tenth of the page's shorter side per press with Alt, else 10 pixels), Enter keeps
    // it, Esc gives up.
    function startFromKeys() {
      var p = current(), it = item();
      if (!p || !it) { return; }
      var centre = it.viewportToImageCoordinates(osd.viewport.getCenter(true)), k = scale();
      var side = Math.round(Math.min(p.width, p.height) / 20), x = Math.round(centre.x / k), y = Math.round(centre.y / k);
      showBox(fill({ x: Math.max(0, x - 2 * side), y: Math.max(0, y - side) },
                   { x: Math.min(p.width, x + 2 * side), y: Math.min(p.height, y + side) }));
    }
    document.addEventListener("keydown", function (e) {
      if (!drawing.on) { return; }
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (e.key === "Escape") { setMode(false); }
      else if (e.key === "Enter" && typedBox()) {
        setMode(false);
        status.textContent = drawButton.dataset.done;
        document.getElementById("pd-region-kind").focus();
      } else if (moves[e.key]) {
        var box = typedBox(), p = current();
        if (!box) { startFromKeys(); box = typedBox(); }
        var step = e.altKey ? Math.round(Math.min(p.width, p.height) / 10) : 10, d = moves[e.key];
        if (e.shiftKey) { box[2] += d[0] * step; box[3] += d[1] * step; }
        else { box = [box[0] + d[0] * step, box[1] + d[1] * step, box[2] + d[0] * step, box[3] + d[1] * step]; }
        box = [Math.max(0, box[0]), Math.max(0, box[1]), Math.min(p.width, box[2]), Math.min(p.height, box[3])];
        if (box[2] - box[0] >= 4 && box[3] - box[1] >= 4) { showBox(fill({ x: box[0], y: box[1] }, { x: box[2], y: box[3] })); }
      } else { return; }
      e.preventDefault();
      e.stopPropagation();
    }, true);
    // Typed coordinates show on the image too (on their page).
    inputs.concat([pageSelect]).forEach(function (input) {
      input.addEventListener("input", function () {
        if (Number(pageSelect.value) !== current().no) { viewer.locate(null, Number(pageSelect.value)); }
        showBox(typedBox());
      });
    });
    osd.addHandler("open", function () { if (form && typedBox() && Number(pageSelect.value) === current().no) { showBox(typedBox()); } });
  }

  // After viewer.js (both deferred; this file comes later in the page, so its DOMContentLoaded runs later).
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
}());
