/* Sohoa page viewer on OpenSeadragon (vendored, /static/vendor/openseadragon): deep zoom and pan, rotation,
   thumbnails, previous/next page, the page's OCR text, search hits and review field boxes as overlays in
   image coordinates. Each page opens from its IIIF info.json, else its image, else its thumbnail.
   The configuration comes from the template (_viewer.html, data-config); no inline script (CSP). */
(function () {
  "use strict";

  var ZOOM_STEP = 1.25, PAN_STEP = 0.1;

  function PageViewer(root) {
    var cfg = JSON.parse(root.dataset.config || "{}");
    var pages = cfg.pages || [], hits = cfg.hits || [], fields = cfg.fields || {}, labels = cfg.labels || {};
    var label = root.querySelector("#page-label"), textPanel = root.querySelector(".pv-text");
    var status = root.querySelector(".pv-status"), textButton = root.querySelector('[data-act="text"]');
    var fullButton = root.querySelector('[data-act="full"]');
    var state = { page: -1, active: null, personal: null, source: "", token: 0, moved: false };
    var osd = OpenSeadragon({
      element: root.querySelector(".pv-osd"),
      prefixUrl: "/static/vendor/openseadragon/images/",
      drawer: "canvas",                 // 2D canvas: works without a GPU, and its pixels can be read
      showNavigationControl: false,     // our own buttons (labelled, translated)
      showRotationControl: false,
      visibilityRatio: 0.5,
      minZoomImageRatio: 0.5,
      maxZoomPixelRatio: 4,
      animationTime: 0.4,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      crossOriginPolicy: false
    });
    osd.addHandler("canvas-key", function (e) { e.preventDefaultAction = true; });  // our keys, below
    osd.canvas.tabIndex = -1;  // one tab stop: the viewer itself (labelled, with its keys described)
    // While the reader has not zoomed or moved the page, it stays fitted when the pane changes size (the
    // layout settling after the first paint, a rotated phone, the full window).
    ["canvas-drag", "canvas-scroll", "canvas-pinch", "canvas-double-click"].forEach(function (name) {
      osd.addHandler(name, function () { state.moved = true; });
    });
    // (after OpenSeadragon's own resize step, which puts back the bounds it had)
    osd.addHandler("resize", function () {
      window.requestAnimationFrame(function () { if (!state.moved) { osd.viewport.goHome(true); } });
    });

    function say(text) { status.textContent = text || ""; status.hidden = !text; }

    function item() { return osd.world.getItemCount() ? osd.world.getItemAt(0) : null; }

    // Overlays: boxes [left, top, right, bottom] in pixels of the page as stored (page.width wide); the
    // opened source may be smaller (a web-size image or a thumbnail), so scale to its own pixels.
    function drawBoxes() {
      osd.clearOverlays();
      var it = item(), p = pages[state.page];
      if (!it || !p) { return; }
      var scale = p.width ? it.source.dimensions.x / p.width : 1;
      function add(box, cls, title) {
        var el = document.createElement("div");
        el.className = cls;
        el.title = title;
        el.dataset.box = box.join(",");
        var rect = it.imageToViewportRectangle(box[0] * scale, box[1] * scale,
                                               (box[2] - box[0]) * scale, (box[3] - box[1]) * scale);
        osd.addOverlay({ element: el, location: rect,
                         rotationMode: OpenSeadragon.OverlayRotationMode.BOUNDING_BOX });
      }
      hits.forEach(function (h) {
        if (h.page !== p.no) { return; }
        (h.boxes || []).forEach(function (b) { add(b, "pv-hit", labels.hit || ""); });
      });
      Object.keys(fields).forEach(function (name) {
        var f = fields[name] || {};
        if ((f.page || 1) !== p.no) { return; }
        (f.boxes || []).forEach(function (b) {
          add(b, "pv-field" + (state.active === name ? " active" : ""), (labels.field || "") + ": " + name);
        });
      });
      // Review: the personal data found or added (personal-review.js lists them; boxes [page, x0, y0, x1, y1]).
      (cfg.personal || []).forEach(function (s) {
        (s.boxes || []).forEach(function (b) {
          if (b[0] !== p.no) { return; }
          add(b.slice(1), "pv-personal " + s.status + (state.personal === s.id ? " active" : ""), s.label);
        });
      });
      root.dataset.overlays = String(root.querySelectorAll(".pv-hit, .pv-field").length);
      root.dataset.personal = String(root.querySelectorAll(".pv-personal").length);
    }

    function sources(p) {
      return [{ kind: "iiif", source: p.info }, { kind: "image", source: { type: "image", url: p.image } },
              { kind: "thumbnail", source: { type: "image", url: p.thumb } }];
    }

    function open(index) {
      var p = pages[index], chain = sources(p), token = ++state.token;
      root.dataset.loaded = "";
      function attempt(n) {
        if (token !== state.token) { return; }
        if (n >= chain.length) { root.dataset.source = "none"; say(labels.noImage || ""); return; }
        state.source = chain[n].kind;
        osd.addOnceHandler("open-failed", function () { attempt(n + 1); });
        osd.open(chain[n].source);
      }
      say("");
      attempt(0);
    }

    osd.addHandler("open", function () {
      var it = item();
      state.moved = false;
      root.dataset.source = state.source;
      // A page turned in review shows turned (its thumbnail is stored turned already; the other sources are
      // the scan's own geometry, which the boxes use).
      var turn = state.source === "thumbnail" ? 0 : (pages[state.page] || {}).rotation || 0;
      osd.viewport.setRotation(turn, true);
      drawBoxes();
      if (!it) { return; }
      function loaded() { root.dataset.loaded = "1"; }
      if (it.getFullyLoaded()) { loaded(); } else {
        it.addOnceHandler("fully-loaded-change", function (e) { if (e.fullyLoaded) { loaded(); } });
      }
    });
    osd.addHandler("rotate", function (e) { root.dataset.rotation = String(((e.degrees % 360) + 360) % 360); });

    function showText() {
      var p = pages[state.page];
      textPanel.textContent = p ? (p.text || "—") : "";
    }

    // Scroll the strip (only the strip: the page itself must not jump) so that the current thumbnail shows.
    function keepInStrip(button) {
      var strip = button.closest(".pv-thumbs"), item = button.parentNode;
      if (item.offsetLeft < strip.scrollLeft) { strip.scrollLeft = item.offsetLeft; }
      else if (item.offsetLeft + item.offsetWidth > strip.scrollLeft + strip.clientWidth) {
        strip.scrollLeft = item.offsetLeft + item.offsetWidth - strip.clientWidth;
      }
    }

    function show(index) {
      if (index < 0 || index >= pages.length || index === state.page) { return false; }
      state.page = index;
      label.textContent = (index + 1) + "/" + pages.length;
      root.dataset.page = String(pages[index].no);
      root.querySelectorAll(".pv-thumbs [data-page]").forEach(function (b) {
        if (Number(b.dataset.page) === index) {
          b.setAttribute("aria-current", "true");
          keepInStrip(b);
        } else { b.removeAttribute("aria-current"); }
      });
      showText();
      open(index);
      return true;
    }

    function zoom(factor) { state.moved = true; osd.viewport.zoomBy(factor); osd.viewport.applyConstraints(); }
    function pan(dx, dy) {
      var vp = osd.viewport;
      state.moved = true;
      vp.panBy(new OpenSeadragon.Point(dx / vp.getZoom(), dy / vp.getZoom()));
    }
    function home() { state.moved = false; osd.viewport.goHome(); }
    function rotate(delta) { osd.viewport.setRotation(osd.viewport.getRotation() + delta); }
    function toggleText(on) {
      var visible = on === undefined ? textPanel.hidden : on;
      textPanel.hidden = !visible;
      textButton.setAttribute("aria-pressed", visible ? "true" : "false");
    }
    // Full window: the whole viewer (toolbar, text, thumbnails) covers the page; OpenSeadragon follows the
    // size of its element (its own full-page mode would leave our toolbar behind).
    function isFull() { return root.classList.contains("pv-full"); }
    function toggleFull() {
      var on = !isFull();
      root.classList.toggle("pv-full", on);
      fullButton.setAttribute("aria-pressed", on ? "true" : "false");
      root.focus({ preventScroll: true });
    }
    var actions = {
      "zoom-in": function () { zoom(ZOOM_STEP); }, "zoom-out": function () { zoom(1 / ZOOM_STEP); },
      "home": home,
      "rotate-left": function () { rotate(-90); }, "rotate-right": function () { rotate(90); },
      "full": toggleFull, "text": function () { toggleText(); },
      "prev": function () { show(state.page - 1); }, "next": function () { show(state.page + 1); }
    };
    root.querySelectorAll("[data-act]").forEach(function (b) {
      b.addEventListener("click", function () { actions[b.dataset.act](); });
    });
    root.querySelectorAll(".pv-thumbs [data-page]").forEach(function (b) {
      b.addEventListener("click", function () { show(Number(b.dataset.page)); });
    });
    // A click in the image gives the viewer the keyboard focus (OpenSeadragon's canvas takes no keys here).
    root.querySelector(".pv-osd").addEventListener("pointerdown", function () { root.focus({ preventScroll: true }); });

    // Keys on the focused viewer (capture: before OpenSeadragon's own handler on its canvas).
    root.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest("button, .pv-text")) { return; }
      var done = true;
      switch (e.key) {
        case "+": case "=": zoom(ZOOM_STEP); break;
        case "-": case "_": zoom(1 / ZOOM_STEP); break;
        case "0": home(); break;
        case "ArrowLeft": pan(-PAN_STEP, 0); break;
        case "ArrowRight": pan(PAN_STEP, 0); break;
        case "ArrowUp": pan(0, -PAN_STEP); break;
        case "ArrowDown": pan(0, PAN_STEP); break;
        case "r": rotate(90); break;
        case "R": rotate(-90); break;
        case "PageDown": case "n": show(state.page + 1); break;
        case "PageUp": case "p": show(state.page - 1); break;
        case "Home": show(0); break;
        case "End": show(pages.length - 1); break;
        case "t": case "T": toggleText(); break;
        case "f": case "F": toggleFull(); break;
        case "Escape": if (isFull()) { toggleFull(); } else { done = false; } break;
        default: done = false;
      }
      if (done) { e.preventDefault(); e.stopPropagation(); }
    }, true);

    // Review: focusing a field shows its page and marks its words.
    document.querySelectorAll("[data-field]").forEach(function (input) {
      input.addEventListener("focus", function () {
        var f = fields[input.dataset.field];
        state.active = input.dataset.field;
        if (!(f && f.page && show(f.page - 1))) { drawBoxes(); }
      });
    });
    // Anywhere on the page: Alt+←/→ turn the page, Alt++/− zoom (the review form keeps the focus).
    document.addEventListener("keydown", function (e) {
      if (!e.altKey || e.ctrlKey || e.metaKey) { return; }
      if (e.key === "ArrowRight") { show(state.page + 1); } else if (e.key === "ArrowLeft") { show(state.page - 1); }
      else if (e.key === "+" || e.key === "=") { zoom(ZOOM_STEP); } else if (e.key === "-") { zoom(1 / ZOOM_STEP); }
      else { return; }
      e.preventDefault();
    });

    // The first page with a search hit, else the first page.
    var first = 0;
    if (hits.length) {
      pages.forEach(function (p, i) { if (p.no === hits[0].page) { first = i; } });
    }
    if (pages.length) { show(first); } else { say(labels.noImage || ""); }

    this.osd = osd;
    this.show = show;
    this.page = function () { return state.page; };
    this.pages = pages;
    this.redraw = drawBoxes;
    // Outline one personal data value (its id) and show its page (personal-review.js).
    this.locate = function (id, pageNo) {
      state.personal = id;
      var index = -1;
      pages.forEach(function (p, i) { if (p.no === pageNo) { index = i; } });
      if (!(index >= 0 && show(index))) { drawBoxes(); }
    };
  }

  // OpenSeadragon adds a <style> for touch screens unless a style element marked data-openseadragon-mobile-css
  // exists; our CSP forbids inline styles (even an empty one is reported), so an inert element named "style"
  // outside the HTML namespace stands in (the selector matches it, no browser treats it as CSS) and
  // viewer.css carries the rule.
  function markMobileCss() {
    if (document.querySelector("style[data-openseadragon-mobile-css]")) { return; }
    var stand = document.createElementNS("urn:sohoa:viewer", "style");
    stand.setAttribute("data-openseadragon-mobile-css", "true");
    document.head.appendChild(stand);
  }

  function setup() {
    if (typeof OpenSeadragon !== "function") { return; }
    markMobileCss();
    document.querySelectorAll(".pageviewer").forEach(function (root) { root.pageViewer = new PageViewer(root); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
}());
