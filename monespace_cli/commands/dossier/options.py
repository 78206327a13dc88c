"""What several ``dossier`` verbs share: ``--set`` typed by the form, safe retries.

``--set`` values are typed from the procedure's JSON Schema (``new`` and
``fill``), so both fetch the form the same way. ``new`` and ``submit`` are
writes that may reach the portal even when the answer is lost: each sends an
idempotency key, and when the portal cannot be reached the error says how to
retry with that same key, so a retry never files a dossier twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.errors import CliError
from monespace_cli.i18n import _

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient

#: ``--set`` of ``dossier new`` and ``dossier fill``: one syntax, one help text.
SETS = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help=_("Set one field: path=value (path:=JSON for raw JSON)."),
        metavar="PATH=VALUE",
    ),
]


def procedure_form(
    client: PortalClient, code: str, version: int | None = None
) -> dict[str, Any] | None:
    """The procedure's form (JSON Schema); typed --set values depend on it."""
    procedure = client.get_procedure(code, version=version)
    form = procedure.get("form")
    return form if isinstance(form, dict) else None


def new_key() -> str:
    """A fresh idempotency key (when the person gave none)."""
    from monespace_cli.client import new_idempotency_key  # loads httpx: not on --help

    return new_idempotency_key()


@contextmanager
def retry_hint(command: list[str], key: str) -> Iterator[None]:
    """When a write may or may not have reached the portal, say how to retry it safely."""
    from monespace_cli.client import PortalUnavailable  # loads httpx: not on --help

    try:
        yield
    except PortalUnavailable as exc:
        retry = " ".join([*command, "--idempotency-key", key])
        raise CliError(
            _("The portal cannot be reached: {detail}").format(detail=exc),
            hint=_("It may have received the request. Retry safely with: {command}").format(
                command=retry
            ),
        ) from exc
