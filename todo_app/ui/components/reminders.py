"""Reminders while the app is open: a browser notification once the user allows
it, an in-page banner otherwise. The server sends the todos due soon; the
browser's clock decides when each is due, so no tab needs a timer on the server.
"""

import reflex as rx

from todo_app.ui.state.todos import TodoListState

_SCRIPT = """
(function () {
  var shown = {};
  try { shown = JSON.parse(sessionStorage.getItem('todo-reminded') || '{}'); } catch (e) {}
  function permission() { return 'Notification' in window ? Notification.permission : 'denied'; }
  function tick() {
    var data = document.getElementById('todo-reminders');
    var button = document.getElementById('enable-notifications');
    if (button) button.hidden = permission() !== 'default';
    if (!data) return;
    var due = [];
    try { due = JSON.parse(data.getAttribute('data-reminders') || '[]'); } catch (e) { return; }
    var now = Date.now();
    due.forEach(function (r) {
      var key = r.id + '@' + r.at;
      if (r.at > now || shown[key]) return;
      shown[key] = true;
      var when = new Date(r.at).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
      if (permission() === 'granted') {
        new Notification('Due now: ' + r.title, {body: 'Due at ' + when, tag: key});
      } else {
        var banner = document.getElementById('reminder-banner');
        if (!banner) return;
        banner.hidden = false;
        banner.textContent = 'Due now: ' + r.title + ' (' + when + ')';
      }
    });
    try { sessionStorage.setItem('todo-reminded', JSON.stringify(shown)); } catch (e) {}
  }
  document.addEventListener('click', function (e) {
    if (e.target && e.target.closest && e.target.closest('#enable-notifications')) {
      Notification.requestPermission().then(tick);
    }
    if (e.target && e.target.closest && e.target.closest('#reminder-banner')) {
      e.target.closest('#reminder-banner').hidden = true;
    }
  });
  setInterval(tick, 15000);
  new MutationObserver(tick).observe(document.documentElement, {subtree: true, attributes: true,
    attributeFilter: ['data-reminders']});
})();
"""


def reminders_script() -> rx.Component:
    return rx.script(_SCRIPT)


def reminders() -> rx.Component:
    return rx.fragment(
        rx.el.div(id="todo-reminders", data_reminders=TodoListState.reminders_json, hidden=True),
        # Filled in by the script above; React renders it empty and leaves it so.
        rx.el.div(
            id="reminder-banner",
            role="status",
            hidden=True,
            title="Dismiss",
            padding="0.6em 0.9em",
            border_radius="8px",
            background=rx.color("amber", 4),
            color=rx.color("amber", 12),
            width="100%",
            cursor="pointer",
        ),
        rx.button(
            rx.icon("bell", size=14),
            "Enable notifications",
            id="enable-notifications",
            hidden=True,
            size="1",
            variant="ghost",
        ),
    )
