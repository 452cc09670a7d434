"""Lets one static frontend build reach its backend from whatever origin serves it.

Reflex bakes an absolute backend URL into the build. For ``localhost`` the
browser swaps in the page's host name, but keeps the baked port, so a build
made for NodePort 30080 breaks behind ``minikube service`` tunnels,
``kubectl port-forward`` or a TLS Ingress. Built with
``REFLEX_API_URL=http://same-origin.invalid``, the patched client instead uses
the page's own scheme, host and port (nginx proxies the backend paths there).
"""

from __future__ import annotations

from typing import Any

from reflex_base.plugins.base import Plugin

SAME_ORIGIN_API_URL = "http://same-origin.invalid"
_STATE_JS = "utils/state.js"
_ANCHOR = "  const endpoint = new URL(url_str);\n"
_MARKER = "// same-origin backend (todo_app.ui.same_origin)"
_PATCH = f"""{_ANCHOR}  {_MARKER}
  if (typeof window !== "undefined" && endpoint.hostname === "same-origin.invalid") {{
    const secure = window.location.protocol === "https:";
    endpoint.protocol = endpoint.protocol.startsWith("ws")
      ? (secure ? "wss:" : "ws:")
      : window.location.protocol;
    endpoint.host = window.location.host;
    return endpoint;
  }}
"""


def patch_state_js(source: str) -> str:
    if _MARKER in source:
        return source
    if source.count(_ANCHOR) != 1:
        # A Reflex upgrade moved the code: fail the build rather than ship a
        # frontend that cannot find its backend.
        raise RuntimeError(f"cannot patch {_STATE_JS}: getBackendURL changed upstream")
    return source.replace(_ANCHOR, _PATCH)


class SameOriginBackendPlugin(Plugin):
    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](_STATE_JS, patch_state_js)
