"""The assistant: a conversation that manages your todos, and Suggest on a todo."""

import reflex as rx
from reflex.vars import ObjectVar

from todo_app.ui.state.assistant import (
    ASK_INPUT_ID,
    SUBTASK_CHOICE_PREFIX,
    AssistantState,
    ChatLine,
    Choice,
    SuggestionLine,
)


def _line(line: ObjectVar[ChatLine]) -> rx.Component:
    mine = line.role == "user"
    return rx.box(
        rx.text(line.text, size="2", white_space="pre-wrap"),
        align_self=rx.cond(mine, "flex-end", "flex-start"),
        background=rx.cond(mine, rx.color("accent", 4), rx.color("gray", 3)),
        padding="0.4em 0.7em",
        border_radius="10px",
        max_width="85%",
    )


def assistant_panel() -> rx.Component:
    return rx.el.section(
        rx.flex(
            rx.heading("Assistant", size="3", as_="h2"),
            rx.cond(
                AssistantState.offline,
                rx.badge("offline: common requests only", color_scheme="gray", high_contrast=True),
                rx.badge("Groq", color_scheme="green", high_contrast=True),
            ),
            rx.spacer(),
            rx.button(
                "Clear",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=AssistantState.clear_chat,
            ),
            align="center",
            gap="2",
            wrap="wrap",
            width="100%",
        ),
        rx.vstack(
            rx.foreach(AssistantState.chat, _line),
            max_height="260px",
            overflow_y="auto",
            width="100%",
            spacing="2",
        ),
        rx.cond(
            AssistantState.pending_summary != "",
            rx.callout(
                rx.vstack(
                    rx.text(AssistantState.pending_summary),
                    # Every held change is listed (bounded by the state), not just the first.
                    rx.el.ul(
                        rx.foreach(
                            AssistantState.pending_lines,
                            lambda line: rx.el.li(line, font_size="0.9em"),
                        ),
                        aria_label="Changes to confirm",
                        padding_left="1.2em",
                        margin="0",
                    ),
                    rx.hstack(
                        rx.button("Confirm", size="1", on_click=AssistantState.confirm_pending),
                        rx.button(
                            "Cancel",
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=AssistantState.cancel_pending,
                        ),
                    ),
                ),
                color_scheme="amber",
                role="status",
                width="100%",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    id=ASK_INPUT_ID,
                    name="question",
                    aria_label="Ask the assistant",
                    placeholder="e.g. add buy milk tomorrow · what is due today?",
                    flex="1",
                ),
                rx.button("Send", type="submit"),
                width="100%",
            ),
            on_submit=AssistantState.ask,
            width="100%",
        ),
        aria_label="Assistant conversation",
        width="100%",
        padding="0.75em",
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="8px",
    )


def _subtask_choice(line: ObjectVar[SuggestionLine]) -> rx.Component:
    key = SUBTASK_CHOICE_PREFIX + line.index.to_string()  # subtask_choice, on the page
    return rx.hstack(
        rx.checkbox(
            checked=AssistantState.accepted.contains(key),
            on_change=lambda chosen: AssistantState.accept(key, chosen),
            aria_label=f"Accept subtask {line.title}",
        ),
        rx.vstack(
            rx.text(line.title, size="2"),
            rx.text(line.reason, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        align="start",
    )


def _choice(key: str, label: rx.Var[str] | str, reason: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            checked=AssistantState.accepted.contains(key),
            on_change=lambda chosen: AssistantState.accept(key, chosen),
            aria_label=label,
        ),
        rx.vstack(
            rx.text(label, size="2"),
            rx.text(reason, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        align="start",
    )


def suggestion_panel(todo_id: rx.Var[int]) -> rx.Component:
    """Shown under the todo Suggest was asked for; nothing changes until Apply."""
    return rx.cond(
        AssistantState.suggest_for == todo_id,
        rx.el.section(
            rx.text("Suggested", size="1", weight="medium"),
            rx.foreach(AssistantState.suggested_subtasks, _subtask_choice),
            _choice(
                Choice.PRIORITY,
                "Accept priority " + AssistantState.suggested_priority,
                AssistantState.suggested_priority_reason,
            ),
            rx.cond(
                AssistantState.suggested_due != "",
                _choice(
                    Choice.DUE,
                    "Accept due date " + AssistantState.suggested_due,
                    AssistantState.suggested_due_reason,
                ),
            ),
            rx.hstack(
                rx.button("Apply selected", size="1", on_click=AssistantState.apply_suggestion),
                rx.button(
                    "Dismiss",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AssistantState.dismiss_suggestion,
                ),
            ),
            aria_label="Suggestions",
            padding="0.5em",
            margin_top="0.4em",
            border=f"1px dashed {rx.color('gray', 7)}",
            border_radius="6px",
            display="flex",
            flex_direction="column",
            gap="6px",
        ),
    )
