"""``python -m todo_app.migrate``: bring the database schema up to date, then exit.

In the cluster this runs once per rollout, before the new backend serves; on a
laptop the backend also runs it at start-up (MIGRATE_ON_START).
"""

from todo_app.core.db import migrate

if __name__ == "__main__":
    migrate()
