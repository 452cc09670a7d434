"""Choose tags from the user's list in the edit form (or type new ones)."""

import reflex as rx

from todo_app.ui.state.todos import TodoListState


def tag_picker_script() -> rx.Component:
    """assets/js/tag_picker.js (a file: the page's CSP allows no inline script),
    deferred. It appends the clicked tag to the form's comma-separated "tags"
    box, in the browser: the box is an uncontrolled input, saved with the form."""
    return rx.el.script(src="/js/tag_picker.js", defer=True)


def tag_picker() -> rx.Component:
    return rx.cond(
        TodoListState.tag_options.length() > 0,
        rx.flex(
            rx.text("Your tags:", size="1", color=rx.color("gray", 11)),
            rx.foreach(
                TodoListState.tag_options,
                lambda name: rx.button(
                    "#",
                    name,
                    type="button",
                    size="1",
                    variant="outline",
                    data_add_tag=name,
                    aria_label=f"Add tag {name}",
                ),
            ),
            gap="1",
            wrap="wrap",
            align="center",
        ),
    )
