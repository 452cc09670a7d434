"""The user's tag list: rename or delete a tag everywhere at once."""

import reflex as rx

from todo_app.ui.state.todos import TodoListState


def _tag_row(name: rx.Var[str]) -> rx.Component:
    return rx.el.li(
        rx.form(
            rx.hstack(
                rx.text("#", name, size="2", min_width="90px"),
                rx.el.input(type="hidden", name="old_name", value=name),
                rx.input(
                    name="new_name",
                    aria_label=f"New name for {name}",
                    placeholder="new name",
                    size="1",
                    width="120px",
                ),
                rx.button("Rename", type="submit", size="1", variant="soft"),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    type="button",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    aria_label=f"Delete tag {name}",
                    on_click=TodoListState.delete_tag(name),
                ),
                align="center",
                spacing="2",
            ),
            on_submit=TodoListState.rename_tag,
            reset_on_submit=True,
        ),
        list_style_type="none",
    )


def tag_manager() -> rx.Component:
    return rx.el.section(
        rx.heading("Manage tags", size="3", as_="h2"),
        rx.cond(
            TodoListState.tag_options.length() > 0,
            rx.el.ul(
                rx.foreach(TodoListState.tag_options, _tag_row),
                aria_label="Tags",
                padding="0",
                margin="0.5em 0 0 0",
            ),
            rx.text("No tags yet: add #tags in the quick-add box.", size="2"),
        ),
        aria_label="Manage tags",
        width="100%",
    )
