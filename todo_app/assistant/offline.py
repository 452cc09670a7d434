"""The assistant without a model (no GROQ_API_KEY): a small intent parser for common requests.

It turns "add buy milk tomorrow", "what is due today", "complete buy milk" or "delete buy milk"
into the same tool calls a model would make, run by the same :class:`ToolExecutor`, and refuses
politely anything else. Phrasings are matched by a few anchored patterns, on purpose: a request
it half understands must be refused, not guessed (a wrong guess could delete a todo).

A list is named as in "add milk to Groceries" or "what is on the Trip list": by a name followed
by the word "list", or by the name of one of the user's lists ("add go to the gym" stays a todo
called "Go to the gym" unless the user has a list called "gym").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from todo_app.assistant.tool_args import JsonDict
from todo_app.assistant.tools import (
    PendingAction,
    ToolExecutor,
    ToolResult,
    confirm_question,
    describe_due,
)
from todo_app.core.due import local_today
from todo_app.core.quickadd import parse_quick_add

MAX_TEXT_LENGTH = 2000
HELP = (
    "I can only help with your todos here, and I'm offline: try 'add …', "
    "'what is due today', 'complete …' or 'delete …'."
)
_TOO_LONG = "That message is too long for me: please keep it under 2,000 characters."
_ONE_AT_A_TIME = (
    "Offline I change one todo at a time, so I won't touch several at once: "
    "try 'complete buy milk' or 'delete buy milk'."
)
_ONLY_YOURS = "I can only see and change your own todos, one at a time."
_MAX_LISTED = 10
_MAX_CHOICES = 5


@dataclass(frozen=True)
class Refusal:
    message: str


Call = tuple[str, JsonDict]


# --- interpreting ---------------------------------------------------------------------------

_EMAIL = re.compile(r"\S+@\S+\.\w+")
_POLITE = re.compile(
    r"^(?:(?:hey|hi|hello|ok|okay|so|please|pls|kindly|can you|could you|would you|will you)"
    r"\b[,\s]*)+"
)
# A bare "create", "new" or "make" is only an add with a todo noun after it ("make dinner" is
# not a request to add "Dinner").
_ADD = re.compile(
    r"^(?:(?:add|remind me(?: to)?|note down)\b|todo:|task:|"
    r"(?:create|new|make|put|set up|set)(?=\s+(?:an?\s+)?(?:new\s+)?(?:todo|task|reminder)\b))"
    r"\s*:?\s*(.*)$"
)
_ADD_NOUN = re.compile(
    r"^(?:an?\s+)?(?:new\s+)?(?:todo|task|item|reminder)\b(?:\s+(?:to|for|that))?\s*:?\s*"
)
_ADD_TAIL = re.compile(r"\s+(?:to|on|in)\s+(?:my\s+)?(?:todo\s*list|list|todos|tasks)$")
_PLAN = (
    re.compile(r"^(?:plan|organi[sz]e|schedule)\s+(?:my\s+|the\s+)?(day|today|week|this week)$"),
    re.compile(
        r"^what (?:should|shall|do) i (?:do|work on|focus on|tackle|start with)(?: first| next)?"
        r"(?: (today|this week))?$"
    ),
    re.compile(
        r"^what(?:'s| is) (?:on )?my (?:plan|agenda|schedule)(?: for)?( today| this week)?$"
    ),
    re.compile(r"^what (?:do|did) i have (?:on |planned |going on )?(?:for )?(today|this week)$"),
    re.compile(r"^(?:what(?:'s| is) )?due (this week)$"),
    re.compile(r"^what(?:'s| is) due (this week)$"),
)
_REOPEN = (
    re.compile(r"^(?:reopen|re-open|uncomplete|un-complete|unmark|uncheck|undo)\s+(.+)$"),
    re.compile(r"^mark\s+(.+?)\s+(?:as\s+)?(?:not done|undone|open|incomplete|not finished)$"),
    re.compile(r"^(.+?)\s+is(?: not|n't) (?:done|finished|complete|completed)(?: yet)?$"),
)
_COMPLETE = (
    re.compile(r"^(?:complete|finish|check off|tick off|cross off|close|mark off)\s+(.+)$"),
    re.compile(r"^mark\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)$"),
    re.compile(r"^(?:i(?:'ve|\s+have|\s+just)?\s+|just\s+)?(?:finished|completed)\s+(.+)$"),
    re.compile(r"^i\s+(?:just\s+)?did\s+(.+)$"),
    re.compile(r"^i(?:'m| am)?\s*(?:done|finished) with\s+(.+)$"),
    re.compile(r"^(?:done|finished) with\s+(.+)$"),
    re.compile(r"^(.+?)\s+is (?:done|finished|complete|completed)$"),
)
_DELETE = re.compile(r"^(?:delete|remove|erase|drop|trash|get rid of|cancel)\s+(.+)$")
_LIST_START = re.compile(
    r"^(?:show|list|display|see|view|give me|get|tell me|what|what's|whats|which|do i have|"
    r"any|anything|is there|are there|how many|my|search|find|look for|look up)\b"
)
_ABOUT_TODOS = re.compile(
    r"\b(?:todos?|to-dos?|tasks?|items?|due|overdue|list|done|completed?|finish(?:ed)?|upcoming|"
    r"coming up|priority|urgent|important|agenda)\b|#\w"
)
_SEARCH = re.compile(r"^(?:search|find|look for|look up)(?:\s+for)?\s+(?:todos?\s+)?(.+)$")
_SEARCH_IN_LIST = re.compile(
    r"\b(?:about|containing|mentioning|matching|called|named|with the word)\s+(.+)$"
)
_TAG = re.compile(r"#([^\W\d_][\w-]*)|\btagged\s+#?([^\W\d_][\w-]*)")
_PRIORITY = re.compile(r"\b(high|medium|low)[- ]priority\b|\b(urgent|important)\b")
_BY_ID = re.compile(r"^(?:(?:todo|task|item|number|no\.?)\s*)?#?(\d{1,9})$")
_BULK = re.compile(
    r"^(?:all|every|everything|each)\b|\b(?:all|every|everything)\s+(?:of\s+)?(?:my\s+|the\s+)?"
    r"(?:todos?|tasks?|items?|done|completed)\b"
)
_TARGET_HEAD = re.compile(r"^(?:(?:the|my|a|an|that|this)\s+)+(?:(?:todo|task|item)\s+)?")
_TARGET_TAIL = re.compile(
    r"\s+(?:(?:todos?|tasks?|items?|one)|from (?:my\s+)?(?:list|todos)|as well|too|now|already)$"
)
_QUOTES = "\"'“”\u2018\u2019«»"
# "… to Groceries", "… on the Trip list": the words before a list's name.
_TO_LIST = re.compile(r"\s(?:to|on|in|into|onto|for)\s+(?:(?:the|my|our)\s+)?", re.IGNORECASE)
_LIST_WORD = re.compile(r"\s+list$", re.IGNORECASE)
_IN_LIST = re.compile(r"\s(?:on|in|from|of)\s+(?:(?:the|my|our)\s+)?", re.IGNORECASE)
_SHOW_LIST = re.compile(
    r"^(?:show|display|view|open|see|read)(?:\s+me)?\s+(?:(?:the|my|our)\s+)?(.+?)\s+list$"
)
# Not list names: "what is on my list", "add x to my todo list".
_NOT_LIST_NAMES = frozenset(
    {"my", "the", "our", "todo", "todos", "to-do", "to-dos", "to do", "task", "tasks", "todo list"}
)


def interpret(text: str, list_names: Sequence[str] = ()) -> list[Call] | Refusal:
    """The tool calls ``text`` asks for, or a polite refusal. Complete, reopen and delete name
    their todo by ``title`` (resolved by :class:`OfflineAssistant`) or by ``todo_id``.
    ``list_names`` are the user's lists: a phrase naming one of them names that list."""
    known = {_key(name) for name in list_names}
    if not isinstance(text, str) or not text.strip():
        return Refusal(HELP)
    if len(text) >= MAX_TEXT_LENGTH:
        return Refusal(_TOO_LONG)
    original = " ".join(text.split()).rstrip("?.! ")
    said = _POLITE.sub("", original.lower()).removesuffix(" please").rstrip(", ")
    said = said.replace("\u2019", "'")

    if match := _ADD.match(said):
        return _add_call(_original_slice(original, match.group(1)), known)
    if _EMAIL.search(said):
        return Refusal(_ONLY_YOURS)
    for pattern in _PLAN:
        if match := pattern.fullmatch(said):
            week = "week" in (match.group(1) or "")
            return [("plan", {"period": "week" if week else "today"})]
    for patterns, completed in ((_REOPEN, False), (_COMPLETE, True)):
        for pattern in patterns:
            if match := pattern.fullmatch(said):
                target = _target(_original_slice(original, match.group(1)))
                if isinstance(target, Refusal):
                    return target
                return [("complete_todo", {**target, "completed": completed})]
    if match := _DELETE.fullmatch(said):
        target = _target(_original_slice(original, match.group(1)))
        return target if isinstance(target, Refusal) else [("delete_todo", target)]
    if (match := _SEARCH.fullmatch(said)) and not _ABOUT_TODOS.search(match.group(1)):
        term = re.sub(r"^(?:about|containing|mentioning|matching)\s+", "", match.group(1))
        return [("list_todos", {"search": _clean_title(term), "status": "all"})]
    named = _named_list(original, said, known)
    if _LIST_START.match(said) and (_ABOUT_TODOS.search(said) or named):
        return [("list_todos", _list_filters(said) | ({"list": named} if named else {}))]
    if named and _SHOW_LIST.fullmatch(said):
        return [("list_todos", {"list": named, "status": "open"})]
    return Refusal(HELP)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _list_target(tail: str, known: AbstractSet[str]) -> str | None:
    """The list ``tail`` names ("Groceries", "the Trip list"), or None: a known list's name, or
    any name followed by the word "list"."""
    tail = tail.strip(_QUOTES + " ")
    if _key(tail) in known:
        return tail
    bare = _LIST_WORD.sub("", tail).strip(_QUOTES + " ")
    if bare != tail and bare and _key(bare) not in _NOT_LIST_NAMES:
        return bare
    return None


