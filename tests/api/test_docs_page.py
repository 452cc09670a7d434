"""/api/v1/docs is Swagger UI from the backend's own files: no CDN, no inline script
(the frontend's Content-Security-Policy allows neither)."""

from __future__ import annotations

import re

from tests.api.conftest import Api


def test_the_docs_page_loads_swagger_ui_from_its_own_files(api: Api) -> None:
    page = api.client.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.DOTALL)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    sources = re.findall(r"(?:src|href)='([^']+)'", page.text)
    assert all(source.startswith("/api/v1/docs/") for source in sources), sources
    for source in sources:
        asset = api.client.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].split(";")[0] in ("text/css", "text/javascript")
    assert "SwaggerUIBundle" in api.client.get("/api/v1/docs/assets/swagger-ui-bundle.js").text
    assert "/api/v1/openapi.json" in api.client.get("/api/v1/docs/start.js").text
    # Only the page's two files: no way into the package's folder.
    assert api.client.get("/api/v1/docs/assets/LICENSE").status_code == 404
    assert api.client.get("/api/v1/docs/assets/..%2F__init__.py").status_code == 404
