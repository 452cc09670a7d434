"""The "Lists" navigation, the current list's header, and its sharing dialog.

Accessible names are the UI contract: a navigation "Lists" with one link per
list named exactly as the list; "New list" / "List name" / "Create list";
"Share list" opening a dialog with "Email", "Role", "Invite", a list
"Members" with "Remove <email>" per member, and "Close".
"""

import reflex as rx
from reflex.vars import ObjectVar

from todo_app.ui.state.lists import (
    NEW_LIST_INPUT_ID,
    ROLE_CHOICES,
    SHARE_EMAIL_INPUT_ID,
    ListsState,
    MemberRow,
)
from todo_app.ui.state.todos import ListLink, TodoListState


def nav_link(
    *children: rx.Component, href: rx.Var[str] | str, current: rx.Var[bool]
) -> rx.Component:
    return rx.link(
        *children,
        href=href,
        aria_current=rx.cond(current, "page", None),
        display="flex",
        align_items="center",
        gap="0.6em",
        min_height="40px",
        padding_x="0.6em",
        border_radius="8px",
        size="2",
        weight=rx.cond(current, "bold", "regular"),
        background=rx.cond(current, rx.color("accent", 4), "transparent"),
        color=rx.color("gray", 12),
        underline="none",
        width="100%",
        _hover={"background": rx.color("gray", 4)},
    )


def _link(item: ObjectVar[ListLink]) -> rx.Component:
    return rx.el.li(
        nav_link(
            rx.cond(item.shared_by != "", rx.icon("users", size=16), rx.icon("list", size=16)),
            item.name,
            href=item.href,
            current=TodoListState.list_id == item.id,
        ),
        list_style="none",
    )


def _new_list_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                id=NEW_LIST_INPUT_ID,
                name="list_name",
                aria_label="List name",
                placeholder="Groceries",
                size="1",
                auto_focus=True,
            ),
            rx.button("Create list", type="submit", size="1"),
            spacing="1",
        ),
        on_submit=ListsState.create_list,
    )


def lists_nav() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Lists", size="1", weight="bold", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.button("New list", size="1", variant="soft", on_click=ListsState.show_new_list),
            width="100%",
            align="center",
        ),
        rx.cond(ListsState.creating_list, _new_list_form()),
        nav_link(
            rx.icon("layers", size=16),
            "All lists",
            href="/",
            current=TodoListState.list_id == 0,
        ),
        rx.el.nav(
            rx.el.ul(
                rx.foreach(TodoListState.lists, _link),
                display="flex",
                flex_direction="column",
                gap="2px",
                padding="0",
                margin="0",
            ),
            aria_label="Lists",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _role_items() -> rx.Component:
    return rx.select.content(*[rx.select.item(role, value=role) for role in ROLE_CHOICES])


def _member(member: ObjectVar[MemberRow]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(member.email, size="2"),
            rx.select.root(
                rx.select.trigger(aria_label=f"Role of {member.email}"),
                _role_items(),
                value=member.role,
                on_change=lambda role: ListsState.change_role(member.user_id, role),
                size="1",
            ),
            rx.button(
                "Remove",
                aria_label=f"Remove {member.email}",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ListsState.remove_member(member.user_id),
            ),
            align="center",
            spacing="2",
        ),
        list_style="none",
    )


def _share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Share “", TodoListState.list_name, "”"),
            rx.form(
                rx.hstack(
                    rx.input(
                        id=SHARE_EMAIL_INPUT_ID,
                        name="email",
                        type="email",
                        aria_label="Email",
                        placeholder="someone@example.com",
                        size="2",
                    ),
                    rx.select.root(
                        rx.select.trigger(aria_label="Role"),
                        _role_items(),
                        name="role",
                        default_value="Editor",
                        size="2",
                    ),
                    rx.button("Invite", type="submit", size="2"),
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=ListsState.invite,
            ),
            rx.el.ul(
                rx.foreach(ListsState.members, _member),
                aria_label="Members",
                padding="0",
            ),
            rx.dialog.close(rx.button("Close", variant="soft", on_click=ListsState.close_share)),
        ),
        open=ListsState.sharing,
    )


def list_header() -> rx.Component:
    """The current list's name and what this user may do with it."""
    owner = TodoListState.list_role == "owner"
    inbox = TodoListState.list_is_inbox
    return rx.cond(
        TodoListState.list_id != 0,
        rx.vstack(
            rx.hstack(
                rx.heading(TodoListState.list_name, size="4"),
                rx.cond(
                    TodoListState.list_role == "viewer",
                    rx.badge("View only", color_scheme="gray"),
                ),
                rx.spacer(),
                rx.cond(
                    owner & ~inbox,
                    rx.hstack(
                        rx.button(
                            "Share list", size="1", variant="soft", on_click=ListsState.open_share
                        ),
                        rx.button(
                            "Rename list", size="1", variant="soft", on_click=ListsState.show_rename
                        ),
                        rx.icon_button(
                            rx.icon("arrow-up", size=14),
                            aria_label="Move list up",
                            size="1",
                            variant="soft",
                            on_click=ListsState.move_list(True),
                        ),
                        rx.icon_button(
                            rx.icon("arrow-down", size=14),
                            aria_label="Move list down",
                            size="1",
                            variant="soft",
                            on_click=ListsState.move_list(False),
                        ),
                        rx.button(
                            "Delete list",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=ListsState.delete_list,
                        ),
                        spacing="1",
                    ),
                ),
                rx.cond(
                    ~owner,
                    rx.button(
                        "Leave list", size="1", variant="soft", on_click=ListsState.leave_list
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                ListsState.renaming_list,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="new_list_name",
                            aria_label="New name",
                            default_value=TodoListState.list_name,
                            size="1",
                        ),
                        rx.button("Save name", type="submit", size="1"),
                        spacing="1",
                    ),
                    on_submit=ListsState.rename_list,
                ),
            ),
            _share_dialog(),
            width="100%",
            spacing="1",
        ),
    )
