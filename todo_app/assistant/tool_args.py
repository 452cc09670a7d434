"""The assistant tools' arguments: one pydantic model per tool, the one source of both the
JSON schema sent to Groq and the validation of what the model sends back.

A model's arguments are untrusted JSON, so the models are strict (no "5" for 5, no 5.0 for
an integer, no 1 for true) and closed (``extra="forbid"``): an ``owner_id`` or ``user_id``
argument is an unknown parameter, because no tool takes a user id; the user is bound on
the server when the executor is built. A call that fails validation becomes one sentence
the model can read (:class:`InvalidCall`), the same sentences the tools have always used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import ErrorDetails, core_schema

from todo_app.core.models import LIST_NAME_MAX_LENGTH, TITLE_MAX_LENGTH

JsonDict = dict[str, Any]

ARGUMENTS_MAX_LENGTH = 20_000  # generous: a description may hold 10,000 characters
LIST_LIMIT_DEFAULT = 20
LIST_LIMIT_MAX = 50
DESCRIPTION_MAX_LENGTH = 10_000
TAG_MAX_LENGTH = 41
TAGS_MAX_ITEMS = 20

# Literal types are what the schema's "enum" is made of; a unit test holds them equal to
# the core's enums (Priority, Status, View), which they cannot import as Literals.
PriorityName = Literal["none", "low", "medium", "high"]
StatusName = Literal["all", "open", "done"]
ViewName = Literal["all", "today", "upcoming", "overdue", "no-date"]

_DUE_HELP = (
    "When it is due, in natural language: 'tomorrow', 'friday 6pm', 'next week', "
    "'in 3 days', 'dec 24', '2026-12-24 at 18:30', or a repeat such as "
    "'every monday' or 'every month on the 1st'."
)
_TAGS_HELP = "Tag names without '#', e.g. ['home', 'work']."

# The argument is called "list" (what the model sees); the field is ``list_name``, since a
# field called ``list`` would shadow the builtin in the model's own annotations.
_LIST_HELP = "The name of one of the user's lists, e.g. 'Groceries'."


def _list_field(description: str = _LIST_HELP) -> Any:
    return Field(
        default=None,
        alias="list",
        min_length=1,
        max_length=LIST_NAME_MAX_LENGTH,
        description=description,
    )


TodoId = Annotated[int, Field(ge=1, description="The todo's id.")]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Tag = Annotated[str, Field(max_length=TAG_MAX_LENGTH)]


class ToolArguments(BaseModel):
    """Base of every tool's arguments; a subclass's docstring is its description for the
    model, and ``tool_name`` the name the model calls it by."""

    model_config = ConfigDict(extra="forbid", strict=True)
    tool_name: ClassVar[str]


class AddTodo(ToolArguments):
    """Add a todo for the user, to their Inbox unless a list is named."""

    tool_name: ClassVar[str] = "add_todo"
    title: Title
    due: str | None = Field(default=None, max_length=100, description=_DUE_HELP)
    priority: PriorityName | None = None
    tags: list[Tag] | None = Field(default=None, max_length=TAGS_MAX_ITEMS, description=_TAGS_HELP)
    list_name: str | None = _list_field("The list to add it to (default: the Inbox).")


class ListTodos(ToolArguments):
    """List the user's todos, newest first (by due date for the dated views), in one list
    or in all of them."""

    tool_name: ClassVar[str] = "list_todos"
    search: str | None = Field(
        default=None, max_length=200, description="Words in the title, description or tags."
    )
    status: StatusName | None = None
    view: ViewName | None = Field(
        default=None,
        description="today: due today; upcoming: the next 7 days; overdue: open "
        "and past due; no-date: without a due date.",
    )
    priority: PriorityName | None = None
    tag: str | None = Field(default=None, max_length=TAG_MAX_LENGTH)
    limit: int | None = Field(
        default=None,
        ge=1,
        le=LIST_LIMIT_MAX,
        description=f"At most this many todos (default {LIST_LIMIT_DEFAULT}).",
    )
    list_name: str | None = _list_field("Only this list's todos (default: all lists).")


class UpdateTodo(ToolArguments):
    """Change a todo. Only the given fields change."""

    tool_name: ClassVar[str] = "update_todo"
    todo_id: TodoId
    title: Title | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    priority: PriorityName | None = None
    due: str | None = Field(
        default=None,
        max_length=100,
        description=_DUE_HELP + " 'none' removes the due date (and any repeat).",
    )
    tags: list[Tag] | None = Field(
        default=None, max_length=TAGS_MAX_ITEMS, description="Replaces all of the todo's tags."
    )
    list_name: str | None = _list_field("Moves the todo to this list.")


class CompleteTodo(ToolArguments):
    """Mark a todo as done (or, with completed=false, as not done)."""

    tool_name: ClassVar[str] = "complete_todo"
    todo_id: TodoId
    completed: bool | None = None


class DeleteTodo(ToolArguments):
    """Delete a todo for good."""

    tool_name: ClassVar[str] = "delete_todo"
    todo_id: TodoId


class Plan(ToolArguments):
    """The open todos to do today or this week (the next 7 days), overdue ones included,
    ordered by priority then due, with the reason for the order."""

    tool_name: ClassVar[str] = "plan"
    period: Literal["today", "week"]
    list_name: str | None = _list_field("Only this list's todos (default: all lists).")


TOOL_MODELS: tuple[type[ToolArguments], ...] = (
    AddTodo,
    ListTodos,
    UpdateTodo,
    CompleteTodo,
    DeleteTodo,
    Plan,
)
MODELS_BY_NAME: dict[str, type[ToolArguments]] = {m.tool_name: m for m in TOOL_MODELS}
TOOL_NAMES: tuple[str, ...] = tuple(MODELS_BY_NAME)


# --- the schema sent to Groq ------------------------------------------------------------------


class _ToolJsonSchema(GenerateJsonSchema):
    """Pydantic's schema in the shape of an OpenAI/Groq tool's parameters: an optional
    argument is just its type (null is accepted as "not given", but not advertised), and
    no generated titles or defaults, which only cost the model tokens."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def tool_schema(model: type[ToolArguments]) -> JsonDict:
    """The tool's entry in the request's ``tools`` list, generated from ``model``."""
    parameters = model.model_json_schema(schema_generator=_ToolJsonSchema)
    parameters.pop("title", None)
    description = " ".join(str(parameters.pop("description", "")).split())
    parameters.setdefault("required", [])  # Groq wants the key, even when empty
    return {
        "type": "function",
        "function": {
            "name": model.tool_name,
            "description": description,
            "parameters": parameters,
        },
    }


