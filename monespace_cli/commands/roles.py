"""``monespace roles …``: CSAM roles of an organisation, one by one or as a file.

One-by-one commands (``list``, ``grant``, ``revoke``, ``history``) map to the
API's role endpoints. The declarative ones (``export``, ``plan``, ``apply``)
let a GAP keep the organisation's roles in a reviewed YAML file
(:mod:`monespace_cli.roles_file`) and send only the difference
(:mod:`monespace_cli.roles_plan`) as one atomic ``roles:apply`` change set:
all of it is written or none.

Every problem the CLI can see in the file is reported at once with its line
before anything is sent; what only the portal knows (an unknown person) comes
back from a dry run and is mapped to the same lines.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli import roles_file, roles_plan
from monespace_cli.app import noun_app
from monespace_cli.commands._shared import csam
from monespace_cli.context import Factory, current
from monespace_cli.errors import (
    CliError,
    ExitCode,
    NotFoundProblem,
    RejectedInput,
    UsageProblem,
    explain,
)
from monespace_cli.i18n import N_, _, plural
from monespace_cli.output import Column, fields_of
from monespace_cli.roles_file import LEVELS, RolesFile
from monespace_cli.roles_plan import Step

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient

app = noun_app(_("Roles in an organisation: who may act in which domain, as a reviewable file."))

# Each option is declared once and reused by the verbs that take it.
FILE = Annotated[
    Path, typer.Option("--file", "-f", help=_("The roles file (YAML)."), metavar="FILE")
]
OPTIONAL_ORG = Annotated[
    str | None,
    typer.Option(
        "--org",
        help=_("The organisation (BCE number); default: the acting context."),
        metavar="BCE",
    ),
]
_DOMAIN = typer.Option("--domain", help=_("The domain."), metavar="DOMAIN")
#: ``grant`` needs the domain; ``change`` and ``revoke`` may name the role by ``--id``.
DOMAIN = Annotated[str, _DOMAIN]
OPTIONAL_DOMAIN = Annotated[str | None, _DOMAIN]
ROLE_ID = Annotated[
    str | None, typer.Option("--id", help=_("The role's ID (see: roles list)."), metavar="ID")
]


def _org(f: Factory, org: str | None) -> str:
    """``--org``, else the organisation being acted for, else a usage error."""
    if org is not None:
        return csam.bce(org)
    if f.acting_as != "me":
        return csam.bce(f.acting_as, what="--as")
    raise UsageProblem(_("Which organisation? Use --org BCE."))


def _level(text: str) -> str:
    """A role level (consult, act or manage), or exit 5 naming them."""
    if text not in LEVELS:
        message = _("Unknown level {value!r} (one of: {allowed}).")
        raise RejectedInput(message.format(value=text, allowed=", ".join(LEVELS)))
    return text


def _columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("nrn", _("NRN")),
        Column("name", _("NAME")),
        Column("domain", _("DOMAIN")),
        Column("level", _("LEVEL")),
        Column("valid_until", _("UNTIL")),
        Column("on_mandates", _("ON MANDATES")),
        Column("beneficiary", _("BENEFICIARY")),
    ]


@app.command("list")
def list_(
    org: OPTIONAL_ORG = None,
    person: Annotated[
        str | None, typer.Option("--person", help=_("Only this person (NRN)."), metavar="NRN")
    ] = None,
) -> None:
    """List the organisation's roles (by person, then domain)."""
    f = current()
    bce = _org(f, org)
    who = csam.nrn(person) if person else None
    with f.client() as client, csam.rights():
        roles = client.list_roles(bce, person=who)
    from monespace_cli.client._models import Role  # the models cost ~10 ms: not on --help

    f.printer.list(roles, _columns(), empty=_("No role."), fields=fields_of(Role))


@app.command("grant")
def grant(
    nrn: csam.NRN_ARG,
    domain: DOMAIN,
    level: Annotated[
        str, typer.Option("--level", help=_("consult, act or manage."), metavar="LEVEL")
    ],
    org: OPTIONAL_ORG = None,
    until: Annotated[
        str | None, typer.Option("--until", help=_("Last day of the role."), metavar="DATE")
    ] = None,
    on_mandates: Annotated[
        bool, typer.Option("--on-mandates", help=_("The role is for work under mandates."))
    ] = False,
    beneficiary: Annotated[
        str | None,
        typer.Option(
            "--beneficiary", help=_("Only for this beneficiary (BCE number)."), metavar="BCE"
        ),
    ] = None,
) -> None:
    """Give a person a role in a domain."""
    f = current()
    checked_level = _level(level)
    body: dict[str, Any] = {
        "nrn": csam.nrn(nrn),
        "domain": csam.domain(domain),
        "level": checked_level,
        "valid_until": csam.day(until, what="--until"),
        "on_mandates": on_mandates,
    }
    if beneficiary:
        body["beneficiary"] = csam.bce(beneficiary, what="--beneficiary")
    bce = _org(f, org)
    from monespace_cli.client import Conflict  # the client's errors load httpx: not on --help

    with f.client() as client, csam.rights():
        try:
            role = client.grant_role(bce, body)
        except Conflict:
            message = _("{nrn} already has a role in the domain {domain} in {bce}.")
            hint = _("Change it with: monespace roles change {nrn} --org {bce} --domain {domain}")
            args = {"nrn": body["nrn"], "domain": body["domain"], "bce": bce}
            raise RejectedInput(
                message.format(**args),
                hint=hint.format(**args) + " --level LEVEL / --until DATE",
            ) from None
    if f.printer.human:
        message = _("{name} ({nrn}) may now {level} in {domain} for {bce} (role {id}).")
        f.io.success(message.format(bce=bce, **{k: role.get(k, "") for k in _FIELDS}))
    else:
        f.printer.object(role)


