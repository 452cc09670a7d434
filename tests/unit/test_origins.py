"""Which pages may open the websocket (todo_app/api/origins.py)."""

from __future__ import annotations

from todo_app.api.origins import origin_check

BEHIND_NGINX = {"HTTP_HOST": "192.0.2.10:30080"}


def test_the_apps_own_origin_is_allowed() -> None:
    check = origin_check([], allow_loopback=False)
    assert check("http://192.0.2.10:30080", BEHIND_NGINX)
    assert check("https://192.0.2.10:30080", BEHIND_NGINX)


def test_another_site_is_refused() -> None:
    check = origin_check([], allow_loopback=False)
    assert not check("http://evil.example", BEHIND_NGINX)
    assert not check("http://192.0.2.10:30081", BEHIND_NGINX)  # another port is another origin
    assert not check("http://192.0.2.10", BEHIND_NGINX)
    assert not check("javascript://192.0.2.10:30080", BEHIND_NGINX)
    assert not check("http://192.0.2.10:30080", {})  # no Host: nothing to compare with


def test_configured_origins_are_allowed() -> None:
    check = origin_check(["https://todo.example.com/"], allow_loopback=False)
    assert check("https://todo.example.com", BEHIND_NGINX)
    assert not check("https://todo.example.com.evil.example", BEHIND_NGINX)


def test_loopback_pages_only_on_a_laptop() -> None:
    dev_backend = {"HTTP_HOST": "localhost:8000"}
    assert origin_check([], allow_loopback=True)("http://localhost:3000", dev_backend)
    assert not origin_check([], allow_loopback=False)("http://localhost:3000", dev_backend)
    assert not origin_check([], allow_loopback=True)("http://evil.example", dev_backend)


def test_clients_without_an_origin_are_left_to_the_token() -> None:
    assert origin_check([], allow_loopback=False)(None, BEHIND_NGINX)
