"""Export and import a user's todos (JSON and CSV), through core.export and core.importing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from todo_app.core import importing
from todo_app.core.errors import ValidationError
from todo_app.core.export import export_csv, export_json
from todo_app.ui.state.guard import announces_change, guarded
from todo_app.ui.state.todos import TodoListState

IMPORT_UPLOAD_ID = "import-upload"
# nginx accepts request bodies up to 2 MB (deploy/nginx); say so before it does.
IMPORT_MAX_BYTES = 2_000_000


_EXPORTS: dict[str, tuple[Callable[[Session, int], str], str, str]] = {
    "json": (export_json, "todos.json", "application/json"),
    "csv": (export_csv, "todos.csv", "text/csv"),
}


class TransferState(TodoListState):
    import_problems: list[str] = []  # noqa: RUF012
    import_message: str = ""

    @rx.event
    @guarded
    async def export(self, kind: str) -> Any:
        """Download every todo of the user as "json" (full fidelity) or "csv"."""
        if kind not in _EXPORTS:
            raise ValidationError("Please choose JSON or CSV.")
        render, filename, mime_type = _EXPORTS[kind]
        text = await self._as_user(render)
        return rx.download(data=text, filename=filename, mime_type=mime_type)

    @rx.event
    @guarded
    @announces_change
    async def import_json(self, files: list[rx.UploadFile], login: str = "") -> Any:
        # An upload is a plain HTTP request naming a tab by its client token;
        # the page also sends its own login, which must be this tab's.
        self._require_presented_login(login)
        self.import_problems, self.import_message = [], ""
        if not files:
            raise ValidationError("Please choose a JSON file exported from this app.")
        raw = await files[0].read()
        if len(raw) > IMPORT_MAX_BYTES:
            raise ValidationError("The file is larger than 2 MB; please import it in parts.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError("The file is not UTF-8 text; is it a JSON export?") from error
        try:
            result = await self._as_user(lambda s, user_id: importing.import_json(s, user_id, text))
        except importing.ImportRejected as rejected:
            self.import_problems = rejected.problems[:50]
            raise
        self.import_message = f"Imported {result.imported} todos."
        await self._refresh()
        return None


# The only handlers /_upload may name (todo_app.api.upload_limit).
UPLOAD_HANDLERS = frozenset({f"{TransferState.get_full_name()}.import_json"})
