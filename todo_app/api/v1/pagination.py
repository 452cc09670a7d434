"""Opaque cursors for every listing: ``?limit=`` (bounded) and ``?cursor=`` from the
previous page's ``next_cursor``.

A cursor names a position in one particular listing (a digest of its filters is in
it): reused with other filters it is refused, never silently applied to them. Clients
must treat it as opaque; today it carries an offset.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping

from todo_app.api.v1.problems import ApiProblem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
BAD_CURSOR = "This cursor is not valid: start again from the first page, without a cursor."
OTHER_LISTING = "This cursor belongs to another listing: start again without it."


def _fingerprint(listing: str, filters: Mapping[str, str]) -> str:
    text = json.dumps([listing, sorted(filters.items())], ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(listing: str, filters: Mapping[str, str], offset: int) -> str:
    raw = json.dumps({"o": offset, "f": _fingerprint(listing, filters)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, listing: str, filters: Mapping[str, str]) -> int:
    """The offset a cursor stands for (0 without one); 400 for a bad or foreign one."""
    if not cursor:
        return 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, fingerprint = raw["o"], raw["f"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise ApiProblem(400, BAD_CURSOR) from None
    if type(offset) is not int or not 0 <= offset <= MAX_OFFSET:
        raise ApiProblem(400, BAD_CURSOR)
    if fingerprint != _fingerprint(listing, filters):
        raise ApiProblem(400, OTHER_LISTING)
    return offset


def next_cursor(
    listing: str, filters: Mapping[str, str], offset: int, shown: int, has_more: bool
) -> str | None:
    return encode(listing, filters, offset + shown) if has_more else None
