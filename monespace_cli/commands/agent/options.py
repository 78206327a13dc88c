"""Options and argument checks the ``agent`` commands share.

The queue filters appear on ``queue``, ``bulk`` and ``export`` with one
spelling and one help text, and are checked here before anything is sent:
a typo in a status, an outcome or an NRN is a usage error with the allowed
values, not a 422 from the portal. Due dates accept what people type in Wallonia
(``31/12/2026``), ISO dates and ``+14d``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from monespace_cli.client import AGENT_STATUSES, OPEN_STATUSES
from monespace_cli.commands._shared.input_files import existing_file
from monespace_cli.dates import DateError, parse_date
from monespace_cli.errors import UsageProblem
from monespace_cli.i18n import _

SORTS = ("age", "-age", "due", "-due", "updated")
#: The outcomes of ``agent decide`` and ``agent bulk decide``.
OUTCOMES = ("accept", "refuse")
STATUS = Annotated[
    str | None,
    typer.Option(
        "--status",
        help=_("Statuses, comma-separated, or 'all' (default: the open ones)."),
        metavar="S[,S]",
    ),
]
PROCEDURE = Annotated[
    str | None,
    typer.Option("--procedure", help=_("Procedure codes, comma-separated."), metavar="CODE"),
]
SERVICE = Annotated[
    str | None, typer.Option("--service", help=_("Only this service."), metavar="CODE")
]
ASSIGNED = Annotated[
    str | None,
    typer.Option(
        "--assigned",
        help=_("Assigned to me, to nobody (none) or to an NRN."),
        metavar="me|none|NRN",
    ),
]
OVERDUE = Annotated[
    bool, typer.Option("--overdue", help=_("Only dossiers past their legal decision date."))
]
OLDER_THAN = Annotated[
    int | None,
    typer.Option(
        "--older-than", help=_("Submitted at least this many days ago."), metavar="DAYS", min=0
    ),
]
SEARCH = Annotated[
    str | None,
    typer.Option(
        "--search",
        help=_("Text in the reference, applicant name or number, or title."),
        metavar="TEXT",
    ),
]

#: The decision's texts, on ``agent decide`` and ``agent bulk decide`` alike.
MOTIVATION = Annotated[
    str | None,
    typer.Option("--motivation", help=_("Why (written in the decision)."), metavar="TEXT"),
]
MOTIVATION_FILE = Annotated[
    str | None,
    typer.Option(
        "--motivation-file", help=_("The motivation from a file (- for stdin)."), metavar="FILE"
    ),
]
APPEAL = Annotated[
    str | None,
    typer.Option(
        "--appeal",
        help=_("Appeal information (default: the procedure's, Conseil d'État 60 days)."),
        metavar="TEXT",
    ),
]


def queue_filters(
    status: str | None,
    procedure: str | None,
    service: str | None,
    assigned: str | None,
    overdue: bool,
    older_than: int | None,
    search: str | None,
) -> dict[str, Any]:
    """The checked filters, named as the portal names them (``q`` for ``--search``)."""
    return {
        "status": check_statuses(status),
        "procedure": _comma_list(procedure),
        "service": service,
        "assigned": check_assignee(assigned),
        "overdue": overdue or None,
        "older_than": older_than,
        "q": search or None,
    }


def _comma_list(text: str | None) -> str | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return ",".join(parts) or None


def check_statuses(text: str | None) -> str | None:
    """``--status`` as a comma list of known statuses, or ``all``."""
    value = _comma_list(text)
    if value is None or value == "all":
        return value
    unknown = [s for s in value.split(",") if s not in AGENT_STATUSES]
    if unknown:
        message = _("Unknown status {status!r}: use one of {statuses}, or all.")
        raise UsageProblem(message.format(status=unknown[0], statuses=", ".join(AGENT_STATUSES)))
    return value


def selected_statuses(status: str | None) -> tuple[str, ...]:
    """The statuses a filter covers (the open ones by default)."""
    if status is None:
        return OPEN_STATUSES
    if status == "all":
        return AGENT_STATUSES
    return tuple(status.split(","))


def check_nrn(text: str) -> str:
    """An NRN's digits (check digits verified), or exit 5."""
    # the CSAM checks load the roles-file rules: only when an NRN is given, not on --help
    from monespace_cli.commands._shared import csam

    return csam.nrn(text)


def check_outcome(outcome: str) -> None:
    """``accept`` or ``refuse``, or a usage error naming both."""
    if outcome not in OUTCOMES:
        message = _("Unknown outcome {value!r}: use accept or refuse.")
        raise UsageProblem(message.format(value=outcome))


def check_assignee(text: str | None) -> str | None:
    if text is None or text in ("me", "none"):
        return text
    return check_nrn(text)


def check_sort(text: str | None) -> str | None:
    if text is not None and text not in SORTS:
        message = _("Unknown sort {sort!r}: use one of {sorts}.")
        raise UsageProblem(message.format(sort=text, sorts=", ".join(SORTS)))
    return text


def parse_due(text: str, *, today: dt.date | None = None) -> str:
    """A due date as ISO text: ``dd/mm/yyyy``, ``YYYY-MM-DD`` or ``+Nd`` (N days from today).

    The rule is :func:`monespace_cli.dates.parse_date`, the one every typed date uses.
    """
    try:
        return parse_date(text, relative=True, today=today)
    except DateError as exc:
        raise UsageProblem(f"--due: {exc}") from None


def read_text_option(text: str | None, path: str | None, stdin: Any, *, name: str) -> str:
    """The value of ``--NAME TEXT`` or ``--NAME-file FILE`` (``-`` = stdin): exactly one."""
    if (text is None) == (path is None):
        message = _("Give exactly one of --{name} and --{name}-file.")
        raise UsageProblem(message.format(name=name))
    if text is not None:
        return text
    if path == "-":
        return str(stdin.read())
    return existing_file(str(path)).read_text(encoding="utf-8")


def read_motivation(motivation: str | None, motivation_file: str | None, stdin: Any) -> str:
    """The text of ``--motivation`` or ``--motivation-file``: exactly one, not blank."""
    text = read_text_option(motivation, motivation_file, stdin, name="motivation")
    if not text.strip():
        raise UsageProblem(_("The motivation is empty."))
    return text


def read_ids(ids: list[str] | None, from_file: str | None, stdin: Any) -> list[str] | None:
    """Dossier ids from ``--ids`` and/or ``--from-file`` (one a line, ``#`` comments), in order."""
    if ids is None and from_file is None:
        return None
    found: list[str] = []
    for item in ids or []:
        found.extend(p.strip() for p in item.replace(",", " ").split() if p.strip())
    if from_file is not None:
        if from_file == "-":
            text = str(stdin.read())
        else:
            text = existing_file(from_file).read_text(encoding="utf-8")
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                found.append(line)
    return list(dict.fromkeys(found))