_FIELDS = ("name", "nrn", "level", "domain", "id")


@app.command("change")
def change(
    nrn: csam.OPTIONAL_NRN_ARG = None,
    org: OPTIONAL_ORG = None,
    domain: OPTIONAL_DOMAIN = None,
    role_id: ROLE_ID = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help=_("New level: consult, act or manage."), metavar="LEVEL"),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help=_("New last day of the role."), metavar="DATE")
    ] = None,
    no_end: Annotated[
        bool, typer.Option("--no-end", help=_("Remove the role's end date."))
    ] = False,
) -> None:
    """Change a role's level or end date: by NRN and --domain, or by --id."""
    f = current()
    changes: dict[str, Any] = {}
    if level is not None:
        changes["level"] = _level(level)
    if until is not None and no_end:
        raise UsageProblem(_("Give --until or --no-end, not both."))
    if until is not None:
        changes["valid_until"] = csam.day(until, what="--until")
    if no_end:
        changes["valid_until"] = None
    if not changes:
        raise UsageProblem(_("Nothing to change: give --level, --until or --no-end."))
    bce = _org(f, org)
    with f.client() as client, csam.rights():
        role = _find_role(client, bce, nrn, domain, role_id)
        changed = client.change_role(bce, str(role["id"]), changes)
    if f.printer.human:
        until_text = changed.get("valid_until") or _("no end date")
        message = _("Role {id}: {nrn} may now {level} in {domain} for {bce}, until {until}.")
        f.io.success(
            message.format(
                id=changed.get("id", role["id"]),
                nrn=changed.get("nrn", role["nrn"]),
                level=changed.get("level", ""),
                domain=changed.get("domain", role["domain"]),
                bce=bce,
                until=until_text,
            )
        )
    else:
        f.printer.object(changed)


@app.command("revoke")
def revoke(
    nrn: csam.OPTIONAL_NRN_ARG = None,
    org: OPTIONAL_ORG = None,
    domain: OPTIONAL_DOMAIN = None,
    role_id: ROLE_ID = None,
) -> None:
    """Take a role away: by NRN and --domain, or by --id."""
    f = current()
    bce = _org(f, org)
    with f.client() as client, csam.rights():
        role = _find_role(client, bce, nrn, domain, role_id)
        client.revoke_role(bce, str(role["id"]))
    message = _("Role {id} revoked: {nrn} no longer has {domain} in {bce}.")
    f.io.success(message.format(id=role["id"], nrn=role["nrn"], domain=role["domain"], bce=bce))


def _find_role(
    client: PortalClient, bce: str, nrn: str | None, domain: str | None, role_id: str | None
) -> dict[str, Any]:
    """The role meant by ``--id`` or by NRN + ``--domain`` (exit 4 when there is none)."""
    if role_id is None and (nrn is None or domain is None):
        raise UsageProblem(_("Name the role: NRN and --domain, or --id."))
    person = csam.nrn(nrn) if nrn else None
    roles = [dict(r) for r in client.list_roles(bce, person=person)]
    if role_id is not None:
        found = [r for r in roles if str(r["id"]) == role_id]
    else:
        found = [r for r in roles if r["domain"] == domain]
    if not found:
        raise NotFoundProblem(_("No such role in {bce}.").format(bce=bce))
    if len(found) > 1:
        raise UsageProblem(_("Several roles match (one per beneficiary): use --id."))
    return found[0]


@app.command("history")
def history(
    org: OPTIONAL_ORG = None,
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many entries."), min=1)
    ] = 50,
) -> None:
    """The audit trail of role, GAP and mandate changes, newest first."""
    f = current()
    bce = _org(f, org)
    with f.client() as client, csam.rights():
        entries = list(itertools.islice(client.iter_audit(bce), limit))
    columns = [
        Column("at", _("AT")),
        Column("actor.name", _("BY")),
        Column("action", _("ACTION")),
        Column("target", _("TARGET")),
        Column("old", _("OLD")),
        Column("new", _("NEW")),
    ]
    from monespace_cli.client._models import AuditEntry  # the models cost ~10 ms: not on --help

    f.printer.list(entries, columns, empty=_("No change recorded."), fields=fields_of(AuditEntry))


