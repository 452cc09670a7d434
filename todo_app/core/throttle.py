"""Slows password guessing and mass sign-up; every backend replica shares the counts.

Log-in attempts are counted per
- account and client address together: 10 in 15 minutes. The usual lock-out;
  it stops one attacker at one address, for that address only, so an attacker
  alone cannot lock a user out of their own account;
- account, across addresses: 50 in 15 minutes, so a botnet is slowed too (it
  takes attackers at 5 addresses or more to lock a user out for a while);
- client address, across accounts: 100 in 15 minutes (one address trying many
  accounts, e.g. with leaked passwords).

An attempt takes its place in the windows (atomically, in Redis) *before* its
password is checked: parallel attempts (many tabs at once) cannot all pass a
check made before any of them had failed. A success then clears its
account+address count. An attempt refused by a lock-out is not counted, so
trying during a lock-out never extends it: the lock-out ends when the oldest
counted attempt leaves its window, and the refusal says when. A moving window
cannot take one attempt back, so the per-account and per-address caps count
successful log-ins too; normal use stays far below them.

Sign-up attempts are counted per client address (SIGNUP_RATE_LIMIT), every
one: a new email, a taken one, a refused password.

Keys hold a digest of the email, never the email itself.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, parse, parse_many

from todo_app.core.errors import TooManyAttempts
from todo_app.core.rate_limits import RateLimits
from todo_app.observability.metrics import counts_login_failure
from todo_app.settings import get_settings

TOO_MANY_FOR_EMAIL = "Too many wrong passwords for this email."
TOO_MANY_FROM_ADDRESS = "Too many log-in attempts from your network."
TOO_MANY_SIGN_UPS = "Too many new accounts from your network."


LOG_IN_PER_ACCOUNT_AND_ADDRESS = parse("10/15 minutes")
LOG_IN_PER_ACCOUNT = parse("50/15 minutes")
LOG_IN_PER_ADDRESS = parse("100/15 minutes")


@dataclass(frozen=True)
class LogInLimits:
    per_account_and_address: RateLimitItem = LOG_IN_PER_ACCOUNT_AND_ADDRESS
    per_account: RateLimitItem = LOG_IN_PER_ACCOUNT
    per_address: RateLimitItem = LOG_IN_PER_ADDRESS


# (limit, key, the sentence when it refuses)
_Check = tuple[RateLimitItem, tuple[str, ...], str]


class AuthThrottle:
    def __init__(
        self,
        counts: RateLimits | None = None,
        log_in: LogInLimits | None = None,
        sign_up: Sequence[RateLimitItem] | None = None,
    ) -> None:
        # None: from the settings at first use (on the server's event loop,
        # where the Redis client's connections belong).
        self._counts = counts
        self._log_in = log_in or LogInLimits()
        self._sign_up = list(sign_up) if sign_up is not None else None

    @property
    def counts(self) -> RateLimits:
        if self._counts is None:
            self._counts = RateLimits.for_redis_url(get_settings().effective_redis_url)
        return self._counts

    @counts_login_failure("throttled", TooManyAttempts)  # todo_login_failures_total
    async def log_in_attempt(self, email: str, address: str) -> None:
        """Count one log-in attempt, or raise TooManyAttempts (not counted)."""
        await self._take_place(self._log_in_checks(email, address))

    async def log_in_succeeded(self, email: str, address: str) -> None:
        item, key, _ = self._log_in_checks(email, address)[0]
        await self.counts.clear(item, *key)

    async def sign_up_attempt(self, address: str) -> None:
        """Count one sign-up attempt, or raise TooManyAttempts (not counted)."""
        if self._sign_up is None:
            self._sign_up = parse_many(get_settings().signup_rate_limit)
        await self._take_place(
            [(item, ("sign-up", address), TOO_MANY_SIGN_UPS) for item in self._sign_up]
        )

    async def log_in_wait(self, email: str, address: str) -> float:
        """Seconds until this email may be tried from this address (0: now)."""
        refusal = await self._refusal(self._log_in_checks(email, address))
        return refusal[0] if refusal else 0.0

    async def forget(self, email: str, address: str) -> None:
        """Clear every log-in count of this email and of this address (operators, tests)."""
        for item, key, _ in self._log_in_checks(email, address):
            await self.counts.clear(item, *key)

    def _log_in_checks(self, email: str, address: str) -> list[_Check]:
        account = _digest(email.strip().lower())
        limits = self._log_in
        return [
            (limits.per_account_and_address, ("log-in-pair", account, address), TOO_MANY_FOR_EMAIL),
            (limits.per_account, ("log-in-account", account), TOO_MANY_FOR_EMAIL),
            (limits.per_address, ("log-in-address", address), TOO_MANY_FROM_ADDRESS),
        ]

    async def _take_place(self, checks: list[_Check]) -> None:
        # Look first, count after: a refused attempt must not be counted by the
        # windows that still had room (a user trying while others have filled
        # their account's cap would spend their own allowance for nothing).
        refusal = await self._refusal(checks)
        if refusal:
            raise TooManyAttempts(refusal[1], refusal[0])
        for item, key, reason in checks:
            if not await self.counts.hit(item, *key):
                # A parallel attempt took the last place since the look above
                # (rare: the windows before this one have counted this attempt).
                raise TooManyAttempts(reason, (await self.counts.window(item, *key)).frees_in)

    async def _refusal(self, checks: list[_Check]) -> tuple[float, str] | None:
        """(the longest wait, its sentence) among the full windows; None when none is."""
        windows = await asyncio.gather(*(self.counts.window(item, *key) for item, key, _ in checks))
        full = [
            (window.frees_in, reason)
            for (_, _, reason), window in zip(checks, windows, strict=True)
            if window.remaining <= 0
        ]
        return max(full) if full else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
