"""``monespace api METHOD PATH``: a raw request to the portal API, like ``gh api``.

The escape hatch for what no command covers yet. It uses the profile's portal,
token and acting context; ``PATH`` is relative to ``/api/v1`` (``dossiers``,
``/dossiers/MSP-2026-000001``) or absolute (``/api/v1/...``, ``/healthz``).

- ``--data JSON`` (or ``@file``, ``@-``) is the request body;
- ``-f key=value`` adds a string field, ``-F key=value`` a typed one
  (true/false/null/numbers/``@file``): query parameters for GET and DELETE,
  JSON body fields otherwise (dotted keys nest);
- ``-H 'Name: value'`` adds a header (``If-Match``, ``Idempotency-Key``);
- ``--paginate`` follows ``next_cursor`` and prints one object with every
  item, in the API's own shape ``{"items": [...], "next_cursor": null}``.

The answer is printed as JSON (``--jq`` applies); a binary answer is written
to stdout as bytes. On an error answer, the problem document is printed on
stdout too, then the usual message and exit code.

Credentials go to one origin, as with ``gh api``: an absolute URL of another
origin (scheme, host and port) than the profile's portal is refused (exit 2)
— the token and the acting context are the portal's, not the other host's.
``--no-credentials`` sends it anyway, without either, and says so on stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.assign import (
    parse_assignment,
    parse_json_argument,
    resolve_append,
    set_path,
    typed_value,
)
from monespace_cli.context import current
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

app = noun_app(_("Make a raw request to the portal API."))

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
MAX_PAGES = 10_000


def _fields(raw: list[str], typed: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for option, texts, typing in (("-f", raw, str), ("-F", typed, typed_value)):
        for text in texts:
            field = parse_assignment(text, option=option, json_values=False)
            set_path(out, resolve_append(out, field.path), typing(field.raw))
    return out


def _headers(raw: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for text in raw:
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise UsageProblem(_("Expected 'Name: value' for -H, got {text!r}.").format(text=text))
        headers[name.strip()] = value.strip()
    return headers


def _body(data: str | None, fields: dict[str, Any]) -> Any:
    body = parse_json_argument(data) if data is not None else None
    if fields:
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise UsageProblem(_("-f/-F fields need --data to be a JSON object."))
        body.update(fields)
    return body


def _paginate(client: Any, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
    items: list[Any] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _page in range(MAX_PAGES):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.request("GET", path, params=query, headers=headers).json()
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise UsageProblem(_("--paginate needs a list answer with 'items'."))
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor or cursor in seen:
            break
        seen.add(cursor)
    return {"items": items, "next_cursor": None}


@app.command()
def api(
    method: Annotated[
        str, typer.Argument(help=_("GET, POST, PUT, PATCH, DELETE or HEAD."), metavar="METHOD")
    ],
    path: Annotated[
        str, typer.Argument(help=_("Path under /api/v1, e.g. dossiers."), metavar="PATH")
    ],
    data: Annotated[
        str | None,
        typer.Option(
            "--data", "-d", help=_("JSON body, or @file, or @- for stdin."), metavar="JSON"
        ),
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field", "-f", help=_("String field key=value (repeatable)."), metavar="KEY=VALUE"
        ),
    ] = None,
    typed_field: Annotated[
        list[str] | None,
        typer.Option(
            "--typed-field",
            "-F",
            help=_("Typed field key=value: numbers, true, null, @file."),
            metavar="KEY=VALUE",
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", help=_("Extra header 'Name: value'."), metavar="HEADER"),
    ] = None,
    paginate: Annotated[
        bool, typer.Option("--paginate", help=_("Follow next_cursor and return every item."))
    ] = False,
    no_credentials: Annotated[
        bool,
        typer.Option(
            "--no-credentials",
            help=_("Send a URL of another origin than the portal, without token or context."),
        ),
    ] = False,
) -> None:
    """Send a request to the portal API and print the answer."""
    from monespace_cli.client import PortalError

    verb = method.upper()
    if verb not in METHODS:
        raise UsageProblem(
            _("Unknown method {method!r}: use one of {methods}.").format(
                method=method, methods=", ".join(METHODS)
            )
        )
    if paginate and verb != "GET":
        raise UsageProblem(_("--paginate works with GET only."))
    fields = _fields(field or [], typed_field or [])
    headers = _headers(header or [])
    as_query = verb in ("GET", "DELETE", "HEAD")
    params = (
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
        if as_query
        else {}
    )
    body = _body(data, {} if as_query else fields)
    f = current()
    with f.client(auth=_credentials_for(f, path, no_credentials)) as client:
        try:
            if paginate:
                f.printer.json(_paginate(client, path, params, headers))
                return
            response = client.request(verb, path, params=params or None, json=body, headers=headers)
        except PortalError as exc:
            if (exc.problem and f.printer.fmt != "table") or (exc.problem and not f.io.stdout_tty):
                f.printer.json(exc.problem)
            raise
    _print_answer(f, response)


def _credentials_for(f: Any, path: str, no_credentials: bool) -> str:
    """``optional`` for the portal; another origin is refused unless asked for without."""
    from monespace_cli.client import is_portal_url

    if not path.startswith(("http://", "https://")) or is_portal_url(f.portal_url, path):
        return "none" if no_credentials else "optional"
    if not no_credentials:
        raise UsageProblem(
            _("{url} is not on the portal {portal}: your token is only sent to the portal.").format(
                url=path, portal=f.portal_url
            ),
            hint=_("Add --no-credentials to send it without your token or context."),
        )
    f.io.warn(
        _("warning: {url} is not the portal: sent without your token or context.").format(url=path)
    )
    return "none"


def _print_answer(f: Any, response: Any) -> None:
    if response.status_code == 204 or not response.content:
        return
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:
        f.printer.json(response.json())
    elif ctype.startswith("text/"):
        f.printer.text(response.text.rstrip("\n"))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(response.content)
        sys.stdout.buffer.flush()
