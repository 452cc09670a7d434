"""Your data: export as JSON or CSV, import a JSON export."""

import reflex as rx

from todo_app.ui.state.session import SessionState
from todo_app.ui.state.transfer import IMPORT_UPLOAD_ID, TransferState


def _problem(problem: rx.Var[str]) -> rx.Component:
    return rx.el.li(rx.text(problem, size="1"))


def _named_file_input(upload: rx.Component, name: str) -> rx.Component:
    """Names the hidden <input type="file"> that rx.upload renders (it takes no
    props of its own, and a nameless form control fails WCAG 4.1.2)."""
    inputs = [
        child
        for zone in upload.children
        for child in zone.children
        if child.tag == "input" and str(getattr(child, "type", "")).strip("\"'") == "file"
    ]
    if len(inputs) != 1:
        raise RuntimeError(f"rx.upload changed shape: {len(inputs)} file inputs found")
    inputs[0].custom_attrs["aria-label"] = name
    return upload


def transfer_panel() -> rx.Component:
    return rx.el.section(
        rx.heading("Your data", size="3", as_="h2"),
        rx.flex(
            rx.button(
                "Export JSON", variant="soft", size="1", on_click=TransferState.export("json")
            ),
            rx.button("Export CSV", variant="soft", size="1", on_click=TransferState.export("csv")),
            _named_file_input(
                rx.upload(
                    rx.button("Choose a JSON file", variant="outline", size="1", type="button"),
                    id=IMPORT_UPLOAD_ID,
                    accept={"application/json": [".json"]},
                    max_files=1,
                    multiple=False,
                    border="none",
                    padding="0",
                ),
                "JSON file to import",
            ),
            rx.text(rx.selected_files(IMPORT_UPLOAD_ID).join(", "), size="1"),
            rx.button(
                "Import",
                size="1",
                # The choice is cleared here, once its files are on their way: a
                # clear sent by the server would be a script, which the page's
                # Content Security Policy (no eval) rightly refuses to run.
                on_click=[
                    TransferState.import_json(
                        rx.upload_files(upload_id=IMPORT_UPLOAD_ID), SessionState.token
                    ),
                    rx.clear_selected_files(IMPORT_UPLOAD_ID),
                ],
            ),
            gap="2",
            wrap="wrap",
            align="center",
        ),
        rx.cond(
            TransferState.import_message != "",
            rx.text(TransferState.import_message, role="status", size="2"),
        ),
        rx.cond(
            TransferState.import_problems.length() > 0,
            rx.el.ul(
                rx.foreach(
                    TransferState.import_problems,
                    lambda problem: rx.el.li(rx.text(problem, size="1")),
                ),
                aria_label="Import problems",
            ),
        ),
        aria_label="Your data",
        width="100%",
        padding_top="1em",
    )
