"""The client's address for throttling, and whose word is taken for it.

Trust decision. Browsers never reach the backend directly: in the cluster it is
a ClusterIP Service that a NetworkPolicy opens to the frontend pods only, and
the process rehearsal runs it on 127.0.0.1 behind nginx. The frontend's nginx
ends X-Forwarded-For with the address that connected to it (and keeps a chain
in front of that only from a proxy it trusts, TRUSTED_PROXIES). The backend
believes the last TRUSTED_PROXY_HOPS entries, those our own proxies appended,
and takes the client from the leftmost of them: 1 = nginx alone (NodePort,
minikube, the rehearsals); 2 = an Ingress controller in front of nginx (the
production overlay). Anything further left came from the client and is
ignored, so nobody picks their own address by sending the header. Too small a
count makes every client look like the Ingress controller (one shared count);
too large lets a client choose its address.

Not uvicorn's proxy_headers (FORWARDED_ALLOW_IPS, todo_app.serve): it trusts
by the connecting address (only 127.0.0.1 by default, so in the cluster every
client would be a frontend pod) and, when the client itself is trusted (the
rehearsal), takes the client's own entries. The connection's peer (Reflex's
``client_ip``) is used only when no proxy sent the header: ``reflex run`` on a
laptop, where the browser talks to the backend itself.

An IPv6 client is counted per /64: one host commonly holds a whole /64.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from todo_app.settings import get_settings

UNKNOWN = "unknown"


def client_address(headers: Mapping[str, str], peer: str) -> str:
    """The address to count a client's attempts under (``headers``: lower-case names)."""
    hops = get_settings().trusted_proxy_hops
    forwarded = [part.strip() for part in headers.get("x-forwarded-for", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if hops and forwarded:
        # Fewer entries than proxies: the outermost proxy's is the leftmost.
        return _bucket(forwarded[-min(hops, len(forwarded))])
    return _bucket(peer)


def _bucket(raw: str) -> str:
    text = raw.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)
