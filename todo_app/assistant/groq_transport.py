"""Groq transport: the SDK client, the retry policy and the sentences a user reads when
Groq cannot answer.

Transient failures (429, 5xx, timeouts, connection errors, and Groq's 400s for an unusable
generation) are retried here with tenacity, not by the SDK (``max_retries=0``), so the
policy is one place: exponential backoff with jitter, honouring ``Retry-After`` (capped).
When retries run out the caller gets ``AssistantUnavailable``, whose ``str()`` is a sentence
a user can read. No reflex import.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import groq
import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential_jitter

from todo_app.core.errors import UNAVAILABLE_MESSAGE, AssistantUnavailable
from todo_app.observability.metrics import observe_groq_call
from todo_app.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MODEL = "llama-3.3-70b-versatile"
DEFAULT_TIMEOUT_SECONDS = 15.0
MAX_TIMEOUT_SECONDS = 20.0
MAX_RETRY_AFTER_SECONDS = 20.0

BUSY_MESSAGE = (
    "The assistant is busy right now (rate limited by Groq). Please try again in a minute."
)
TIMEOUT_MESSAGE = "The assistant did not answer in time. Please try again."
NOT_CONFIGURED_MESSAGE = "The assistant is not set up on this server."


@dataclass(frozen=True)
class GroqSettings:
    api_key: str = field(repr=False)  # never in logs or reprs
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = 3
    # Backoff between retries when the server gives no Retry-After (tests shrink these).
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 8.0

    def __post_init__(self) -> None:
        if not 0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            raise ValueError(f"GROQ_TIMEOUT_SECONDS must be in (0, {MAX_TIMEOUT_SECONDS:g}]")
        if not 0 <= self.max_retries <= 10:
            raise ValueError("max_retries must be between 0 and 10")

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    @classmethod
    def from_settings(cls, settings: Settings) -> GroqSettings:
        """From the app's settings (GROQ_API_KEY, GROQ_MODEL, GROQ_BASE_URL,
        GROQ_TIMEOUT_SECONDS). A missing key is allowed: ``configured`` is then
        False and calls raise ``AssistantUnavailable``."""
        return cls(
            api_key=settings.groq_api_key.get_secret_value().strip(),
            model=settings.groq_model.strip() or DEFAULT_MODEL,
            base_url=settings.groq_base_url.strip() or None,
            timeout_seconds=settings.groq_timeout_seconds,
        )


@lru_cache(maxsize=8)
def _client(settings: GroqSettings) -> groq.Groq:
    # One client per settings keeps its connection pool warm across chats.
    return groq.Groq(
        api_key=settings.api_key,
        base_url=settings.base_url,
        timeout=httpx.Timeout(settings.timeout_seconds, connect=min(5.0, settings.timeout_seconds)),
        max_retries=0,  # retries are ours (call), so the policy and the budget are in one place
    )


# Groq answers 400 with these codes when the model's own generation was unusable
# (invalid tool call / invalid JSON); a fresh sample usually succeeds.
_RETRYABLE_400_CODES = frozenset({"tool_use_failed", "json_validate_failed"})


def _error_code(exc: groq.APIStatusError) -> str | None:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return str(inner["code"])
    return None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, groq.APIStatusError):
        status = exc.status_code
        return (
            status in (408, 409, 429) or status >= 500 or _error_code(exc) in _RETRYABLE_400_CODES
        )
    # SDK connection errors/timeouts, raw httpx errors raised while reading a stream, and
    # an error event inside a stream.
    return isinstance(exc, groq.APIConnectionError | httpx.TransportError | groq.APIError)


def _retry_after(exc: BaseException | None) -> float | None:
    if not isinstance(exc, groq.APIStatusError):
        return None
    headers = exc.response.headers
    try:
        return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)  # the HTTP-date form
        return None if parsed is None else max(0.0, email.utils.mktime_tz(parsed) - time.time())


class _WaitRetryAfterOrBackoff(wait_base):
    def __init__(self, settings: GroqSettings) -> None:
        self._backoff = wait_exponential_jitter(
            multiplier=settings.backoff_initial_seconds,
            max=settings.backoff_max_seconds,
            jitter=settings.backoff_initial_seconds,
        )

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        hint = _retry_after(outcome.exception() if outcome else None)
        if hint is not None:
            return min(hint, MAX_RETRY_AFTER_SECONDS)
        return float(self._backoff(retry_state))


def _human_error(exc: BaseException) -> AssistantUnavailable:
    if isinstance(exc, groq.RateLimitError):
        return AssistantUnavailable(BUSY_MESSAGE)
    if isinstance(exc, groq.APITimeoutError | httpx.TimeoutException):
        return AssistantUnavailable(TIMEOUT_MESSAGE)
    return AssistantUnavailable(UNAVAILABLE_MESSAGE)


def _log_retry(retry_state: RetryCallState) -> None:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    sleep = retry_state.next_action.sleep if retry_state.next_action else 0.0
    # Type and status only: messages and bodies may quote user data.
    log.warning(
        "groq attempt %d failed (%s %s); retrying in %.2fs",
        retry_state.attempt_number,
        type(exc).__name__,
        getattr(exc, "status_code", ""),
        sleep,
    )


_T = TypeVar("_T")


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up per call, so tests can replace it


class Timer:
    """Seconds spent waiting on Groq, across attempts (retries' sleeps excluded)."""

    def __init__(self) -> None:
        self.seconds = 0.0


@observe_groq_call  # todo_assistant_groq_requests_total, todo_groq_attempt_duration_seconds
def call(settings: GroqSettings, timer: Timer, attempt: Callable[[groq.Groq], _T]) -> _T:
    """Run one Groq request with our retry policy; failures become AssistantUnavailable."""
    if not settings.configured:
        raise AssistantUnavailable(NOT_CONFIGURED_MESSAGE)
    client = _client(settings)

    def timed() -> _T:
        start = time.perf_counter()
        try:
            return attempt(client)
        finally:
            timer.seconds += time.perf_counter() - start

    retrying = Retrying(
        stop=stop_after_attempt(settings.max_retries + 1),
        wait=_WaitRetryAfterOrBackoff(settings),
        retry=retry_if_exception(_is_transient),
        before_sleep=_log_retry,
        sleep=_sleep,
        reraise=True,
    )
    try:
        return retrying(timed)
    except AssistantUnavailable:
        raise
    except (groq.GroqError, httpx.HTTPError) as exc:
        log.warning(
            "groq request failed: %s %s", type(exc).__name__, getattr(exc, "status_code", "")
        )
        raise _human_error(exc) from exc
    except Exception as exc:  # an unreadable response must not reach the user as a traceback
        log.exception("unexpected failure talking to groq")
        raise AssistantUnavailable(UNAVAILABLE_MESSAGE) from exc


def first_choice_message(completion: Any) -> Any:
    """The message of a completion's first choice; an answer without one is unusable."""
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise AssistantUnavailable(UNAVAILABLE_MESSAGE)
    return choices[0].message