def _split_list(text: str, known: AbstractSet[str]) -> tuple[str, str | None]:
    """``text`` without its last "to <list>" and that list, or (text, None)."""
    for match in reversed(list(_TO_LIST.finditer(text))):
        head = text[: match.start()].strip()
        target = _list_target(text[match.end() :], known)
        if head and target:
            return head, target
    return text, None


def _named_list(original: str, said: str, known: AbstractSet[str]) -> str | None:
    """The list a question names ("what is on the Trip list", "what's in Groceries"), in the
    user's own casing."""
    if match := _SHOW_LIST.fullmatch(said):
        target = _list_target(match.group(1) + " list", known)
        return _original_slice(original, target) if target else None
    for match in reversed(list(_IN_LIST.finditer(said))):
        target = _list_target(said[match.end() :], known)
        if target:
            return _original_slice(original, target)
    return None


def _original_slice(original: str, part: str) -> str:
    """``part`` of the lowercased text, in the user's own casing (titles keep it)."""
    lowered = original.lower().replace("\u2019", "'")
    index = lowered.rfind(part) if part and len(lowered) == len(original) else -1
    return original[index : index + len(part)] if index >= 0 else part


def _add_call(rest: str, known: AbstractSet[str]) -> list[Call] | Refusal:
    rest = _ADD_TAIL.sub("", _ADD_NOUN.sub("", rest, count=1)).strip(_QUOTES + " :")
    if not rest:
        return Refusal("What should I add? Try 'add buy milk tomorrow'.")
    # The quick-add grammar splits the title from the due, priority and tags; the executor
    # reads the due again at the user's own time and zone (the zone does not change what the
    # grammar recognises, only what it means).
    parsed = parse_quick_add(rest, datetime.now(UTC), "UTC")
    due = [p.text for p in parsed.parts if p.kind not in ("priority", "tag")]
    title, list_name = _split_list(parsed.title.strip(_QUOTES + " "), known)
    title = title.strip(_QUOTES + " ")
    args: JsonDict = {"title": title[:1].upper() + title[1:]}
    if list_name:
        args["list"] = list_name
    if due:
        args["due"] = " ".join(due)
    if parsed.priority:
        args["priority"] = parsed.priority.name.lower()
    if parsed.tags:
        args["tags"] = list(parsed.tags)
    return [("add_todo", args)]


