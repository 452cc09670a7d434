"""The edit panel: one todo's fields beside the list (over it on a phone).

Each field is saved as the user leaves it (a select as it is chosen); Enter or "Save"
saves the whole form and closes the panel, "Close" or Escape closes it. Not a modal
dialog: the list stays readable and live beside it while the user edits.
"""

import reflex as rx

from todo_app.core.models import Priority
from todo_app.core.repeat_presets import CUSTOM, PRESETS
from todo_app.ui.components.touch import TOUCH_TARGET
from todo_app.ui.state.todos import (
    EDIT_TAG_INPUT_ID,
    NEW_SUBTASK_INPUT_ID,
    SubtaskRow,
    TodoListState,
)

EDIT_FORM_ID = "edit-todo"
EDIT_CLOSE_ID = "edit-close"  # Escape presses it (assets/js/shortcuts.js)
DUE_DATE_ID, DUE_TIME_ID = "edit-due-date", "edit-due-time"
# Beside the list from 1024 px (the page makes room: layout.page_frame), over it below.
PANEL_WIDTH = "420px"

_ROW = TodoListState.edit_row


def _value_of(element_id: str) -> rx.Var[str]:
    """What another field of the panel holds, read in the browser as the event is sent
    (compiled into the page's code: no eval, so the CSP holds)."""
    return rx.Var(_js_expr=f"(document.getElementById({element_id!r})?.value ?? '')", _var_type=str)


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.el.label(
        rx.text(label, size="1", weight="medium", color=rx.color("gray", 11)),
        control,
        display="flex",
        flex_direction="column",
        gap="2px",
        flex="1",
        min_width="140px",
        width="100%",
    )


def _select(
    label: str, name: str, items: list[rx.Component], default: rx.Var[str], **trigger: str
) -> rx.Component:
    return _labelled(
        label,
        rx.select.root(
            rx.select.trigger(aria_label=trigger.get("aria_label", label), width="100%"),
            rx.select.content(*items),
            name=name,
            default_value=default,
            on_change=lambda value: TodoListState.save_field(name, value),
        ),
    )


def _form() -> rx.Component:
    repeat_items = [rx.select.item(label, value=value) for value, label in PRESETS]
    return rx.form(
        rx.vstack(
            _labelled(
                "Title",
                rx.input(
                    name="title",
                    default_value=_ROW.title,
                    aria_label="Title",
                    auto_focus=True,
                    on_blur=lambda value: TodoListState.save_field("title", value),
                ),
            ),
            _labelled(
                "Description",
                rx.text_area(
                    name="description",
                    default_value=_ROW.description,
                    aria_label="Description",
                    placeholder="Notes (optional)",
                    on_blur=lambda value: TodoListState.save_field("description", value),
                ),
            ),
            rx.flex(
                _labelled(
                    "Due date",
                    rx.input(
                        type="date",
                        id=DUE_DATE_ID,
                        name="due_date",
                        default_value=_ROW.due_date,
                        on_blur=lambda value: TodoListState.save_due(value, _value_of(DUE_TIME_ID)),
                    ),
                ),
                _labelled(
                    "Due time",
                    rx.input(
                        type="time",
                        id=DUE_TIME_ID,
                        name="due_time",
                        default_value=_ROW.due_time,
                        on_blur=lambda value: TodoListState.save_due(_value_of(DUE_DATE_ID), value),
                    ),
                ),
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            rx.flex(
                _select(
                    "Priority",
                    "priority",
                    [rx.select.item(p.label, value=p.key) for p in Priority],
                    rx.match(_ROW.priority, *[(int(p), p.key) for p in Priority if p], "none"),
                    aria_label="Edit priority",
                ),
                _select(
                    "Repeat",
                    "repeat",
                    [
                        *repeat_items,
                        rx.cond(
                            _ROW.repeat == CUSTOM,
                            rx.select.item(_ROW.repeat_label, value=CUSTOM),
                        ),
                    ],
                    _ROW.repeat,
                ),
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            _select(
                "List",
                "list",
                [
                    rx.foreach(
                        TodoListState.movable_to,
                        lambda link: rx.select.item(link.name, value=link.value),
                    )
                ],
                _ROW.list_id,
            ),
            width="100%",
        ),
        id=EDIT_FORM_ID,
        on_submit=TodoListState.save_edit,
        width="100%",
    )


def _tags() -> rx.Component:
    """The one tag control: the todo's tags, each removable; a box to add more (Enter,
    a comma between several, or leaving it); the user's other tags one click away."""
    return rx.el.div(
        rx.text("Tags", size="1", weight="medium", color=rx.color("gray", 11)),
        rx.el.ul(
            rx.foreach(
                _ROW.tags,
                lambda name: rx.el.li(
                    rx.badge(
                        "#",
                        name,
                        rx.icon_button(
                            rx.icon("x", size=12),
                            size="1",
                            variant="ghost",
                            color_scheme="gray",
                            aria_label=f"Remove tag {name}",
                            on_click=TodoListState.remove_edit_tag(name),
                            **TOUCH_TARGET,
                        ),
                        variant="surface",
                        high_contrast=True,
                        size="2",
                    )
                ),
            ),
            aria_label="Tags of this todo",
            display="flex",
            flex_wrap="wrap",
            gap="12px 8px",
            padding="0",
            margin="0",
            list_style_type="none",
        ),
        rx.form(
            rx.input(
                id=EDIT_TAG_INPUT_ID,
                name="new_tag",
                aria_label="Add a tag",
                placeholder="Add a tag (Enter)",
                on_blur=TodoListState.add_edit_tags,
            ),
            on_submit=TodoListState.submit_edit_tag,
            width="100%",
        ),
        rx.cond(
            TodoListState.edit_tag_suggestions.length() > 0,
            rx.flex(
                rx.foreach(
                    TodoListState.edit_tag_suggestions,
                    lambda name: rx.button(
                        "#",
                        name,
                        type="button",
                        size="1",
                        variant="outline",
                        aria_label=f"Add tag {name}",
                        on_click=TodoListState.add_edit_tags(name),
                        **TOUCH_TARGET,
                    ),
                ),
                gap="12px 8px",
                wrap="wrap",
            ),
        ),
        role="group",
        aria_label="Tags",
        display="flex",
        flex_direction="column",
        gap="6px",
        width="100%",
    )


def _subtask(item: rx.vars.ObjectVar[SubtaskRow]) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            checked=item.done,
            on_change=lambda done: TodoListState.toggle_subtask(item.id, done),
            aria_label=f"Complete subtask {item.title}",
            **TOUCH_TARGET,
        ),
        rx.text(
            item.title,
            size="2",
            flex="1",
            text_decoration=rx.cond(item.done, "line-through", "none"),
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label=f"Delete subtask {item.title}",
            on_click=TodoListState.delete_subtask(item.id),
            **TOUCH_TARGET,
        ),
        align="center",
        width="100%",
        min_height="44px",  # the 44 px targets of its box and button do not overlap
    )


