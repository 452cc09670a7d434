"""Domain errors. Each carries a sentence fit to show a person as it is.

The hierarchy (the ui turns any ``DomainError`` into the page's alert and an
``AuthenticationError`` into a log-out)::

    DomainError                   str(error) is a human sentence
    ├── ValidationError           the input breaks a rule; nothing changed
    ├── NotFoundError             missing, or someone else's (not said which)
    ├── ForbiddenError            seen but not yours to change (a viewer's
    │                             write, a member's rename of a shared list)
    ├── AuthenticationError       wrong credentials; a token missing, forged,
    │                             expired or of an ended session
    ├── ConflictError             collides with existing data
    ├── TooManyAttempts           throttled (log-in lock-out, sign-ups per
    │                             address); says when to try again
    └── AssistantUnavailable      the assistant cannot answer now (Groq down,
                                  slow or busy; the user's request limit)
"""

import math


class DomainError(Exception):
    """Base class: ``str(error)`` is a human sentence."""


class ValidationError(DomainError):
    """The input breaks a rule; nothing was changed."""


class NotFoundError(DomainError):
    """The thing does not exist, or belongs to someone else (we don't say which)."""


class ForbiddenError(DomainError):
    """The user may see the thing but not do this to it (a viewer adding a todo, a
    member renaming the list); nothing was changed. Never for what the user cannot
    see: that is a NotFoundError, so nothing hidden is revealed."""


class AuthenticationError(DomainError):
    """Wrong credentials, or a token that is missing, forged or expired."""


class ConflictError(DomainError):
    """The change collides with existing data (e.g. an email already in use)."""


class TooManyAttempts(DomainError):
    """Refused without being counted; the sentence says how long to wait."""

    def __init__(self, reason: str, wait_seconds: float) -> None:
        minutes = max(1, math.ceil(wait_seconds / 60))
        super().__init__(
            f"{reason} Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        self.wait_seconds = wait_seconds


UNAVAILABLE_MESSAGE = "The assistant is unavailable right now. Please try again later."


class AssistantUnavailable(DomainError):
    """The assistant cannot answer now; nothing was changed by the failed call."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)
