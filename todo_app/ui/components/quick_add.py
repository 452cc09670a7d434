"""The quick-add box: natural language, with a preview of what it understood."""

import reflex as rx
from reflex.vars import ObjectVar

from todo_app.ui.state.todos import NEW_TODO_INPUT_ID, QuickChip, TodoListState

_CHIP_ICONS = {"due": "calendar", "repeat": "repeat", "priority": "flag"}  # a tag shows its #


def _chip(chip: ObjectVar[QuickChip]) -> rx.Component:
    """One part the line sets, as it will be saved (the title's badge of the row)."""
    return rx.badge(
        rx.match(
            chip.kind,
            *[(kind, rx.icon(name, size=12)) for kind, name in _CHIP_ICONS.items()],
            rx.fragment(),
        ),
        chip.text,
        variant="soft",
        high_contrast=True,
        size="2",
    )


def quick_add() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    id=NEW_TODO_INPUT_ID,
                    name="title",
                    aria_label="New todo",
                    placeholder="e.g. Pay rent every month on the 1st #home !high",
                    auto_focus=True,
                    on_change=TodoListState.preview_quick_add.debounce(150),
                    width="100%",
                    size="3",
                    disabled=~TodoListState.can_add,
                ),
                rx.button("Add", type="submit", size="3", disabled=~TodoListState.can_add),
                width="100%",
            ),
            rx.cond(
                TodoListState.quick_notes.length() > 0,
                rx.box(
                    rx.foreach(
                        TodoListState.quick_notes,
                        lambda note: rx.hstack(
                            rx.icon("triangle-alert", size=14, flex_shrink="0"),
                            rx.text(note, size="2"),
                            color=rx.color("amber", 12),
                            align="center",
                            spacing="1",
                        ),
                    ),
                    role="status",
                    aria_label="Quick add notes",
                ),
            ),
            rx.cond(
                TodoListState.quick_preview != "",
                rx.flex(
                    rx.text("Adds “", TodoListState.quick_preview, "”", size="2"),
                    rx.foreach(TodoListState.quick_chips, _chip),
                    aria_live="polite",
                    id="quick-add-preview",
                    align="center",
                    wrap="wrap",
                    gap="1",
                ),
            ),
            width="100%",
            spacing="1",
        ),
        on_submit=TodoListState.add,
        width="100%",
    )
