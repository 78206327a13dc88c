"""The API reference page (``GET /api/v1/docs``): the OpenAPI document as plain HTML.

Why not Swagger UI: FastAPI's page loads its script and style from a
third-party CDN, so whoever serves (or takes over) that CDN runs script in
the portal's origin, next to the people's tokens. This page is rendered on
the server from the same document ``/api/v1/openapi.json`` serves, runs no
script at all, and says so in its Content-Security-Policy (only its own
inline style, by hash). Every text of the document is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Any

from fastapi.responses import HTMLResponse

METHODS = ("get", "post", "put", "patch", "delete")
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.4}code{background:#f3f3f3;padding:0 .2rem}"
    "section{border-top:1px solid #ddd;padding:.5rem 0}"
    ".m{display:inline-block;min-width:4rem;font-weight:bold;text-transform:uppercase}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .4rem;"
    "text-align:left;vertical-align:top}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
#: No script, no frame, no form, nothing from elsewhere; the one style block by hash.
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _parameters(operation: dict[str, Any]) -> str:
    rows = [
        f"<tr><td><code>{_e(p.get('name'))}</code></td><td>{_e(p.get('in'))}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td><td>{_e(p.get('description'))}</td></tr>"
        for p in operation.get("parameters", [])
    ]
    if not rows:
        return ""
    head = "<tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _operation(path: str, method: str, operation: dict[str, Any]) -> str:
    body = operation.get("requestBody", {}).get("content", {})
    responses = ", ".join(
        f"<code>{_e(code)}</code> {_e(r.get('description'))}"
        for code, r in operation.get("responses", {}).items()
    )
    parts = [
        f"<section><h3><span class=m>{_e(method)}</span> <code>{_e(path)}</code></h3>",
        f"<p>{_e(operation.get('summary'))}</p>",
        f"<p>{_e(operation.get('description'))}</p>" if operation.get("description") else "",
        _parameters(operation),
        f"<p>Body: {', '.join(f'<code>{_e(t)}</code>' for t in body)}</p>" if body else "",
        f"<p>Answers: {responses}</p>",
        "</section>",
    ]
    return "".join(parts)


def render(document: dict[str, Any], openapi_url: str) -> str:
    """The whole page for ``document``."""
    info = document.get("info", {})
    sections = [
        _operation(path, method, operation)
        for path, operations in document.get("paths", {}).items()
        for method, operation in operations.items()
        if method in METHODS
    ]
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{_e(info.get('title'))}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_e(info.get('title'))} {_e(info.get('version'))}</h1>"
        f"<p>{_e(info.get('description'))}</p>"
        f'<p>The machine-readable document: <a href="{_e(openapi_url)}">{_e(openapi_url)}</a>.</p>'
        f"{''.join(sections)}</body></html>"
    )


def page(document: dict[str, Any], openapi_url: str) -> HTMLResponse:
    """The page as a response, with its Content-Security-Policy."""
    return HTMLResponse(render(document, openapi_url), headers={"Content-Security-Policy": CSP})
