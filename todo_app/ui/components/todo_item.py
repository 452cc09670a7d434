"""One row of the list: complete, see at a glance, open in the edit panel, delete."""

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from todo_app.core.models import Priority
from todo_app.ui.components.assistant_panel import suggestion_panel
from todo_app.ui.components.touch import TOUCH_TARGET
from todo_app.ui.state.assistant import AssistantState
from todo_app.ui.state.todos import TodoListState, TodoRow

SUGGEST_HINT = "Suggest subtasks, a priority and a due date"
SUGGEST_OFFLINE = "Suggestions need the online assistant: set GROQ_API_KEY to turn it on."

_PRIORITY_COLORS = {
    Priority.HIGH.label: "red",
    Priority.MEDIUM.label: "orange",
    Priority.LOW.label: "blue",
}


def _priority_badge(todo: ObjectVar[TodoRow]) -> rx.Component:
    return rx.match(
        todo.priority_label,
        *[
            (label, rx.badge(label, color_scheme=color, variant="soft", high_contrast=True))
            for label, color in _PRIORITY_COLORS.items()
        ],
        rx.fragment(),
    )


def _details(todo: ObjectVar[TodoRow], done: rx.Var[bool]) -> rx.Component:
    late, soon = todo.overdue & ~done, todo.due_soon & ~done
    return rx.hstack(
        _priority_badge(todo),
        rx.cond(
            todo.due_label != "",
            rx.badge(
                rx.icon("calendar", size=12),
                todo.due_label,
                color_scheme=rx.cond(late, "red", rx.cond(soon, "orange", "gray")),
                variant=rx.cond(late, "solid", "surface"),
                high_contrast=~late,
                title=rx.cond(late, "Overdue", rx.cond(soon, "Due soon", "Due")),
            ),
        ),
        rx.cond(
            todo.repeat_label != "",
            rx.badge(
                rx.icon("repeat", size=12), todo.repeat_label, variant="surface", high_contrast=True
            ),
        ),
        rx.foreach(
            todo.tags, lambda name: rx.badge("#", name, variant="outline", high_contrast=True)
        ),
        rx.cond(
            todo.progress != "",
            rx.badge(
                rx.icon("list-checks", size=12),
                todo.progress,
                variant="surface",
                high_contrast=True,
            ),
        ),
        spacing="1",
        wrap="wrap",
    )


def _action(
    icon: str, label: str, on_click: Any, color: str, disabled: rx.Var[bool] | bool = False
) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=16),
        on_click=on_click,
        aria_label=label,
        variant="ghost",
        color_scheme=color,
        disabled=disabled,
    )


def _actions(todo: ObjectVar[TodoRow]) -> rx.Component:
    """Suggest, Edit and Delete: icon buttons beside the row on a wider screen."""
    return rx.hstack(
        rx.icon_button(
            rx.icon("sparkles", size=16),
            on_click=AssistantState.suggest(todo.id),
            aria_label=f"Suggest for {todo.title}",
            # The reason is the button's description (its title), read out and shown on hover.
            title=rx.cond(AssistantState.offline, SUGGEST_OFFLINE, SUGGEST_HINT),
            variant="ghost",
            color_scheme="violet",
            disabled=~todo.can_edit | AssistantState.offline,
        ),
        _action(
            "pencil",
            f"Edit {todo.title}",
            TodoListState.start_edit(todo.id),
            "gray",
            ~todo.can_edit,
        ),
        _action(
            "trash-2", f"Delete {todo.title}", TodoListState.delete(todo.id), "red", ~todo.can_edit
        ),
        spacing="3",
        display=rx.breakpoints(initial="none", sm="flex"),
    )


def _actions_menu(todo: ObjectVar[TodoRow]) -> rx.Component:
    """The same actions behind one "⋯" on a phone, where three icons took a third of
    the row."""
    return rx.box(
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=18),
                    aria_label=f"Actions for {todo.title}",
                    variant="ghost",
                    color_scheme="gray",
                    size="3",
                    disabled=~todo.can_edit,
                ),
            ),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item(
                    rx.icon("pencil", size=16),
                    "Edit",
                    on_select=TodoListState.start_edit(todo.id),
                ),
                rx.dropdown_menu.item(
                    rx.icon("sparkles", size=16),
                    rx.cond(
                        AssistantState.offline, "Suggest (needs the online assistant)", "Suggest"
                    ),
                    on_select=AssistantState.suggest(todo.id),
                    disabled=AssistantState.offline,
                ),
                rx.dropdown_menu.separator(),
                rx.dropdown_menu.item(
                    rx.icon("trash-2", size=16),
                    "Delete",
                    color="red",
                    on_select=TodoListState.delete(todo.id),
                ),
            ),
        ),
        display=rx.breakpoints(initial="block", sm="none"),
    )


def _view(todo: ObjectVar[TodoRow]) -> rx.Component:
    done = TodoListState.done_ids.contains(todo.id)
    return rx.hstack(
        rx.cond(
            TodoListState.selecting,
            rx.checkbox(
                checked=TodoListState.selected_ids.contains(todo.id),
                on_change=lambda chosen: TodoListState.select(todo.id, chosen),
                aria_label=f"Select {todo.title}",
                disabled=~todo.can_edit,
                size="3",
                variant="classic",
                margin_top="2px",
                **TOUCH_TARGET,
            ),
        ),
        rx.checkbox(
            checked=done,
            on_change=lambda checked: TodoListState.toggle(todo.id, checked),
            aria_label=f"Complete {todo.title}",
            size="3",
            radius="full",
            margin_top="2px",
            disabled=~todo.can_edit,
            **TOUCH_TARGET,
        ),
        rx.vstack(
            rx.text(
                todo.title,
                text_decoration=rx.cond(done, "line-through", "none"),
                color=rx.cond(done, rx.color("gray", 11), rx.color("gray", 12)),
                weight="medium",
                word_break="break-word",
            ),
            rx.cond(
                todo.description != "",
                rx.text(
                    todo.description,
                    size="2",
                    color=rx.color("gray", 11),
                    white_space="pre-wrap",
                    word_break="break-word",
                ),
            ),
            _details(todo, done),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        _actions(todo),
        _actions_menu(todo),
        align="start",
        width="100%",
        spacing="3",
    )


def todo_item(todo: ObjectVar[TodoRow]) -> rx.Component:
    return rx.el.li(
        rx.vstack(_view(todo), suggestion_panel(todo.id), width="100%", spacing="0"),
        # j/k move a focus ring between rows (todo_app.ui.components.shortcuts).
        _focus={"outline": f"2px solid {rx.color('accent', 8)}", "outline_offset": "2px"},
        # The heading of a band ("Overdue", "Today", "Later", "Done") that starts
        # at this row: generated content, so it is seen and read out before the
        # row while the row's own text (which tests and scripts read) stays the
        # todo's, and the list holds list items only.
        custom_attrs={"data-band": todo.band},
        _before={
            "content": "attr(data-band)",
            "display": rx.cond(todo.band != "", "block", "none"),
            "font_size": "12px",
            "font_weight": "600",
            "letter_spacing": "0.04em",
            "text_transform": "uppercase",
            "color": rx.color("gray", 11),
            "padding": "0.9em 0 0.4em",
        },
        # The row the edit panel shows stands out.
        background=rx.cond(TodoListState.editing_id == todo.id, rx.color("accent", 3), None),
        border_radius="4px",
        padding_y="0.6em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        list_style_type="none",
    )
