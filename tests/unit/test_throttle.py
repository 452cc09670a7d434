"""Log-in and sign-up throttling, on the memory storage and on a real Redis with
the cluster's ACL (``+@all -@dangerous``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from limits import parse
from pydantic import ValidationError

from tests.support.live_app import free_port
from tests.support.loops import run_in_own_loop
from todo_app.api import client_address as client_address_module
from todo_app.api.client_address import client_address
from todo_app.core.errors import TooManyAttempts
from todo_app.core.rate_limits import RateLimits
from todo_app.core.throttle import AuthThrottle, LogInLimits
from todo_app.settings import Settings

REDIS_USER, REDIS_PASSWORD = "todo", "throttle-test-password"
ROOMY = parse("1000000/15 minutes")  # a limit a test does not reach


def start_redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing (scripts/setup-test-services installs it)")
    # The cluster's ACL (k8s/base/redis-deployment.yaml): default user off, the
    # app's user without @dangerous commands (KEYS, FLUSH*, CONFIG, ...).
    process = subprocess.Popen(
        [
            server,
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)),
            *("--save", "", "--appendonly", "no"),
            *("--user", "default", "off", "resetpass"),
            *("--user", REDIS_USER, "on", f">{REDIS_PASSWORD}", "~*", "&*"),
            *("+@all", "-@dangerous"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with redis.Redis.from_url(redis_url(port)) as client:
                client.ping()
            return process
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


def redis_url(port: int) -> str:
    return f"redis://{REDIS_USER}:{REDIS_PASSWORD}@127.0.0.1:{port}/0"


@pytest.fixture(scope="module")
def acl_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    process = start_redis(port, tmp_path_factory.mktemp("redis"))
    try:
        yield redis_url(port)
    finally:
        stop(process)


@pytest.fixture(params=["memory", "redis"])
def storage_url(request: pytest.FixtureRequest) -> str:
    """ "" for the memory storage (a laptop), else the ACL-restricted Redis."""
    return "" if request.param == "memory" else str(request.getfixturevalue("acl_redis"))


def throttle(
    url: str,
    pair: str = "10/15 minutes",
    account: str = "50/15 minutes",
    address: str = "100/15 minutes",
    sign_up: str = "60/minute",
) -> AuthThrottle:
    return AuthThrottle(
        counts(url),
        LogInLimits(parse(pair), parse(account), parse(address)),
        [parse(sign_up)],
    )


_opened: list[RateLimits] = []


def counts(url: str) -> RateLimits:
    # Built inside the test's event loop: the Redis connections belong to it.
    _opened.append(RateLimits.for_redis_url(url))
    return _opened[-1]


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async def and_close() -> None:
        try:
            await scenario()
        finally:
            while _opened:
                await _opened.pop().aclose()

    run_in_own_loop(and_close())


def new_email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


def new_address() -> str:
    # Fresh per test: the Redis outlives a test, and nothing may flush it.
    value = uuid.uuid4().int
    return f"10.{value % 256}.{value // 256 % 256}.{value // 65536 % 256}"


async def refused(attempt: Awaitable[None]) -> str:
    with pytest.raises(TooManyAttempts) as error:
        await attempt
    return str(error.value)


def test_the_acl_user_cannot_run_dangerous_commands(acl_redis: str) -> None:
    """The fixture's Redis refuses what the cluster's refuses, so passing here means something."""
    with (
        redis.Redis.from_url(acl_redis) as client,
        pytest.raises(redis.exceptions.NoPermissionError),
    ):
        client.keys("*")


def test_ten_failures_lock_the_email_for_that_address_and_name_the_wait(
    storage_url: str,
) -> None:
    async def scenario() -> None:
        limiter = throttle(storage_url)
        email, address = new_email(), new_address()
        for _ in range(10):
            await limiter.log_in_attempt(email.upper(), address)
        sentence = await refused(limiter.log_in_attempt(f" {email} ", address))
        assert sentence == (
            "Too many wrong passwords for this email. Please try again in 15 minutes."
        )
        await limiter.log_in_attempt(email, new_address())  # the user, elsewhere
        await limiter.log_in_attempt(new_email(), address)  # another account

    run(scenario)


def test_attempts_during_a_lock_out_do_not_extend_it(storage_url: str) -> None:
    async def scenario() -> None:
        limiter = throttle(storage_url, pair="3/1 second")
        email, address = new_email(), new_address()
        started = time.time()
        for _ in range(3):
            await limiter.log_in_attempt(email, address)
        while time.time() < started + 0.8:
            assert "1 minute." in await refused(limiter.log_in_attempt(email, address))
            await asyncio.sleep(0.1)
        await asyncio.sleep(started + 1.4 - time.time())
        # Counted attempts would have kept it locked until about 1.8 s (0.4 s of
        # margin each side: a loaded CI machine refused it at 1.15 s once).
        await limiter.log_in_attempt(email, address)

    run(scenario)


def test_a_refusal_by_one_cap_is_counted_by_no_other(storage_url: str) -> None:
    """A user trying while others have filled the account's cap keeps their own
    email+address allowance for when it frees."""

    async def scenario() -> None:
        limiter = throttle(storage_url, pair="3/15 minutes", account="5/1 second")
        email, user = new_email(), new_address()
        for attacker in (new_address(), new_address()):
            for _ in range(3):
                with contextlib.suppress(TooManyAttempts):
                    await limiter.log_in_attempt(email, attacker)
        for _ in range(5):
            await refused(limiter.log_in_attempt(email, user))
        await asyncio.sleep(1.1)
        for _ in range(3):
            await limiter.log_in_attempt(email, user)

    run(scenario)


def test_the_account_cap_holds_across_addresses(storage_url: str) -> None:
    async def scenario() -> None:
        limiter = throttle(storage_url, pair="3/15 minutes", account="5/15 minutes")
        email, first, second = new_email(), new_address(), new_address()
        for _ in range(3):
            await limiter.log_in_attempt(email, first)
        await refused(limiter.log_in_attempt(email, first))
        for _ in range(2):
            await limiter.log_in_attempt(email, second)
        sentence = await refused(limiter.log_in_attempt(email, second))
        assert sentence.startswith("Too many wrong passwords for this email.")
        await refused(limiter.log_in_attempt(email, new_address()))
        await limiter.log_in_attempt(new_email(), second)

    run(scenario)


def test_the_address_cap_holds_across_accounts(storage_url: str) -> None:
    async def scenario() -> None:
        limiter = throttle(storage_url, address="4/15 minutes")
        address = new_address()
        for _ in range(4):
            await limiter.log_in_attempt(new_email(), address)
        sentence = await refused(limiter.log_in_attempt(new_email(), address))
        assert sentence == (
            "Too many log-in attempts from your network. Please try again in 15 minutes."
        )
        await limiter.log_in_attempt(new_email(), new_address())

    run(scenario)


def test_a_success_clears_that_email_and_address(storage_url: str) -> None:
    async def scenario() -> None:
        limiter = throttle(storage_url, pair="3/15 minutes")
        email, address = new_email(), new_address()
        for _ in range(2):
            await limiter.log_in_attempt(email, address)
        await limiter.log_in_succeeded(email, address)
        for _ in range(3):
            await limiter.log_in_attempt(email, address)
        await refused(limiter.log_in_attempt(email, address))

    run(scenario)


def test_junk_log_ins_do_not_push_out_a_victims_count(storage_url: str) -> None:
    """The old in-process dict forgot the oldest of 10,000 emails. Redis keeps
    each count as its own key, gone only when its window has passed."""
    junk = [new_email() for _ in range(10_001 if not storage_url else 1_001)]

    async def scenario() -> None:
        limiter = throttle(storage_url, pair="3/15 minutes", address=str(ROOMY))
        victim, address = new_email(), new_address()
        for _ in range(3):
            await limiter.log_in_attempt(victim, address)
        for start in range(0, len(junk), 250):
            await asyncio.gather(
                *(limiter.log_in_attempt(email, address) for email in junk[start : start + 250])
            )
        await refused(limiter.log_in_attempt(victim, address))

    run(scenario)
    if storage_url:
        with redis.Redis.from_url(storage_url) as client:
            ttls = {client.ttl(key) for key in client.scan_iter(match="todo-limits:*")}
        assert ttls and all(0 < ttl <= 15 * 60 for ttl in ttls)


def test_sign_up_is_limited_per_address_whatever_the_outcome(storage_url: str) -> None:
    async def scenario() -> None:
        limiter = throttle(storage_url, sign_up="3/minute")
        address = new_address()
        for _ in range(3):
            await limiter.sign_up_attempt(address)
        sentence = await refused(limiter.sign_up_attempt(address))
        assert sentence == (
            "Too many new accounts from your network. Please try again in 1 minute."
        )
        await limiter.sign_up_attempt(new_address())

    run(scenario)


def test_a_redis_that_is_down_fails_open_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens there yet
    caplog.set_level(logging.INFO, logger="todo_app.core.rate_limits")

    async def while_down() -> None:
        storage = counts(redis_url(port))
        storage._retry_after_failure = 0  # retry on every call: still one warning
        limiter = AuthThrottle(storage, LogInLimits(parse("3/15 minutes"), ROOMY, ROOMY))
        email, address = new_email(), new_address()
        for _ in range(6):  # more than the limit: nobody is locked out
            await limiter.log_in_attempt(email, address)
        await limiter.sign_up_attempt(address)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "NOT throttled" in warnings[0].getMessage()

        process = start_redis(port, tmp_path)
        try:
            for _ in range(3):
                await limiter.log_in_attempt(email, address)
            await refused(limiter.log_in_attempt(email, address))
        finally:
            stop(process)
        assert any("throttling resumed" in r.getMessage() for r in caplog.records)

    run(while_down)


def test_the_sign_up_limit_setting_is_checked() -> None:
    assert Settings(signup_rate_limit="20/minute;200/hour").signup_rate_limit
    with pytest.raises(ValidationError, match="rate limit"):
        Settings(signup_rate_limit="lots")


@pytest.mark.parametrize(
    ("hops", "forwarded", "peer", "expected"),
    [
        # nginx appends what connected to it; the client's own entries are ignored.
        (1, "203.0.113.66, 198.51.100.7", "127.0.0.1", "198.51.100.7"),
        (1, "198.51.100.7", "127.0.0.1", "198.51.100.7"),
        # An Ingress controller in front of nginx: the entry before nginx's.
        (2, "203.0.113.66, 198.51.100.7, 10.244.0.12", "10.244.1.3", "198.51.100.7"),
        (2, "198.51.100.7", "10.244.1.3", "198.51.100.7"),
        # No proxy (reflex run): the connection's peer.
        (1, "", "127.0.0.1", "127.0.0.1"),
        (0, "203.0.113.66", "192.0.2.1", "192.0.2.1"),
        (1, "198.51.100.7:51234", "127.0.0.1", "198.51.100.7"),
        (1, "::ffff:198.51.100.7", "127.0.0.1", "198.51.100.7"),
        # IPv6 per /64.
        (1, "2001:db8:1:2:aaaa::1", "127.0.0.1", "2001:db8:1:2::"),
        (1, "[2001:db8:1:2:bbbb::2]:443", "127.0.0.1", "2001:db8:1:2::"),
        (1, "not an address", "127.0.0.1", "unknown"),
    ],
)
def test_the_client_address_comes_from_trusted_proxies_only(
    monkeypatch: pytest.MonkeyPatch, hops: int, forwarded: str, peer: str, expected: str
) -> None:
    monkeypatch.setattr(
        client_address_module, "get_settings", lambda: SimpleNamespace(trusted_proxy_hops=hops)
    )
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    assert client_address(headers, peer) == expected
