"""Change notices: which open pages they reach, and their way between processes.

The Redis bus runs against the real Redis the suite uses (two buses stand for
two backend processes).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from tests.conftest import REDIS_URL
from tests.support.loops import run_in_own_loop
from todo_app.live.bus import CHANNEL, ChangeNotice, LocalBus, RedisBus
from todo_app.live.fanout import Fanout
from todo_app.live.pages import OpenPages


def test_a_notice_reaches_the_pages_that_show_the_list_but_not_its_origin() -> None:
    pages = OpenPages()
    pages.show("alice-groceries", user_id=1, list_id=10)
    pages.show("alice-all", user_id=1, list_id=None)
    pages.show("alice-trip", user_id=1, list_id=11)
    pages.show("bob-groceries", user_id=2, list_id=10)
    pages.show("carol-groceries", user_id=3, list_id=10)  # not in the audience

    notice = ChangeNotice(users=frozenset({1, 2}), list_id=10, origin="bob-groceries")

    assert sorted(pages.reached_by(notice)) == ["alice-all", "alice-groceries"]


def test_a_notice_about_the_lists_themselves_reaches_every_page_of_the_user() -> None:
    pages = OpenPages()
    pages.show("a", user_id=1, list_id=10)
    pages.show("b", user_id=1, list_id=None)
    pages.show("c", user_id=2, list_id=10)

    assert sorted(pages.reached_by(ChangeNotice(users=frozenset({1})))) == ["a", "b"]


def test_a_page_that_switched_list_or_closed_is_reached_as_it_is_now() -> None:
    pages = OpenPages()
    pages.show("tab", user_id=1, list_id=10)
    pages.show("tab", user_id=1, list_id=11)
    assert pages.reached_by(ChangeNotice(frozenset({1}), list_id=10)) == []
    pages.close("tab")
    assert pages.reached_by(ChangeNotice(frozenset({1}), list_id=11)) == []
    assert len(pages) == 0


def test_open_pages_are_bounded_oldest_first() -> None:
    pages = OpenPages(max_pages=3)
    for number in range(5):
        pages.show(f"tab-{number}", user_id=number, list_id=None)
    assert len(pages) == 3
    everyone = ChangeNotice(frozenset(range(5)))
    assert sorted(pages.reached_by(everyone)) == ["tab-2", "tab-3", "tab-4"]


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"users": "1", "list": null, "origin": ""}',
        b'{"users": [1.5], "list": null, "origin": ""}',
        b'{"users": [true], "list": null, "origin": ""}',
        b'{"users": [1], "list": "10", "origin": ""}',
        b'{"users": [1], "list": null}',
        b'{"users": ' + str(list(range(101))).encode() + b', "list": null, "origin": ""}',
    ],
)
def test_malformed_notices_are_ignored(data: bytes) -> None:
    assert ChangeNotice.decode(data) is None


def test_a_notice_survives_its_encoding() -> None:
    notice = ChangeNotice(frozenset({3, 1}), list_id=7, origin="tab")
    assert ChangeNotice.decode(notice.encode()) == notice


def test_the_local_bus_drops_the_oldest_notice_when_full() -> None:
    async def scenario() -> list[ChangeNotice]:
        bus = LocalBus(max_waiting=2)
        for user in (1, 2, 3):
            await bus.publish(ChangeNotice(frozenset({user})))
        stream = bus.notices()
        return [await anext(stream), await anext(stream)]

    assert [n.users for n in run_in_own_loop(scenario())] == [frozenset({2}), frozenset({3})]


async def _first(stream: AsyncIterator[ChangeNotice], timeout: float = 5) -> ChangeNotice:
    return await asyncio.wait_for(anext(stream), timeout)


def test_a_notice_published_by_one_process_reaches_the_others_through_redis() -> None:
    async def scenario() -> tuple[ChangeNotice, ChangeNotice]:
        publisher, subscriber = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
        try:
            stream = subscriber.notices()
            receiving = asyncio.create_task(_first(stream))
            notice = ChangeNotice(frozenset({1, 2}), list_id=10, origin="tab")
            # Subscribing takes a moment; a notice sent before is lost (by design).
            for _ in range(50):
                await publisher.publish(notice)
                await asyncio.sleep(0.05)
                if receiving.done():
                    break
            return notice, await receiving
        finally:
            await publisher.aclose()
            await subscriber.aclose()

    sent, received = run_in_own_loop(scenario())
    assert received == sent


def test_a_forged_message_on_the_channel_is_ignored() -> None:
    async def scenario() -> ChangeNotice:
        bus = RedisBus(REDIS_URL)
        raw = redis.asyncio.Redis.from_url(REDIS_URL)
        try:
            stream = bus.notices()
            receiving = asyncio.create_task(_first(stream))
            genuine = ChangeNotice(frozenset({5}))
            for _ in range(50):
                await raw.publish(CHANNEL, b'{"users": "everyone"}')
                await bus.publish(genuine)
                await asyncio.sleep(0.05)
                if receiving.done():
                    break
            return await receiving
        finally:
            await bus.aclose()
            await raw.aclose()

    assert run_in_own_loop(scenario()) == ChangeNotice(frozenset({5}))


def test_the_fanout_refreshes_each_reached_page_once_and_forgets_closed_ones() -> None:
    refreshed: list[str] = []
    gate = asyncio.Event()

    async def refresh(token: str) -> bool:
        await gate.wait()
        refreshed.append(token)
        return token != "gone"

    async def scenario() -> OpenPages:
        pages = OpenPages()
        for token in ("a", "b", "gone"):
            pages.show(token, user_id=1, list_id=None)
        fanout = Fanout(LocalBus(), pages, refresh, max_concurrent=2)
        notice = ChangeNotice(frozenset({1}), list_id=10)
        fanout.deliver(notice)
        fanout.deliver(notice)  # while the first refreshes wait: nothing more to do
        gate.set()
        await fanout.idle()
        return pages

    pages = run_in_own_loop(scenario())
    assert sorted(refreshed) == ["a", "b", "gone"]
    assert sorted(pages.reached_by(ChangeNotice(frozenset({1})))) == ["a", "b"]


def test_one_failing_refresh_does_not_stop_the_others() -> None:
    refreshed: list[str] = []

    async def refresh(token: str) -> bool:
        if token == "broken":
            raise RuntimeError("boom")
        refreshed.append(token)
        return True

    async def scenario() -> None:
        pages = OpenPages()
        for token in ("broken", "fine"):
            pages.show(token, user_id=1, list_id=None)
        fanout = Fanout(LocalBus(), pages, refresh)
        fanout.deliver(ChangeNotice(frozenset({1})))
        await fanout.idle()

    run_in_own_loop(scenario())
    assert refreshed == ["fine"]
