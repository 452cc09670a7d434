"""lists and sharing: every todo in a list, every user an Inbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Creates ``lists`` and ``list_members``, gives every user an Inbox and moves every todo into
its owner's Inbox (``fill_inboxes``: idempotent, it only adds what is missing), then makes
``todos.list_id`` NOT NULL with its foreign key and indexes.

On SQLite the todos table is rebuilt for that (SQLite cannot add a constraint in place).
Dropping the old table with foreign keys enforced would cascade to its subtasks and tag
links, so the rebuild needs them off: ``todo_app.core.db.migrate`` (and env.py) turn them
off around the whole run and check the foreign keys before committing; this revision
refuses to run with them on rather than lose rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INBOX_NAME = "Inbox"

_users = sa.table("users", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime))
_lists = sa.table(
    "lists",
    sa.column("id", sa.Integer),
    sa.column("owner_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("is_inbox", sa.Boolean),
    sa.column("position", sa.Integer),
    sa.column("created_at", sa.DateTime),
)
_todos = sa.table("todos", sa.column("owner_id", sa.Integer), sa.column("list_id", sa.Integer))


def fill_inboxes(connection: sa.Connection) -> tuple[int, int]:
    """An Inbox for every user without one (made at the moment the account was), and every
    todo without a list moved into its owner's Inbox. Running it again changes nothing.
    Returns (Inboxes made, todos moved)."""
    has_inbox = (
        sa.select(_lists.c.id)
        .where(_lists.c.owner_id == _users.c.id, _lists.c.is_inbox.is_(sa.true()))
        .exists()
    )
    made = connection.execute(
        sa.insert(_lists).from_select(
            ["owner_id", "name", "is_inbox", "position", "created_at"],
            sa.select(
                _users.c.id,
                sa.literal(INBOX_NAME, sa.String),
                sa.true(),
                sa.literal(0, sa.Integer),
                _users.c.created_at,
            ).where(~has_inbox),
        )
    ).rowcount
    inbox_of_owner = (
        sa.select(_lists.c.id)
        .where(_lists.c.owner_id == _todos.c.owner_id, _lists.c.is_inbox.is_(sa.true()))
        .scalar_subquery()
    )
    moved = connection.execute(
        sa.update(_todos).where(_todos.c.list_id.is_(None)).values(list_id=inbox_of_owner)
    ).rowcount
    return made, moved


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Effective only outside a transaction; db.migrate has turned them off already.
        op.execute("PRAGMA foreign_keys=OFF")
        if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RuntimeError(
                "0005 rebuilds the todos table and must run with SQLite's foreign keys off "
                "(or the rebuild would delete every subtask and tag link): run it through "
                "`python -m todo_app.migrate`."
            )

    op.create_table(
        "lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("is_inbox", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_lists_owner_inbox",
        "lists",
        ["owner_id"],
        unique=True,
        sqlite_where=sa.text("is_inbox"),
        postgresql_where=sa.text("is_inbox"),
    )
    op.create_index(
        "uq_lists_owner_name", "lists", ["owner_id", sa.text("lower(name)")], unique=True
    )

    op.create_table(
        "list_members",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("list_id", "user_id"),
    )
    op.create_index("ix_list_members_user_id", "list_members", ["user_id"])

    op.add_column("todos", sa.Column("list_id", sa.Integer(), nullable=True))
    fill_inboxes(connection)

    # Now every todo has a list: the column becomes required, with its key and indexes.
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.alter_column("list_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_todos_list_id", "lists", ["list_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_todos_list_created", ["list_id", "created_at", "id"])
        batch_op.create_index("ix_todos_list_due", ["list_id", "due_date", "due_at"])


def downgrade() -> None:
    # Lists and sharing are dropped; every todo stays with its list's owner.
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.drop_index("ix_todos_list_due")
        batch_op.drop_index("ix_todos_list_created")
        batch_op.drop_constraint("fk_todos_list_id", type_="foreignkey")
        batch_op.drop_column("list_id")
    op.drop_index("ix_list_members_user_id", table_name="list_members")
    op.drop_table("list_members")
    op.drop_index("uq_lists_owner_name", table_name="lists")
    op.drop_index("uq_lists_owner_inbox", table_name="lists")
    op.drop_table("lists")
