"""The todo assistant: tools a model (or the offline parser) calls for the signed-in user.

Nothing here imports Reflex: the UI binds the user and shows pending confirmations.
"""

from todo_app.assistant.offline import OfflineAssistant, OfflineReply, Refusal, interpret
from todo_app.assistant.tools import (
    CONFIRM_THRESHOLD,
    TOOL_NAMES,
    TOOL_SCHEMAS,
    ChangeBudget,
    PendingAction,
    ToolExecutor,
    ToolResult,
    pending_lines,
    render_for_model,
)

__all__ = [
    "CONFIRM_THRESHOLD",
    "TOOL_NAMES",
    "TOOL_SCHEMAS",
    "ChangeBudget",
    "OfflineAssistant",
    "OfflineReply",
    "PendingAction",
    "Refusal",
    "ToolExecutor",
    "ToolResult",
    "interpret",
    "pending_lines",
    "render_for_model",
]
