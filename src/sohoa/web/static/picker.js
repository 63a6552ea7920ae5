/* Sohoa type-ahead picker: pick a unit, fonds, hồ sơ or document by code or name instead of typing an id.
 *
 *   <input type="hidden" name="unit_id">
 *   <input id="f-unit" name="unit" data-picker="units" data-picker-target="unit_id">
 *
 * data-picker is the kind looked up at /staff/lookup/<kind>?q=… (units, fonds, files, documents);
 * data-picker-target names the hidden input (same form) that receives the picked id. The text field keeps
 * "CODE — Name", so without the script the form still sends what the person typed and the server resolves it.
 * WAI-ARIA combobox (list autocomplete): ↑/↓ move, Enter picks, Esc closes, the list is a listbox.
 * Typing again clears the hidden id. A "picker:picked" event (detail: the item) bubbles from the text field.
 * No dependencies.
 */
(function () {
  "use strict";
  var WORDS = {
    vi: { none: "Không có kết quả", count: " kết quả, dùng phím mũi tên để chọn", error: "Không tra cứu được" },
    en: { none: "No results", count: " results, use the arrow keys to choose", error: "The lookup failed" }
  };
  var serial = 0;

  function words() {
    return WORDS[(document.documentElement.lang || "vi").slice(0, 2)] || WORDS.vi;
  }

  function targetOf(input) {
    var name = input.getAttribute("data-picker-target");
    if (!name) { return null; }
    var scope = input.form || document;
    var found = scope.querySelector ? scope.querySelector('input[name="' + name + '"]') : null;
    if (!found && input.form) { found = document.querySelector('input[name="' + name + '"][form="' + input.form.id + '"]'); }
    return found || document.querySelector('input[name="' + name + '"]');
  }

  function Picker(input) {
    var self = this;
    var id = input.id || ("picker-" + (++serial));
    input.id = id;
    this.input = input;
    this.kind = input.getAttribute("data-picker");
    this.target = targetOf(input);
    this.items = [];
    this.active = -1;
    this.timer = 0;
    this.seq = 0;
    var wrap = document.createElement("span");
    wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    this.list = document.createElement("ul");
    this.list.id = id + "-list";
    this.list.className = "picker-list";
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    wrap.appendChild(this.list);
    this.status = document.createElement("span");
    this.status.className = "sr";
    this.status.setAttribute("role", "status");
    wrap.appendChild(this.status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", function () { self.typed(); });
    input.addEventListener("keydown", function (e) { self.key(e); });
    input.addEventListener("blur", function () { window.setTimeout(function () { self.close(); }, 150); });
    this.list.addEventListener("mousedown", function (e) {
      var li = e.target.closest ? e.target.closest("li[role=option]") : null;
      if (li) { e.preventDefault(); self.pick(Number(li.getAttribute("data-index"))); }
    });
  }

  Picker.prototype.typed = function () {
    var self = this;
    if (this.target) { this.target.value = ""; }
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.fetch(); }, 150);
  };

  Picker.prototype.fetch = function () {
    var self = this;
    var seq = ++this.seq;
    var url = "/staff/lookup/" + encodeURIComponent(this.kind) + "?q=" + encodeURIComponent(this.input.value.trim());
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.statusText); } return r.json(); })
      .then(function (data) { if (seq === self.seq) { self.show(data.items || []); } })
      .catch(function () { if (seq === self.seq) { self.show([]); self.status.textContent = words().error; } });
  };

  Picker.prototype.show = function (items) {
    var self = this;
    this.items = items;
    this.active = -1;
    this.list.textContent = "";
    items.forEach(function (item, n) {
      var li = document.createElement("li");
      li.id = self.list.id + "-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-index", String(n));
      li.setAttribute("data-id", String(item.id));
      var code = document.createElement("strong");
      code.textContent = item.code || "";
      li.appendChild(code);
      li.appendChild(document.createTextNode(item.label.slice((item.code || "").length)));
      self.list.appendChild(li);
    });
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "picker-empty";
      empty.textContent = words().none;
      this.list.appendChild(empty);
    }
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.input.removeAttribute("aria-activedescendant");
    this.status.textContent = items.length ? items.length + words().count : words().none;
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Picker.prototype.move = function (step) {
    if (!this.items.length) { return; }
    var options = this.list.querySelectorAll("li[role=option]");
    if (this.active >= 0) { options[this.active].setAttribute("aria-selected", "false"); }
    this.active = (this.active + step + this.items.length) % this.items.length;
    var li = options[this.active];
    li.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", li.id);
    if (li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
  };

  Picker.prototype.pick = function (n) {
    var item = this.items[n];
    if (!item) { return; }
    this.input.value = item.text;
    if (this.target) { this.target.value = String(item.id); }
    this.close();
    this.status.textContent = item.label;
    this.input.dispatchEvent(new CustomEvent("picker:picked", { bubbles: true, detail: item }));
  };

  Picker.prototype.key = function (e) {
    var open = !this.list.hidden;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) { this.fetch(); return; }
      this.move(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" && open && this.active >= 0) {
      e.preventDefault();
      this.pick(this.active);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      this.close();
    } else if (e.key === "Tab") {
      this.close();
    }
  };

  function start(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("input[data-picker]"), function (input) {
      if (!input.sohoaPicker) { input.sohoaPicker = new Picker(input); }
    });
  }

  window.SohoaPicker = { start: start };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { start(); }); }
  else { start(); }
})();