def _target(text: str) -> JsonDict | Refusal:
    lowered = text.lower()
    if _BULK.search(lowered):
        return Refusal(_ONE_AT_A_TIME)
    if match := _BY_ID.fullmatch(lowered.strip()):
        return {"todo_id": int(match.group(1))}
    title = _clean_title(text)
    return {"title": title} if title else Refusal(HELP)


def _clean_title(text: str) -> str:
    text = text.strip(_QUOTES + " ")
    text = _TARGET_TAIL.sub("", _TARGET_HEAD.sub("", text, count=1))
    text = re.sub(r"^(?:(?:the|my)\s+)+", "", text, flags=re.IGNORECASE)
    return text.strip(_QUOTES + " ")


def _list_filters(said: str) -> JsonDict:
    args: JsonDict = {}
    if "overdue" in said or "late" in said.split():
        args["view"] = "overdue"
    elif re.search(r"\btoday\b", said):
        args["view"] = "today"
    elif re.search(r"\b(?:upcoming|coming up|soon|tomorrow|next few days|next week)\b", said):
        args["view"] = "upcoming"
    elif re.search(r"\b(?:no|without an?)\s+(?:due\s+)?date\b|\bundated\b", said):
        args["view"] = "no-date"
    if re.search(r"\b(?:done|completed?|finish(?:ed)?)\b", said):
        args["status"] = "done"
    elif re.search(r"\ball\b", said):
        args["status"] = "all"
    elif args.get("view") != "overdue":  # overdue is open by definition
        args["status"] = "open"
    if match := _PRIORITY.search(said):
        args["priority"] = match.group(1) or "high"
    if match := _TAG.search(said):
        args["tag"] = (match.group(1) or match.group(2)).lower()
    if match := _SEARCH_IN_LIST.search(said):
        args["search"] = _clean_title(match.group(1))
    return args


