// When the edit panel closes (Close, Escape, Save), focus goes back to what the
// user was on before it opened: the row's "Edit …" button, or on a phone its
// "Actions for …" menu button (todo_app/ui/components/edit_panel.py). Without
// this, the focused field vanished with the panel and focus fell to the page.
(function () {
  var PANEL = 'aside[aria-label="Edit todo"]';
  // Pop-ups (a select's options, a menu) come and go in portals of their own.
  var POPUP = '[data-radix-popper-content-wrapper], [role=listbox], [role=menu], [role=dialog]';
  var before = null;  // the last element focused outside the panel and its pop-ups
  var label = '';     // its accessible name: the list may have redrawn the row
  var open = false;

  document.addEventListener('focusin', function (e) {
    var t = e.target;
    if (t && t.closest && !t.closest(PANEL) && !t.closest(POPUP)) {
      before = t;
      label = t.getAttribute('aria-label') || '';
    }
  });

  function restore() {
    var active = document.activeElement;
    if (active && active !== document.body) return;  // the user went on elsewhere
    var target = before && before.isConnected ? before : null;
    if (!target && label) {
      target = document.querySelector('[aria-label="' + CSS.escape(label) + '"]');
    }
    if (target) target.focus();
  }

  new MutationObserver(function () {
    var now = !!document.querySelector(PANEL);
    if (open && !now) requestAnimationFrame(restore);
    open = now;
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
