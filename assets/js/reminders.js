// Reminders while the app is open (todo_app/ui/components/reminders.py): a
// browser notification once the user allows it, an in-page banner otherwise.
// The server puts the todos due soon in #todo-reminders[data-reminders]; the
// browser's clock decides when each is due.
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
