"""Keyboard shortcuts: n, /, j, k, x, e, Delete, ?. Handled in the browser.

The handler only moves focus and clicks the page's own labelled controls, so
every shortcut goes through the same events (and checks) as a mouse click.
"""

import reflex as rx

from todo_app.ui.state.todos import NEW_TODO_INPUT_ID, TodoListState

SHORTCUTS = (
    ("n", "New todo"),
    ("/", "Search"),
    ("j / k", "Next / previous todo"),
    ("x", "Complete or reopen the todo"),
    ("e", "Edit the todo"),
    ("Delete", "Delete the todo"),
    ("?", "Show or hide these shortcuts"),
    ("Esc", "Leave a text box"),
)

# Inline on purpose: the page's CSP allows inline scripts but not eval.
_SCRIPT = """
document.addEventListener('keydown', function (e) {
  var t = e.target, tag = t && t.tagName;
  var typing = tag === 'INPUT' || tag === 'TEXTAREA' || (t && t.isContentEditable);
  if (typing && e.key === 'Escape') { t.blur(); return; }
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
    case 'n': byId('NEW_TODO'); break;
    case '/': byId('search'); break;
    case 'j': e.preventDefault(); focusRow(index + 1); break;
    case 'k': e.preventDefault(); focusRow(index < 0 ? 0 : index - 1); break;
    case 'x': press('button[role=checkbox][aria-label^="Complete "]'); break;
    case 'e': press('button[aria-label^="Edit "]'); break;
    case 'Delete': press('button[aria-label^="Delete "]'); if (current) focusRow(index); break;
    case '?': var help = byId('shortcuts-toggle'); if (help) help.click(); break;
  }
});
""".replace("NEW_TODO", NEW_TODO_INPUT_ID)


def shortcuts_script() -> rx.Component:
    return rx.script(_SCRIPT)


def shortcuts_help() -> rx.Component:
    return rx.fragment(
        rx.icon_button(
            rx.icon("keyboard", size=16),
            id="shortcuts-toggle",
            variant="ghost",
            aria_label="Keyboard shortcuts",
            on_click=TodoListState.toggle_shortcuts,
        ),
    )


def shortcuts_panel() -> rx.Component:
    return rx.cond(
        TodoListState.show_shortcuts,
        rx.el.section(
            rx.heading("Keyboard shortcuts", size="3", as_="h2"),
            rx.el.dl(
                *[
                    rx.fragment(rx.el.dt(rx.code(key)), rx.el.dd(meaning, margin="0"))
                    for key, meaning in SHORTCUTS
                ],
                display="grid",
                grid_template_columns="auto 1fr",
                gap="4px 12px",
            ),
            aria_label="Keyboard shortcuts",
            padding="0.75em",
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="8px",
            width="100%",
        ),
    )
