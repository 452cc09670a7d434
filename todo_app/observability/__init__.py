"""What an operator sees of a running backend: Prometheus metrics and the log.

- ``metrics``: every metric's name, labels and buckets, and the small hooks the
  database pool, the rate limits' Redis, the Groq transport and the log-in path
  call. No reflex import: ``core/`` and ``assistant/`` use it.
- ``events``: the Reflex side: each event's handler, duration and outcome (a
  metric and a debug line), and the time to load and save a tab's state.
- ``logs``: ``configure_logging(settings)``: JSON lines in production, readable
  text locally, the event's correlation id on every line, secrets redacted.

``/metrics`` itself is served by ``todo_app.api.metrics`` on the backend port.
"""