TOOL_SCHEMAS: list[JsonDict] = [tool_schema(model) for model in TOOL_MODELS]
# Each tool's argument names as the model writes them (aliases, such as "list").
_ARGUMENT_NAMES: dict[str, frozenset[str]] = {
    model.tool_name: frozenset(field.alias or key for key, field in model.model_fields.items())
    for model in TOOL_MODELS
}
_PROPERTIES: dict[str, JsonDict] = {
    s["function"]["name"]: s["function"]["parameters"]["properties"] for s in TOOL_SCHEMAS
}


# --- parsing a call ---------------------------------------------------------------------------


class InvalidCall(Exception):
    """The call itself is malformed; the message is a sentence for the model."""


def parse_call(name: object, arguments: object) -> tuple[str, JsonDict]:
    """(tool name, the given arguments) of a valid call; raises :class:`InvalidCall`.

    The arguments come back as the plain JSON values the model gave (unset ones absent),
    which is what the tools read and what a held call shows and replays on Confirm.
    """
    if not isinstance(name, str) or name not in MODELS_BY_NAME:
        shown = name if isinstance(name, str) else repr(name)
        raise InvalidCall(
            f"There is no tool “{shown[:60]}”. The tools are: {', '.join(TOOL_NAMES)}."
        )
    if isinstance(arguments, str):
        if len(arguments) > ARGUMENTS_MAX_LENGTH:
            raise InvalidCall("The arguments are too long.")
        if not arguments.strip():
            arguments = "{}"  # some models send "" for a call without arguments
        try:
            arguments = json.loads(arguments)
        except ValueError as error:  # JSONDecodeError, and RecursionError's cousins
            raise InvalidCall("The arguments were not valid JSON.") from error
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        raise InvalidCall("The arguments must be a JSON object.")
    model = MODELS_BY_NAME[name]
    # Models send null for "not given": treat it so, but an unknown key stays unknown.
    known = _ARGUMENT_NAMES[name]
    given = {
        key: value for key, value in arguments.items() if value is not None or key not in known
    }
    try:
        parsed = model.model_validate(given)
    except PydanticValidationError as error:
        # The first problem in the order the model wrote its arguments (missing ones
        # last), as one sentence.
        order = {key: i for i, key in enumerate(given)}
        first = min(error.errors(), key=lambda e: order.get(str(e["loc"][0]), len(order)))
        raise InvalidCall(_sentence(name, first)) from None
    return name, parsed.model_dump(exclude_unset=True, by_alias=True)


_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
}


def _sentence(tool: str, error: ErrorDetails) -> str:
    """A pydantic error as the sentence the model reads."""
    loc = error["loc"]
    key = str(loc[0]) if loc else ""
    field = f"{key} item" if len(loc) > 1 else key
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        allowed = ", ".join(_PROPERTIES[tool]) or "none"
        return f"Unknown parameter “{key[:60]}” for {tool}; the parameters are: {allowed}."
    if kind == "missing":
        return f"{tool} needs “{key}”."
    if kind in _TYPE_NAMES:
        return f"“{field}” must be {_TYPE_NAMES[kind]}."
    if kind == "literal_error":
        choices = _PROPERTIES[tool][key].get("enum", [])
        return f"“{field}” must be one of: {', '.join(map(str, choices))}."
    if kind == "greater_than_equal":
        return f"“{field}” must be at least {ctx['ge']}."
    if kind == "less_than_equal":
        return f"“{field}” must be at most {ctx['le']}."
    if kind == "string_too_short":
        return f"“{field}” must not be empty."
    if kind == "string_too_long":
        return f"“{field}” can be at most {ctx['max_length']} characters."
    if kind == "too_long":
        return f"“{field}” can have at most {ctx['max_length']} items."
    return f"“{field}” is not valid."
