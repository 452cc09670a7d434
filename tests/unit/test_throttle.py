import pytest

from todo_app.core.errors import AuthenticationError
from todo_app.core.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_ten_wrong_passwords_lock_the_email_for_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=10, window_seconds=900, clock=clock)
    for _ in range(10):
        throttle.check("Ann@Example.com")
        throttle.failed("ann@example.com")
    with pytest.raises(AuthenticationError, match="try again in 15 minutes"):
        throttle.check("ann@example.com")
    throttle.check("bob@example.com")  # other emails are not affected
    clock.now += 901
    throttle.check("ann@example.com")  # the window has passed


def test_a_success_clears_the_count() -> None:
    throttle = LoginThrottle(max_failures=3, window_seconds=900, clock=Clock())
    for _ in range(2):
        throttle.failed("cy@example.com")
    throttle.succeeded("cy@example.com")
    for _ in range(2):
        throttle.failed("cy@example.com")
    throttle.check("cy@example.com")
