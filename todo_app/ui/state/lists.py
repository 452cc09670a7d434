"""Managing lists from the page: create, rename, delete, share, leave.

Every rule is in core/lists.py; this state calls it as the tab's verified user
and tells the pages of everyone concerned (before the change, so that a
removed member's pages drop the list at once).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from sqlmodel import Session

from todo_app.core import lists as list_rules
from todo_app.core.errors import ValidationError
from todo_app.ui.state.guard import guarded
from todo_app.ui.state.todos import TodoListState, form_text

NEW_LIST_INPUT_ID = "new-list-name"
SHARE_EMAIL_INPUT_ID = "share-email"
ROLE_CHOICES = {"Editor": list_rules.Role.EDITOR, "Viewer": list_rules.Role.VIEWER}


@dataclasses.dataclass
class MemberRow:
    user_id: int
    email: str
    role: str  # "Editor" or "Viewer"


class ListsState(TodoListState):
    creating_list: bool = False
    renaming_list: bool = False
    sharing: bool = False
    members: list[MemberRow] = []  # noqa: RUF012

    @rx.event
    def show_new_list(self) -> None:
        self.creating_list = not self.creating_list

    @rx.event
    @guarded
    async def create_list(self, form_data: dict[str, Any]) -> Any:
        name = form_text(form_data, "list_name")
        created = await self._as_user(lambda s, user_id: list_rules.create_list(s, user_id, name))
        self.creating_list = False
        await self._announce_change(lists_changed=True)
        return [rx.set_value(NEW_LIST_INPUT_ID, ""), rx.redirect(f"/?list={created.id}")]

    @rx.event
    def show_rename(self) -> None:
        self.renaming_list = not self.renaming_list

    @rx.event
    @guarded
    async def rename_list(self, form_data: dict[str, Any]) -> None:
        list_id, name = self.list_id, form_text(form_data, "new_list_name")
        await self._as_user(lambda s, user_id: list_rules.rename_list(s, user_id, list_id, name))
        self.renaming_list = False
        await self._refresh()
        await self._announce_change(lists_changed=True)

    @rx.event
    @guarded
    async def move_list(self, earlier: bool) -> None:
        """Move the list on screen one place up (earlier) or down among the user's own."""
        own = [
            link.id
            for link in self.lists
            if link.role == list_rules.Role.OWNER.value and link.name != list_rules.INBOX_NAME
        ]
        if self.list_id not in own or not isinstance(earlier, bool):
            return
        index = own.index(self.list_id)
        other = index - 1 if earlier else index + 1
        if not 0 <= other < len(own):
            return
        own[index], own[other] = own[other], own[index]
        await self._as_user(lambda s, user_id: list_rules.reorder_lists(s, user_id, own))
        await self._refresh()
        await self._announce_change(lists_changed=True)

    @rx.event
    @guarded
    async def delete_list(self) -> Any:
        list_id = self.list_id

        def delete(session: Session, user_id: int) -> tuple[set[int], list_rules.ListSnapshot]:
            people = list_rules.audience(session, list_id)
            return people, list_rules.delete_list(session, user_id, list_id)

        people, snapshot = await self._as_user(delete)
        await self._announce_to(people, None)
        self._offer_list_undo(f"Deleted the list “{snapshot.name}”.", snapshot)
        return rx.redirect("/")

    @rx.event
    @guarded
    async def leave_list(self) -> Any:
        list_id = self.list_id

        def leave(session: Session, user_id: int) -> set[int]:
            people = list_rules.audience(session, list_id)
            list_rules.leave_list(session, user_id, list_id)
            return people

        await self._announce_to(await self._as_user(leave), None)
        return rx.redirect("/")

    # --- sharing (the owner) -------------------------------------------------------------

    @rx.event
    @guarded
    async def open_share(self) -> None:
        await self._load_members()
        self.sharing = True

    @rx.event
    def close_share(self) -> None:
        self.sharing, self.members = False, []

    @rx.event
    @guarded
    async def invite(self, form_data: dict[str, Any]) -> Any:
        list_id, email = self.list_id, form_text(form_data, "email")
        role = ROLE_CHOICES.get(form_text(form_data, "role") or "Editor")
        if role is None:
            raise ValidationError("Please choose Editor or Viewer.")
        await self._as_user(
            lambda s, user_id: list_rules.share_list(s, user_id, list_id, email, role)
        )
        await self._load_members()
        await self._refresh()
        await self._announce_change(lists_changed=True)
        return rx.set_value(SHARE_EMAIL_INPUT_ID, "")

    @rx.event
    @guarded
    async def remove_member(self, member_id: int) -> None:
        list_id = self.list_id

        def remove(session: Session, user_id: int) -> set[int]:
            people = list_rules.audience(session, list_id)
            list_rules.remove_member(session, user_id, list_id, member_id)
            return people

        people = await self._as_user(remove)
        await self._load_members()
        await self._refresh()
        await self._announce_to(people, None)

    @rx.event
    @guarded
    async def change_role(self, member_id: int, role: str) -> None:
        list_id, chosen = self.list_id, ROLE_CHOICES.get(role)
        if chosen is None:
            raise ValidationError("Please choose Editor or Viewer.")
        await self._as_user(
            lambda s, user_id: list_rules.set_member_role(s, user_id, list_id, member_id, chosen)
        )
        await self._load_members()
        await self._announce_change(lists_changed=True)

    async def _load_members(self) -> None:
        list_id = self.list_id
        found = await self._as_user(lambda s, user_id: list_rules.members(s, user_id, list_id))
        self.members = [
            MemberRow(user_id=m.user_id, email=m.email, role=m.role.label) for m in found
        ]
