// Tells the server the browser's time zone ("today" is the user's, not UTC's) and
// language (which way round quick add reads a numeric date such as 12/15).
// Loaded by todo_app/ui/components/time_zone.py as a synchronous, non-module
// script in the head, so it runs before the app hydrates (the websocket
// handshake sends the cookie); localStorage too, so that a tab whose server
// state was lost can resend it. The cookie and storage names come from the
// tag's data attributes (todo_app.ui.state.session is their one source).
(function () {
  try {
    var script = document.currentScript;
    var cookie = script.getAttribute('data-cookie');
    var key = script.getAttribute('data-storage-key');
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.cookie = cookie + '=' + encodeURIComponent(tz) +
      ';path=/;SameSite=Strict;max-age=31536000';
    localStorage.setItem(key, tz);
    document.cookie = script.getAttribute('data-locale-cookie') + '=' +
      encodeURIComponent(navigator.language || '') + ';path=/;SameSite=Strict;max-age=31536000';
  } catch (e) {}
})();
