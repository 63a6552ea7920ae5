/* Sohoa portal: the "copy" buttons (citation text). No dependencies; works without a secure context too. */
(function () {
  "use strict";

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallbackCopy(node) {
    selectText(node);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  function copy(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.id + "-status");
    if (!source) { return; }
    var text = source.textContent.trim();
    var say = function (ok) {
      if (status) { status.textContent = ok ? button.dataset.done : button.dataset.failed; }
      button.dataset.copied = ok ? "true" : "false";
      if (!ok) { selectText(source); }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(true); }, function () { say(fallbackCopy(source)); });
    } else {
      say(fallbackCopy(source));
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (button) { copy(button); }
  });
})();