# --- replying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineReply:
    text: str
    results: list[ToolResult] = field(default_factory=list)
    pending: list[PendingAction] = field(default_factory=list)


class OfflineAssistant:
    """Answers a message with :func:`interpret` and the executor's tools."""

    def __init__(self, executor: ToolExecutor) -> None:
        self.executor = executor

    def reply(self, text: str) -> OfflineReply:
        """One request: its changes count against a fresh budget of the executor, the same
        rule the Groq loop runs under."""
        self.executor.begin_request()
        intent = interpret(text, self.executor.list_names())
        if isinstance(intent, Refusal):
            return OfflineReply(intent.message)
        calls: list[Call] = []
        for name, args in intent:
            if "title" in args and name != "add_todo":
                resolved = self._resolve(name, args)
                if isinstance(resolved, str):
                    return OfflineReply(resolved)
                args = resolved
            calls.append((name, args))
        results = self.executor.execute_many(calls)
        pending = self.executor.pending_actions(results)
        if pending:
            return OfflineReply(
                f"Please confirm in the page: {confirm_question(pending)}", [], pending
            )
        said = " ".join(self._say(n, a, r) for (n, a), r in zip(calls, results, strict=True))
        return OfflineReply(said, results, [])

    def _resolve(self, name: str, args: JsonDict) -> JsonDict | str:
        title = args["title"]
        completed = args.get("completed")
        # Completing looks among open todos first, reopening among done ones.
        rows = []
        if completed is not None:
            rows = self.executor.find_by_title(title, completed=not completed)
        rows = rows or self.executor.find_by_title(title)
        if not rows:
            return f"I couldn't find a todo called “{title}”."
        if len(rows) > 1:
            choices = ", ".join(f"“{r['title']}” (#{r['id']})" for r in rows[:_MAX_CHOICES])
            verb = {"delete_todo": "delete"}.get(name, "complete" if completed else "reopen")
            return (
                f"Several todos match “{title}”: {choices}. Which one do you mean? "
                f"Say it with its number, e.g. '{verb} #{rows[0]['id']}'."
            )
        rest = {key: value for key, value in args.items() if key != "title"}
        return {"todo_id": rows[0]["id"], **rest}

    def _say(self, name: str, args: JsonDict, result: ToolResult) -> str:
        if not result.ok:
            return result.error
        content = result.content
        if name == "add_todo":
            todo = content["todo"]
            where = f" to “{todo['list']}”" if "list" in args else ""
            due = f", due {self._when(todo['due'])}" if todo["due"] else ""
            repeats = f", repeating {todo['repeats']}" if todo.get("repeats") else ""
            return f"Added “{todo['title']}”{where}{due}{repeats}."
        if name == "complete_todo":
            title = content["todo"]["title"]
            return (
                f"Marked “{title}” as done."
                if content["todo"]["completed"]
                else (f"Reopened “{title}”.")
            )
        if name == "delete_todo":
            return f"Deleted “{content['deleted']['title']}”."
        if name == "plan":
            return self._say_plan(content)
        return self._say_list(args, content)

    def _today(self) -> date:
        return local_today(self.executor.now(), self.executor.tz)

    def _when(self, due: str) -> str:
        day, today = date.fromisoformat(due[:10]), self._today()
        at = f" at {due[11:]}" if len(due) > 10 else ""
        names = {
            today: "today",
            today + timedelta(1): "tomorrow",
            today - timedelta(1): "yesterday",
        }
        return names.get(day, describe_due(due[:10], today)) + at

    def _titles(self, rows: list[JsonDict], total: int, numbered: bool = False) -> str:
        parts = []
        for index, row in enumerate(rows[:_MAX_LISTED], start=1):
            notes = [row["priority"]] if numbered and row["priority"] != "none" else []
            if row.get("overdue"):
                notes.insert(0, "overdue")
            elif row["due"] and len(row["due"]) > 10:
                notes.append(row["due"][11:])
            note = f" ({', '.join(notes)})" if notes else ""
            parts.append(f"{f'{index}. ' if numbered else ''}“{row['title']}”{note}")
        more = total - len(parts)
        return ", ".join(parts) + (f" and {more} more" if more > 0 else "")

    def _say_list(self, args: JsonDict, content: JsonDict) -> str:
        total: int = content["total"]
        view, status = args.get("view", "all"), args.get("status", "all")
        adjectives = []
        if view == "overdue":
            adjectives.append("overdue")
        elif status == "done":
            adjectives.append("completed")
        elif status == "open" and view in ("all", "no-date"):
            adjectives.append("open")
        if "priority" in args:
            adjectives.append(f"{args['priority']}-priority")
        noun = "todo" if total == 1 else "todos"
        where = {
            "today": " due today",
            "upcoming": " due in the next 7 days",
            "no-date": " without a due date",
        }.get(view, "")
        if "tag" in args:
            where += f" tagged #{args['tag']}"
        if "search" in args:
            where += f" matching “{args['search']}”"
        if "list" in content:
            where += f" on “{content['list']}”"
        described = " ".join([*adjectives, noun]) + where
        if total == 0:
            return f"You have no {' '.join([*adjectives, 'todos'])}{where}."
        return f"You have {total} {described}: {self._titles(content['todos'], total)}."

    def _say_plan(self, content: JsonDict) -> str:
        period = "this week" if content["period"] == "week" else "today"
        if not content["todos"]:
            return f"Nothing to do {period}: no open todos are due or overdue."
        listed = self._titles(content["todos"], content["total"], numbered=True)
        return f"Your plan for {period}: {listed}. Most important first, then the earliest due."
