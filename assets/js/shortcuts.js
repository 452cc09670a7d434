// Keyboard shortcuts: n, /, j, k, x, e, Delete, ?, Escape, Ctrl/Cmd+Z (todo_app/ui/components/shortcuts.py).
// Escape in a text box leaves it (the edit panel saves the field); outside one it closes the panel.
// Only moves focus and clicks the page's own labelled controls, so every
// shortcut goes through the same events (and checks) as a mouse click. The id
// of the "New todo" box comes from the tag's data-new-todo-id attribute.
(function () {
  var script = document.currentScript;
  var newTodoId = script && script.getAttribute('data-new-todo-id');
  document.addEventListener('keydown', function (e) {
    var t = e.target, tag = t && t.tagName;
    var typing = tag === 'INPUT' || tag === 'TEXTAREA' || (t && t.isContentEditable);
    if (typing && e.key === 'Escape') { t.blur(); return; }
    // Ctrl/Cmd+Z outside a text box (where it undoes typing) presses the Undo toast's button.
    if (!typing && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'z') {
      var undo = document.getElementById('undo-button');
      if (undo) { e.preventDefault(); undo.click(); }
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (document.querySelector('[role=dialog], [role=listbox]')) return;
    var list = document.querySelector('ul[aria-label="Todos"]');
    var items = list ? Array.prototype.slice.call(list.children) : [];
    var current = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest('ul[aria-label="Todos"] > li') : null;
    var index = items.indexOf(current);
    function focusRow(i) {
      if (!items.length) return;
      var row = items[Math.max(0, Math.min(items.length - 1, i))];
      row.setAttribute('tabindex', '-1'); row.focus();
    }
    function byId(id) {
      var el = document.getElementById(id);
      if (el) { e.preventDefault(); el.focus(); return el; }
    }
    function press(selector) {
      var control = current && current.querySelector(selector);
      if (control) { e.preventDefault(); control.click(); }
    }
    switch (e.key) {
      case 'n': byId(newTodoId); break;
      case '/': byId('search'); break;
      case 'j': e.preventDefault(); focusRow(index + 1); break;
      case 'k': e.preventDefault(); focusRow(index < 0 ? 0 : index - 1); break;
      case 'x': press('button[role=checkbox][aria-label^="Complete "]'); break;
      case 'e': press('button[aria-label^="Edit "]'); break;
      case 'Delete': press('button[aria-label^="Delete "]'); if (current) focusRow(index); break;
      case '?': var help = byId('shortcuts-toggle'); if (help) help.click(); break;
      case 'Escape': var close = document.getElementById('edit-close'); if (close) close.click(); break;
    }
  });
})();
