"""``monespace auth login|status|logout|token``: the eID session.

``auth login --device`` logs in without a card reader: the person approves
on another device (RFC 8628, :mod:`monespace_cli.device_login`).

Login is the challenge–response of docs/api.md: the portal's challenge (its
``origin`` must be the profile's portal — the card never signs for another
site), the authentication certificate and CA chain from the card, the PIN
(hidden prompt, the reader's keypad, or ``--pin-stdin`` for scripts),
``login_signature`` over :func:`eid.login.login_message`, then
``POST /auth/sessions``. The PIN goes to the card only: it is never printed,
logged, stored or sent to the portal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import Factory, current
from monespace_cli.errors import AuthProblem, UsageProblem
from monespace_cli.i18n import _
from monespace_cli.login import person_label
from monespace_cli.output import Column
from monespace_cli.status_text import acting_label

if TYPE_CHECKING:
    from monespace_cli.client import Session

app = noun_app(_("Log in with your eID card, see or end the session."))


def _reader_has_pinpad(reader: str | None) -> bool:
    """Whether the reader that will be used has a PIN keypad."""
    import eid

    for info in eid.list_readers():
        if (reader is None and info.card_present) or info.name == reader:
            return bool(info.pinpad)
    return False


def _verify_pin(f: Factory, card: Any, *, reader: str | None, pin_stdin: bool, force: bool) -> None:
    """Verify the PIN on the card: keypad, stdin or hidden prompt — never kept.

    With one try left the card library refuses unless forced: on a terminal
    the user is asked; a script must pass ``--force-last-try``.
    """
    from eid.errors import LastTryRefused

    if not pin_stdin and _reader_has_pinpad(reader):
        f.io.info(_("Enter your PIN on the reader's keypad."))
        try:
            card.verify_pin_pinpad(force_last_try=force)
        except LastTryRefused:
            if force or not _confirm_last_try(f):
                raise
            card.verify_pin_pinpad(force_last_try=True)
        return
    if pin_stdin:
        pin = f.io.stdin.readline().strip()
        if not pin:
            raise UsageProblem(_("--pin-stdin was given but stdin had no PIN."))
    else:
        pin = f.secret(_("eID PIN"), flag="--pin-stdin")
    try:
        try:
            card.verify_pin(pin, force_last_try=force)
        except LastTryRefused:
            if force or not _confirm_last_try(f):
                raise
            card.verify_pin(pin, force_last_try=True)
    finally:
        del pin


def _confirm_last_try(f: Factory) -> bool:
    """Ask before the last PIN try (never without a terminal)."""
    if not f.io.can_prompt():
        return False
    return f.confirm(_("Only one PIN try is left; a wrong PIN blocks the card. Try anyway?"))


def _sign_in(f: Factory, reader: str | None, pin_stdin: bool, force: bool) -> Session:
    """Run the whole login (:func:`monespace_cli.login.sign_in`); the session answer."""
    import eid
    from monespace_cli.login import sign_in

    def verify(card: Any) -> None:
        _verify_pin(f, card, reader=reader, pin_stdin=pin_stdin, force=force)

    with f.client(auth="none") as client:
        return sign_in(client, f.portal_url, lambda: eid.open_card(reader), verify)


@app.command("login")
def login(
    reader: Annotated[
        str | None,
        typer.Option(
            "--reader", help=_("Card reader to use (see monespace eid readers)."), metavar="NAME"
        ),
    ] = None,
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help=_("Read the PIN from standard input (scripts)."))
    ] = False,
    force_last_try: Annotated[
        bool,
        typer.Option("--force-last-try", help=_("Try the PIN even when one try is left.")),
    ] = False,
    device: Annotated[
        bool,
        typer.Option(
            "--device",
            help=_("Log in without a card reader: approve on another device (phone, computer)."),
        ),
    ] = False,
) -> None:
    """Log in with your eID card and its PIN; the token is kept for the next commands."""
    f = current()
    if device and (reader or pin_stdin or force_last_try):
        raise UsageProblem(
            _("--device cannot be used with --reader, --pin-stdin or --force-last-try."),
            hint=_("A login on another device uses no card here."),
        )
    session = _device_login(f) if device else _sign_in(f, reader, pin_stdin, force_last_try)
    stored = f.tokens.save(f.profile.name, f.portal_url, str(session["token"]))
    if stored.source == "keyring" and f.environ.get("MONESPACE_TOKEN"):
        f.io.warn(_("warning: MONESPACE_TOKEN is set and takes precedence over the new token."))
    result = {
        "portal": f.portal_url,
        "person": session.get("person"),
        "expires_at": session.get("expires_at"),
        "token_stored_in": stored.source,
    }
    if f.printer.human:
        f.io.success(
            _("Logged in to {portal} as {who}, until {until}.").format(
                portal=f.portal_url,
                who=person_label(session.get("person")),
                until=session.get("expires_at"),
            )
        )
    else:
        f.printer.object(result)


def _device_login(f: Factory) -> Session:
    """RFC 8628: show the code, the address and its QR code, then wait for the approval.

    Nothing is stored before the session comes: Ctrl-C (exit 130), a refusal
    or an expiry (exit 3) leave the previous token as it was.
    """
    from monespace_cli.device_login import DeviceLoginEnded, wait_for_session
    from monespace_cli.qr import qr_text

    with f.client(auth="none") as client:
        started = client.start_device_login()
        f.io.info(
            _("To log in, open {address} on another device and enter the code {code}").format(
                address=started["verification_uri"], code=started["user_code"]
            )
        )
        f.io.info(_("or scan this QR code:"))
        f.io.info(qr_text(started["verification_uri_complete"]))
        minutes = max(1, round(int(started["expires_in"]) / 60))
        f.io.info(
            _("Waiting for the approval (the code is valid {n} min; Ctrl-C to stop)…").format(
                n=minutes
            )
        )

        def slower(interval: int) -> None:
            f.io.info(_("The portal asks to wait longer: every {n} s.").format(n=interval))

        try:
            return wait_for_session(client, started, on_slow_down=slower)
        except DeviceLoginEnded as ended:
            raise _device_ended(ended.reason) from None


def _device_ended(reason: str) -> AuthProblem:
    """The sentence of a login that will not happen (exit 3)."""
    if reason == "access_denied":
        return AuthProblem(
            _("The login was refused on the other device."),
            hint=_("Start again with: monespace auth login --device"),
        )
    return AuthProblem(
        _("The code has expired before the login was approved."),
        hint=_("Start again with: monespace auth login --device"),
    )


def _login_method(method: Any) -> str:
    """How the session was opened, in words."""
    if method == "device":
        return _("another device")
    if method == "eid":
        return _("the eID card")
    return str(method or "")


def _where(source: str, location: str) -> str:
    if source == "env":
        return _("the MONESPACE_TOKEN environment variable")
    if source == "keyring":
        return _("the system keyring ({backend})").format(backend=location)
    return _("the file {path} (plain text, readable only by you)").format(path=location)


@app.command("status")
def status() -> None:
    """Who is logged in, until when, and where the token is stored."""
    f = current()
    stored = f.stored_token()
    if stored is None:
        raise AuthProblem(
            _("You are not logged in to {portal}.").format(portal=f.portal_url),
            hint=_("Log in with: monespace auth login"),
        )
    with f.client() as client:
        me = client.me()
    result = {
        "portal": f.portal_url,
        "profile": f.profile.name,
        "person": me.get("person"),
        "session_expires_at": me.get("session_expires_at"),
        "session_method": me.get("session_method"),
        "acting_as": f.acting_as,
        "token_source": stored.source,
        "token_location": stored.location,
    }
    if f.printer.human:
        f.printer.object(
            {**result, "token": _where(stored.source, stored.location)},
            [
                Column("portal", _("Portal")),
                Column("profile", _("Profile")),
                Column("person", _("Logged in as"), person_label),
                Column("session_expires_at", _("Until")),
                Column("session_method", _("Logged in with"), _login_method),
                Column("acting_as", _("Acting as"), acting_label),
                Column("token", _("Token stored in")),
            ],
        )
    else:
        f.printer.object(result)


@app.command("logout")
def logout() -> None:
    """End the session on the portal and forget the token here."""
    from monespace_cli.client import AuthenticationRequired, PortalError

    f = current()
    stored = f.stored_token()
    if stored is None:
        f.io.info(_("You are not logged in to {portal}.").format(portal=f.portal_url))
        return
    failure: PortalError | None = None
    try:
        with f.client() as client:
            client.logout()
    except AuthenticationRequired:
        pass  # already expired or revoked: nothing left to revoke
    except PortalError as exc:
        failure = exc
    removed = f.tokens.delete(f.profile.name, f.portal_url)
    if stored.source == "env":
        f.io.warn(_("The token comes from MONESPACE_TOKEN: unset it in your environment."))
    if failure is not None:
        if removed:
            f.io.warn(_("The token was deleted here, but the portal could not revoke it."))
        raise failure
    f.io.success(_("Logged out of {portal}.").format(portal=f.portal_url))


# -- tokens: the session token, and personal access tokens for scripts ------------

token_app = noun_app(
    _("Print the session token, or manage personal access tokens for scripts."),
    no_args_is_help=False,
    invoke_without_command=True,
)
app.add_typer(token_app, name="token")

#: The scopes a personal access token may carry (portal/auth/scopes.py).
SCOPES = (
    "dossiers:read",
    "dossiers:write",
    "roles:read",
    "roles:write",
    "mandates:write",
    "agent:read",
    "agent:write",
)
#: The portal's limit on a token's life.
MAX_TOKEN_DAYS = 365
_UNITS = {"d": 1, "w": 7, "y": 365}


@token_app.callback()
def token(ctx: typer.Context) -> None:
    """Without a verb: print the session token (as before; same as 'auth token show')."""
    if ctx.invoked_subcommand is None:
        _print_session_token()


@token_app.command("show")
def token_show() -> None:
    """Print the session token (for scripts: keep it secret)."""
    _print_session_token()


def _print_session_token() -> None:
    f = current()
    value = f.token()
    if f.io.stdout_tty:
        f.io.warn(_("warning: this token gives access to your account; do not share it."))
    f.printer.text(value)


def expiry_days(text: str) -> int:
    """``90d``, ``12w``, ``1y`` or ``90`` → days; exit 2 beyond one year or unreadable."""
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:], None)
    number = value[:-1] if unit is not None else value
    if not number.isdigit() or int(number) == 0:
        raise UsageProblem(
            _("--expires: {value!r} is not a duration such as 90d, 12w or 1y.").format(value=text)
        )
    days = int(number) * (unit or 1)
    if days > MAX_TOKEN_DAYS:
        raise UsageProblem(
            _("--expires: {value} is over one year; a token may live 365 days at most.").format(
                value=text
            ),
            hint=_("Create a new token before this one expires."),
        )
    return days


def _scopes(values: list[str]) -> list[str]:
    """The scopes given (repeated or comma-separated), each known; exit 2 otherwise."""
    found = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [scope for scope in found if scope not in SCOPES]
    if unknown or not found:
        raise UsageProblem(
            _("--scope: {value} is not a scope.").format(value=", ".join(unknown) or "''"),
            hint=_("Scopes: {scopes}").format(scopes=", ".join(SCOPES)),
        )
    return found


@token_app.command("create")
def token_create(
    name: Annotated[
        str,
        typer.Option("--name", help=_("What the token is for (shown in lists)."), metavar="NAME"),
    ],
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            help=_("What the token may do; repeat it (dossiers:read, roles:read, …)."),
            metavar="SCOPE",
        ),
    ],
    expires: Annotated[
        str,
        typer.Option(
            "--expires", help=_("How long it lives: 90d, 12w, 1y (at most)."), metavar="TIME"
        ),
    ] = "90d",
) -> None:
    """Create a personal access token acting as --as (shown once; needs a card login)."""
    f = current()
    days = expiry_days(expires)
    scopes = _scopes(scope)
    with f.client() as client:
        made = client.create_token(
            name=name, scopes=scopes, acting_as=f.acting_as, expires_in_days=days
        )
    if not f.printer.human:
        f.printer.object(made)
        return
    f.io.success(
        _("Created token {id} ({name}) acting as {context}, until {until}.").format(
            id=made.get("id"),
            name=name,
            context=made.get("acting_as"),
            until=made.get("expires_at"),
        )
    )
    f.io.warn(_("Copy it now: it is shown only once. Scripts pass it in MONESPACE_TOKEN."))
    f.printer.text(str(made["token"]))


def _state(token: dict[str, Any]) -> str:
    if token.get("revoked_at"):
        return _("revoked")
    import datetime as dt

    until = dt.datetime.fromisoformat(str(token.get("expires_at")))
    return _("expired") if until <= dt.datetime.now(dt.UTC) else _("active")


ORG = Annotated[
    str | None,
    typer.Option(
        "--org",
        help=_("The organisation whose tokens to see (GAPs and legal representatives)."),
        metavar="BCE",
    ),
]


@token_app.command("list")
def token_list(org: ORG = None) -> None:
    """Your personal access tokens, or (--org) those acting for an organisation."""
    from monespace_cli.commands._shared import csam

    f = current()
    organisation = csam.bce(org) if org is not None else None
    with f.client() as client:
        tokens = client.list_tokens(organisation=organisation)
    rows = [{**t, "state": _state(t)} for t in tokens]
    columns = [
        Column("id", _("ID")),
        Column("name", _("Name")),
        Column("state", _("State")),
        Column("scopes", _("Scopes")),
        Column("acting_as", _("Acting as")),
        Column("expires_at", _("Expires")),
        Column("last_used_at", _("Last used")),
        Column("last_used_from", _("From")),
    ]
    if organisation is not None:
        columns.insert(2, Column("person", _("Person")))
    f.printer.list(rows, columns, empty=_("No access token."))


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help=_("The token's ID (see: auth token list)."))],
    org: ORG = None,
) -> None:
    """Revoke a personal access token at once (yours, or with --org one acting for it)."""
    from monespace_cli.commands._shared import csam

    f = current()
    organisation = csam.bce(org) if org is not None else None
    with f.client() as client:
        client.revoke_token(token_id, organisation=organisation)
    f.io.success(_("Revoked token {id}.").format(id=token_id))
