from sqlmodel import Session

from todo_app.core import accounts, conversations


def test_conversation_is_kept_in_order_per_user(session: Session) -> None:
    alice = accounts.sign_up(session, "talker@example.com", "password!").id
    bob = accounts.sign_up(session, "other@example.com", "password!").id
    assert alice and bob
    conversations.append(session, alice, "user", "add buy milk")
    conversations.append(session, alice, "assistant", "Added “buy milk”.")
    conversations.append(session, bob, "user", "bob's secret")
    assert [(m.role, m.content) for m in conversations.recent(session, alice)] == [
        ("user", "add buy milk"),
        ("assistant", "Added “buy milk”."),
    ]
    for n in range(5):
        conversations.append(session, alice, "user", f"message {n}")
    assert [m.content for m in conversations.recent(session, alice, limit=2)] == [
        "message 3",
        "message 4",
    ]
    conversations.clear(session, alice)
    assert conversations.recent(session, alice) == []
    assert [m.content for m in conversations.recent(session, bob)] == ["bob's secret"]
