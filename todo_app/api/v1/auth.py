"""``Authorization: Bearer <token>`` and the rate limits, as FastAPI dependencies.

Requests are counted per client address (every request, before its token is looked
at, so guessing tokens is throttled too) and per token (keyed by its SHA-256, never
the secret itself). The counts live in Redis when the app has one, so every replica
shares them (core/rate_limits.py); past a limit: 429 with Retry-After.
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem, parse_many

from todo_app.api.client_address import client_address
from todo_app.api.v1.context import Actor, ApiContext
from todo_app.core import access_tokens
from todo_app.core.errors import AuthenticationError, TooManyAttempts
from todo_app.core.rate_limits import RateLimits
from todo_app.settings import get_settings

MISSING = "Please send an API token: 'Authorization: Bearer todo_pat_…' (create one in the app)."
TOO_MANY_FROM_ADDRESS = "Too many API requests from your network."
TOO_MANY_WITH_TOKEN = "Too many API requests with this token."  # noqa: S105 (a sentence)

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AccessToken",
    description="A personal access token (todo_pat_…) created in the app.",
)


def context_of(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> list[RateLimitItem]:
    return parse_many(text)


def _limits(context: ApiContext) -> RateLimits:
    if context.rate_limits is None:
        context.rate_limits = RateLimits.for_redis_url(get_settings().effective_redis_url)
    return context.rate_limits


async def _take(counts: RateLimits, items: list[RateLimitItem], key: str, reason: str) -> None:
    for item in items:
        if not await counts.hit(item, "api", key):
            window = await counts.window(item, "api", key)
            raise TooManyAttempts(reason, max(1.0, window.frees_in))


async def address_limited(request: Request) -> None:
    """Counts the request against its client address's limit."""
    context = context_of(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    peer = request.client.host if request.client else ""
    address = client_address(headers, peer)
    items = _parsed(context.per_address or get_settings().api_rate_limit_per_address)
    await _take(_limits(context), items, f"address:{address}", TOO_MANY_FROM_ADDRESS)


async def bearer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _counted: Annotated[None, Depends(address_limited)],
) -> Actor:
    """The request's token (checked when used), after its rate limits."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(MISSING)
    token = credentials.credentials.strip()
    if not access_tokens.is_well_formed(token):
        raise AuthenticationError(access_tokens.MALFORMED)
    context = context_of(request)
    items = _parsed(context.per_token or get_settings().api_rate_limit_per_token)
    key = f"token:{access_tokens.digest(token)[:32]}"
    await _take(_limits(context), items, key, TOO_MANY_WITH_TOKEN)
    return Actor(context, token)


CurrentActor = Annotated[Actor, Depends(bearer)]
