"""Choose tags from the user's list in the edit form (or type new ones)."""

import reflex as rx

from todo_app.ui.state.todos import TodoListState

# Appends the clicked tag to the form's comma-separated "tags" box, in the
# browser: the box is an uncontrolled input, saved with the form.
_SCRIPT = """
document.addEventListener('click', function (e) {
  var chip = e.target && e.target.closest && e.target.closest('[data-add-tag]');
  if (!chip) return;
  var form = chip.closest('form'), box = form && form.querySelector('input[name=tags]');
  if (!box) return;
  var tag = chip.getAttribute('data-add-tag');
  var names = box.value.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
  if (names.indexOf(tag) < 0) names.push(tag);
  box.value = names.join(', ');
});
"""


def tag_picker_script() -> rx.Component:
    return rx.script(_SCRIPT)


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
