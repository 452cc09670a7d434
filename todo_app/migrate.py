"""``python -m todo_app.migrate``: bring the database schema up to date, then exit.

In the cluster it is the backend pods' init container (concurrent runs wait on
an advisory lock, and all but the first find nothing to do); on a laptop the
backend runs it at start-up instead (MIGRATE_ON_START).
"""

from todo_app.core.db import build_engine, get_engine, migrate
from todo_app.settings import get_settings

if __name__ == "__main__":
    # MIGRATION_DATABASE_URL: a direct (unpooled) connection for DDL, when the
    # app itself goes through a pooler in transaction mode (Neon's -pooler host).
    direct_url = get_settings().migration_database_url
    migrate(build_engine(direct_url) if direct_url else get_engine())