def _subtasks() -> rx.Component:
    return rx.vstack(
        rx.text("Subtasks", size="1", weight="medium", color=rx.color("gray", 11)),
        rx.el.ul(
            rx.foreach(TodoListState.subtasks, lambda item: rx.el.li(_subtask(item))),
            aria_label="Subtasks",
            padding="0",
            margin="0",
            list_style_type="none",
            width="100%",
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    id=NEW_SUBTASK_INPUT_ID,
                    name="subtask",
                    aria_label="New subtask",
                    placeholder="Add a step",
                    flex="1",
                ),
                rx.button("Add subtask", type="submit", variant="soft"),
                width="100%",
            ),
            on_submit=TodoListState.add_subtask,
            width="100%",
        ),
        width="100%",
        spacing="1",
    )


def _changed_elsewhere() -> rx.Component:
    """Another window changed this todo: said as a status, and the fields redrawn
    only when the user asks (what they are typing is not wiped). Only there while
    it applies, so the panel's one status otherwise stays its "Saved"."""
    return rx.cond(
        TodoListState.edit_stale,
        rx.hstack(
            rx.text("This todo was changed in another window.", size="2"),
            rx.button(
                "Show the changes",
                size="1",
                variant="soft",
                on_click=TodoListState.show_edit_changes,
                **TOUCH_TARGET,
            ),
            role="status",
            align="center",
            wrap="wrap",
            padding="0.5em",
            margin_y="0.5em",
            border_radius="6px",
            background=rx.color("amber", 3),
        ),
    )


def _actions() -> rx.Component:
    """Below the subtasks, so the panel reads top to bottom; "Save" submits the form
    from outside it (its form attribute), as Enter in a field does."""
    return rx.hstack(
        rx.button("Save", type="submit", custom_attrs={"form": EDIT_FORM_ID}),
        rx.button(
            "Close",
            id=EDIT_CLOSE_ID,
            type="button",
            variant="soft",
            color_scheme="gray",
            on_click=TodoListState.cancel_edit,
        ),
        padding_top="0.5em",
    )


def focus_return_script() -> rx.Component:
    """assets/js/edit_panel_focus.js: when the panel closes, focus returns to the
    control that opened it (a file: the page's CSP allows no inline script)."""
    return rx.el.script(src="/js/edit_panel_focus.js", defer=True)


def edit_panel() -> rx.Component:
    return rx.cond(
        TodoListState.editing_id != 0,
        rx.el.aside(
            rx.hstack(
                rx.heading("Edit todo", size="4", as_="h2"),
                rx.spacer(),
                rx.text(
                    TodoListState.edit_status,
                    role="status",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                align="center",
                width="100%",
            ),
            rx.text("Changes are saved as you go.", size="1", color=rx.color("gray", 11)),
            _changed_elsewhere(),
            _form(),
            _tags(),
            _subtasks(),
            _actions(),
            # A new todo in the panel, or its fields redrawn on request, starts
            # them afresh (they are uncontrolled).
            key=TodoListState.edit_key,
            aria_label="Edit todo",
            position="fixed",
            top="0",
            right="0",
            bottom="0",
            width=rx.breakpoints(initial="100%", sm=PANEL_WIDTH),
            max_width="100vw",
            z_index="20",
            overflow_y="auto",
            padding="1.25em",
            background=rx.color("gray", 1),
            border_left=f"1px solid {rx.color('gray', 6)}",
            box_shadow="-8px 0 24px rgba(0, 0, 0, 0.12)",
            display="flex",
            flex_direction="column",
            gap="14px",
        ),
    )
