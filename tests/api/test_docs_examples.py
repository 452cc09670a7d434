"""The curl examples of docs/api.md and of the README's "REST API" section run, in
order, against the API served by uvicorn on a real port (on SQLite and PostgreSQL): a
documented command that fails fails here."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from todo_app.core import access_tokens, lists
from todo_app.core.db import session_scope
from todo_app.core.models import User
from todo_app.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "api.md"
README = PROJECT_ROOT / "README.md"
_BASH_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
# The reader's own values; the test sets its server's and its token.
_PLACEHOLDERS = re.compile(r"^export (API|TOKEN)=.*$", re.MULTILINE)


def documented_script(doc: Path, section: str = "") -> str:
    """The doc's bash blocks (only those of the ``## section``, if given), as one script."""
    text = doc.read_text()
    if section:
        text = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = _BASH_BLOCK.findall(text)
    return "\n".join(_PLACEHOLDERS.sub("", block) for block in blocks)


def test_the_documented_curl_examples_run(served: str, db: Engine) -> None:
    with session_scope(db) as session:
        user = User(email="docs@example.com", password_hash="not-a-real-hash")
        session.add(user)
        session.flush()
        assert user.id is not None
        lists.ensure_inbox(session, user.id)
        token = access_tokens.create_token(session, user.id, "docs", "read-write", 1).secret
    readme = documented_script(README, "REST API")
    assert readme.count("curl ") == 2
    script = documented_script(DOC) + "\n" + readme
    assert script.count("curl ") >= 12
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        env={**os.environ, "API": served, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert '"title":"Buy milk"' in done.stdout
    assert '"title":"Pay the rent"' in done.stdout
    assert '"title":"Call mom"' in done.stdout  # the README's own example
    assert "BEGIN:VCALENDAR" in done.stdout
    assert token not in done.stdout + done.stderr
