"""Who said a chat message: the roles of the stored conversation and of Groq's messages."""

from __future__ import annotations

from enum import StrEnum


class ChatRole(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    # Only in the messages sent to Groq, never in a stored or resent conversation.
    SYSTEM = "system"
    TOOL = "tool"


# The roles a conversation may resend: a stray system or tool message must not become an
# instruction.
CONVERSATION_ROLES = frozenset({ChatRole.USER, ChatRole.ASSISTANT})
