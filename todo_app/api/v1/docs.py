"""/api/v1/docs: Swagger UI served by the backend itself, not from a CDN.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline
script; the frontend's Content-Security-Policy (script-src 'self' and hashes)
blocks both, and an offline cluster cannot reach the CDN. Here the assets come
from the `swagger-ui-py` package and the page starts Swagger UI from a file.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

# Only the two files the page uses, not the package's whole folder.
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}


def install_docs(api: FastAPI, prefix: str) -> None:
    static = Path(str(importlib.resources.files("swagger_ui") / "static"))
    docs = f"{prefix}/docs"

    @api.get(docs, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Todo API</title>"
            f"<link rel='stylesheet' href='{docs}/assets/swagger-ui.css'></head>"
            "<body><div id='swagger-ui'></div>"
            f"<script src='{docs}/assets/swagger-ui-bundle.js'></script>"
            f"<script src='{docs}/start.js'></script></body></html>"
        )

    @api.get(f"{docs}/start.js", include_in_schema=False)
    def start_script() -> Response:
        return Response(
            f"SwaggerUIBundle({{url: '{prefix}/openapi.json', dom_id: '#swagger-ui'}});\n",
            media_type="text/javascript",
        )

    @api.get(f"{docs}/assets/{{name}}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:
            return Response(status_code=404)
        return FileResponse(static / name, media_type=ASSETS[name])