# -- export / plan / apply ------------------------------------------------------


@app.command("export")
def export(org: OPTIONAL_ORG = None) -> None:
    """Write the organisation's roles as a YAML roles file on stdout."""
    f = current()
    bce = _org(f, org)
    with f.client() as client, csam.rights():
        name = str(client.get_organisation(bce).get("name") or bce)
        roles = client.list_roles(bce)
    f.io.stdout.write(roles_file.dump(bce, name, roles))


def _load(path: Path) -> RolesFile:
    """The checked roles file, or exit 5 listing every problem as ``FILE:LINE: …``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise UsageProblem(
            _("Cannot read {path}: {detail}").format(path=path, detail=detail)
        ) from None
    try:
        return roles_file.load(text)
    except roles_file.RolesFileError as exc:
        details = [f"{path}:{p.line}: {p.message}" for p in exc.problems]
        message = plural(
            len(details),
            N_("{path} has {n} problem; nothing was sent."),
            N_("{path} has {n} problems; nothing was sent."),
        )
        raise RejectedInput(message.format(path=path, n=len(details)), details=details) from None


def _plan(client: PortalClient, path: Path) -> tuple[RolesFile, list[Step], dict[str, str]]:
    """The file, the steps to reach it, and the names of the people already known."""
    wanted = _load(path)
    current_roles = [dict(r) for r in client.list_roles(wanted.organisation)]
    names = {str(r["nrn"]): str(r.get("name") or "") for r in current_roles}
    steps = roles_plan.diff(wanted.assignments, current_roles)
    if steps:
        _send(client, wanted.organisation, path, steps, dry_run=True)
    return wanted, steps, names


def _send(
    client: PortalClient, bce: str, path: Path, steps: list[Step], *, dry_run: bool
) -> dict[str, Any]:
    """``roles:apply``; a 422 comes back as exit 5 with the file lines of the bad changes."""
    from monespace_cli.client import ValidationFailed  # loads httpx: not on --help

    try:
        return client.apply_roles(bce, roles_plan.change_set(steps), dry_run=dry_run)
    except ValidationFailed as exc:
        details = [_error_line(path, steps, err) for err in exc.errors]
        message = _("The portal refused the change set; nothing was changed.")
        raise RejectedInput(message, details=details or [str(exc)]) from None


def _error_line(path: Path, steps: list[Step], err: dict[str, str]) -> str:
    """``FILE:LINE: message`` for an error at ``/changes/<i>/…`` (the pointer when no line)."""
    pointer = err.get("pointer") or ""
    parts = pointer.split("/")
    if len(parts) > 2 and parts[1] == "changes" and parts[2].isdigit():
        index = int(parts[2])
        if index < len(steps) and steps[index].line:
            return f"{path}:{steps[index].line}: {err.get('message', '')}"
    return f"{pointer or '/'}: {err.get('message', '')}"


def _show(f: Factory, wanted: RolesFile, steps: list[Step], names: dict[str, str]) -> None:
    """The plan on stdout: terraform-like lines for people, the change set as JSON otherwise."""
    if not f.printer.human:
        body = {"organisation": wanted.organisation, "changes": roles_plan.change_set(steps)}
        f.printer.object(body)
        return
    if not steps:
        f.printer.text(_("No changes: the portal matches the file."))
        return
    for line in roles_plan.render(steps, names, f.printer.style):
        f.printer.text(line)
    f.printer.text("")
    f.printer.text(roles_plan.summary(steps))


@app.command("plan")
def plan(
    file: FILE,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help=_("Exit 0 when no change, 2 when changes, 1 on error.")
        ),
    ] = False,
) -> None:
    """Show what apply would change: + grant, ~ change, - revoke."""
    f = current()
    try:
        with f.client() as client, csam.rights():
            wanted, steps, names = _plan(client, file)
    except Exception as exc:
        if not detailed_exitcode:
            raise
        problem = explain(exc) or CliError(str(exc))
        problem.exit_code = ExitCode.FAILURE
        raise problem from None
    _show(f, wanted, steps, names)
    if detailed_exitcode and steps:
        raise typer.Exit(2)


@app.command("apply")
def apply(file: FILE) -> None:
    """Apply the roles file as one atomic change set, after confirmation (--yes)."""
    f = current()
    with f.client() as client, csam.rights():
        wanted, steps, names = _plan(client, file)
        _show(f, wanted, steps, names)
        if not steps:
            return
        if not f.confirm(_("Apply these changes to {bce}?").format(bce=wanted.organisation)):
            raise CliError(_("Nothing applied."))
        result = _send(client, wanted.organisation, file, steps, dry_run=False)
    if not result.get("applied"):
        raise CliError(_("The portal did not apply the change set; nothing was changed."))
    message = plural(
        len(steps), N_("Applied {n} change to {bce}."), N_("Applied {n} changes to {bce}.")
    )
    f.io.success(message.format(n=len(steps), bce=wanted.organisation))
