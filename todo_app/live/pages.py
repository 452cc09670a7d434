"""The todo pages open in this process, and which of them a change notice reaches."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from todo_app.live.bus import ChangeNotice

# Open pages remembered per process (about one per socket); past it the page
# seen least recently is forgotten, and catches up on its next load.
MAX_OPEN_PAGES = 20_000


@dataclass(frozen=True)
class OpenPage:
    user_id: int
    list_id: int | None  # None: "All lists"


class OpenPages:
    """Client token -> the page it shows; bounded, least recently shown dropped first."""

    def __init__(self, max_pages: int = MAX_OPEN_PAGES) -> None:
        self._pages: OrderedDict[str, OpenPage] = OrderedDict()
        self._by_user: dict[int, set[str]] = {}
        self._max_pages = max_pages

    def __len__(self) -> int:
        return len(self._pages)

    def show(self, token: str, user_id: int, list_id: int | None) -> None:
        """The tab ``token`` now shows ``list_id`` of ``user_id`` (a load, a list switch)."""
        self.close(token)
        self._pages[token] = OpenPage(user_id, list_id)
        self._by_user.setdefault(user_id, set()).add(token)
        while len(self._pages) > self._max_pages:
            self.close(next(iter(self._pages)))

    def close(self, token: str) -> None:
        page = self._pages.pop(token, None)
        if page is None:
            return
        tokens = self._by_user.get(page.user_id)
        if tokens is not None:
            tokens.discard(token)
            if not tokens:
                del self._by_user[page.user_id]

    def reached_by(self, notice: ChangeNotice) -> list[str]:
        """Tokens of the pages that show what ``notice`` says changed, but its origin's."""
        reached = []
        for user_id in notice.users:
            for token in self._by_user.get(user_id, ()):
                page = self._pages[token]
                shows_it = (
                    notice.list_id is None or page.list_id is None or page.list_id == notice.list_id
                )
                if shows_it and token != notice.origin:
                    reached.append(token)
        return reached
