"""``monespace eid …``: the card and reader, without the portal.

``readers``, ``info``, ``read``, ``certs``, ``pin status|verify|change``,
``doctor`` (support's one command) and ``virtual`` (a sandbox card in the
vpcd reader). Thin: each verb calls :mod:`eid` and renders with the shared
printer; ``eid`` errors propagate to :mod:`monespace_cli.errors` (exit 6 for
card and reader problems). ``eid`` and pyscard are imported inside the
functions so ``monespace eid --help`` stays light.

The PIN is asked hidden, read from stdin only with ``--pin-stdin`` (never a
prompt when stdin is not a terminal), and goes to the card only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import Factory, current
from monespace_cli.errors import CardProblem, ExitCode, UsageProblem
from monespace_cli.i18n import N_, _, plural
from monespace_cli.output import Column

if TYPE_CHECKING:
    from cryptography import x509

    from eid.card import EidCard

app = noun_app(_("Your eID card and reader: read, check, diagnose."))
pin_app = noun_app(_("PIN: tries left, verify, change."))
app.add_typer(pin_app, name="pin")

ReaderOption = Annotated[
    str | None,
    typer.Option(
        "--reader", help=_("Card reader to use (see: monespace eid readers)."), metavar="NAME"
    ),
]
PinStdinOption = Annotated[
    bool, typer.Option("--pin-stdin", help=_("Read the PIN(s) from standard input (scripts)."))
]
ForceOption = Annotated[
    bool, typer.Option("--force-last-try", help=_("Present the PIN even when one try is left."))
]


def _open(reader: str | None) -> EidCard:
    import eid

    return eid.open_card(reader)


# -- readers / info ------------------------------------------------------------


@app.command("readers")
def readers() -> None:
    """List card readers, whether a card is in them, and PIN pad support."""
    import eid

    items = [r.to_dict() for r in eid.list_readers()]
    current().printer.list(
        items,
        [
            Column("name", _("Reader")),
            Column("card_present", _("Card")),
            Column("pinpad", _("PIN pad")),
            Column("atr", _("ATR")),
        ],
        empty=_("No card reader found."),
    )


def _info(card: EidCard) -> dict[str, Any]:
    identity = card.read_identity()
    data = card.card_data()
    return {
        "reader": card.reader_name,
        "atr": card.atr,
        "applet": data.applet_version,
        "chip_serial": data.serial_number.hex().upper(),
        "card_number": identity.card_number,
        "document_type": identity.document_type,
        "validity_begin": _iso(identity.validity_begin),
        "validity_end": _iso(identity.validity_end),
        "pin_tries_left": card.pin_tries_left(),
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@app.command("info")
def info(reader: ReaderOption = None) -> None:
    """ATR, applet version, card number, validity and PIN tries left."""
    with _open(reader) as card:
        data = _info(card)
    current().printer.object(
        data,
        [
            Column("reader", _("Reader")),
            Column("atr", _("ATR")),
            Column("applet", _("Applet")),
            Column("card_number", _("Card number")),
            Column("chip_serial", _("Chip serial")),
            Column("validity_begin", _("Valid from")),
            Column("validity_end", _("Valid until")),
            Column("pin_tries_left", _("PIN tries left")),
        ],
    )


# -- read ------------------------------------------------------------------------

_READ_COLUMNS = [
    ("identity.national_number", N_("National number")),
    ("identity.surname", N_("Surname")),
    ("identity.first_names", N_("Given names")),
    ("identity.third_name_initial", N_("Third name initial")),
    ("identity.birth_date", N_("Birth date")),
    ("identity.birth_place", N_("Birth place")),
    ("identity.sex", N_("Sex")),
    ("identity.nationality", N_("Nationality")),
    ("identity.noble_condition", N_("Noble condition")),
    ("address.street_and_number", N_("Street and number")),
    ("address.zip_code", N_("Postal code")),
    ("address.municipality", N_("Municipality")),
    ("identity.card_number", N_("Card number")),
    ("identity.document_type", N_("Document type")),
    ("identity.special_status", N_("Special status")),
    ("identity.special_organisation", N_("Special organisation")),
    ("identity.work_permit_mention", N_("Labour market mention")),
    ("identity.card_a_mention_1", N_("A-card mention")),
    ("identity.card_a_mention_2", N_("A-card mobility mention")),
    ("identity.brexit_mention_1", N_("Brexit mention")),
    ("identity.brexit_mention_2", N_("Brexit mention (permanent stay)")),
    ("identity.validity_begin", N_("Valid from")),
    ("identity.validity_end", N_("Valid until")),
    ("identity.issuing_municipality", N_("Issued by")),
    ("integrity", N_("Data verifies")),
]


def _integrity_text(report: dict[str, Any]) -> str:
    if report["ok"]:
        return _("yes (register signatures and photo hash verify)")
    problems = "; ".join(_(problem) for problem in report["problems"])
    return _("NO: {problems}").format(problems=problems)


@app.command("read")
def read(
    reader: ReaderOption = None,
    photo: Annotated[
        Path | None,
        typer.Option(
            "--photo", help=_("Save the photo (JPEG) to FILE."), metavar="FILE", dir_okay=False
        ),
    ] = None,
) -> None:
    """Identity and address from the card, with the integrity check."""
    with _open(reader) as card:
        data = {
            "identity": card.read_identity().to_dict(),
            "address": card.read_address().to_dict(),
            "integrity": card.verify_integrity().to_dict(),
        }
        jpeg = card.read_photo() if photo else b""
    f = current()
    if photo:
        _write_private(photo, jpeg)
        f.io.info(_("Photo saved to {path}.").format(path=photo))
    f.printer.object(data, _read_columns(data["identity"]))
    if not data["integrity"]["ok"]:
        raise CardProblem(_("The card's data does not verify: do not trust it."))


#: Optional fields shown only when the card carries them.
_OPTIONAL = {
    "identity.noble_condition",
    "identity.special_organisation",
    "identity.work_permit_mention",
    "identity.card_a_mention_1",
    "identity.card_a_mention_2",
    "identity.brexit_mention_1",
    "identity.brexit_mention_2",
}


def _read_columns(identity: dict[str, Any]) -> list[Column]:
    """The columns of ``eid read``: empty optional fields left out; a partial
    birth date ("00 JAN 1950") shown as the card writes it."""
    formats = _read_formats()
    columns = []
    for key, label in _READ_COLUMNS:
        field = key.removeprefix("identity.")
        if key in _OPTIONAL and not identity.get(field):
            continue
        if key == "identity.birth_date" and identity.get("birth_date") is None:
            key = "identity.birth_date_text"
        columns.append(Column(key, _(label), format=formats.get(key)))
    return columns


def _coded(label_of: Any) -> Any:
    """A formatter: ``code (translated label)``; unknown codes said to be unknown."""
    from eid.documents import UnknownCode

    def render(code: Any) -> str:
        text = str(code or "")
        if not text:
            return ""
        try:
            return f"{text} ({_(label_of(text))})"
        except UnknownCode:
            return _("{code} (unknown code: not in the eID specifications)").format(code=text)

    return render


def _read_formats() -> dict[str, Any]:
    from eid import documents

    mention = _coded(documents.mention_label)
    return {
        "integrity": _integrity_text,
        "identity.document_type": _coded(documents.document_type_label),
        "identity.special_status": _coded(documents.special_status_label),
        "identity.special_organisation": _coded(documents.special_organisation_label),
        "identity.work_permit_mention": mention,
        "identity.card_a_mention_1": mention,
        "identity.card_a_mention_2": mention,
        "identity.brexit_mention_1": mention,
        "identity.brexit_mention_2": mention,
    }


def _write_private(path: Path, content: bytes) -> None:
    """Write personal data readable by the owner only."""
    try:
        path.touch(mode=0o600, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise UsageProblem(_("Cannot write {path}: {error}").format(path=path, error=exc)) from None


# -- certs -------------------------------------------------------------------------


def _name(name: x509.Name) -> str:
    """RFC 4514 text with the Belgian eID attributes named, not as OIDs."""
    from cryptography.x509.oid import NameOID

    return name.rfc4514_string(
        {NameOID.SERIAL_NUMBER: "serialNumber", NameOID.GIVEN_NAME: "GN", NameOID.SURNAME: "SN"}
    )


def _day(value: Any) -> str:
    return str(value)[:10] if value else ""


def _cert_row(role: str, cert: x509.Certificate) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        "role": role,
        "subject": _name(cert.subject),
        "issuer": _name(cert.issuer),
        "serial": format(cert.serial_number, "X"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "days_left": (cert.not_valid_after_utc - now).days,
        "expired": cert.not_valid_after_utc < now,
    }


@app.command("certs")
def certs(
    reader: ReaderOption = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help=_("Save every certificate (PEM) in DIR."),
            metavar="DIR",
            file_okay=False,
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help=_("Do not ask the OCSP responder for the status.")),
    ] = False,
) -> None:
    """Certificates on the card: subject, issuer, validity, days to expiry, and
    revocation status (good, revoked, unknown) from the OCSP responder."""
    from eid.documents import missing_certificates

    with _open(reader) as card:
        certificates = card.read_certificates()
        notes = missing_certificates(card.read_identity(), certificates)
    found = [(role, c) for role, c in certificates.items() if c is not None]
    if export:
        _export(export, found)
    f = current()
    for note in notes:
        f.io.info(_(note))
    rows = [_cert_row(role, c) for role, c in found]
    if not offline:
        _add_statuses(f, rows, certificates)
    f.printer.list(
        rows,
        [
            Column("role", _("Role")),
            Column("subject", _("Subject")),
            Column("issuer", _("Issuer")),
            Column("not_after", _("Valid until"), format=_day),
            Column("days_left", _("Days left")),
            Column("status", _("Status"), format=_status_text),
        ],
        empty=_("The card holds no certificate."),
    )


#: Status words as shown (the JSON keeps good / revoked / unknown).
_STATUS_WORDS = {"good": N_("good"), "revoked": N_("REVOKED"), "unknown": N_("unknown")}


def _status_text(value: Any) -> str:
    return _(_STATUS_WORDS[value]) if value in _STATUS_WORDS else ""


def _add_statuses(f: Factory, rows: list[dict[str, Any]], certificates: Any) -> None:
    """Ask OCSP about the personal certificates, as the eID Viewer does."""
    from eid.pki.status import StatusUnavailable, check_ocsp

    for row in rows:
        cert = getattr(certificates, row["role"])
        if row["role"] not in ("authentication", "signature") or certificates.ca is None:
            row["status"] = None
            continue
        try:
            answer = check_ocsp(cert, certificates.ca)
        except StatusUnavailable as exc:
            row["status"] = "unknown"
            f.io.warn(
                _("No revocation status for the {role} certificate: {reason}").format(
                    role=_(row["role"]), reason=exc
                )
            )
            continue
        row["status"] = answer.status
        if answer.revoked:
            f.io.warn(
                _("The {role} certificate is revoked: it can no longer be used.").format(
                    role=_(row["role"])
                )
            )


def _export(directory: Path, found: list[tuple[str, x509.Certificate]]) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        directory.mkdir(parents=True, exist_ok=True)
        for role, cert in found:
            (directory / f"{role}.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    except OSError as exc:
        message = _("Cannot write in {dir}: {error}").format(dir=directory, error=exc)
        raise UsageProblem(message) from None
    message = plural(
        len(found), N_("{n} certificate saved in {dir}."), N_("{n} certificates saved in {dir}.")
    )
    current().io.info(message.format(n=len(found), dir=directory))


# -- pin ---------------------------------------------------------------------------


def _read_pin(f: Factory, question: str, pin_stdin: bool) -> str:
    """One PIN: a line of stdin with --pin-stdin, else a hidden prompt."""
    if pin_stdin:
        line = f.io.stdin.readline().strip()
        if not line:
            raise UsageProblem(_("--pin-stdin was given but stdin had no PIN."))
        return line
    return f.secret(question, flag="--pin-stdin")


@pin_app.command("status")
def pin_status(reader: ReaderOption = None) -> None:
    """PIN tries left (no try is used)."""
    with _open(reader) as card:
        tries = card.pin_tries_left()
    current().printer.object(
        {"pin_tries_left": tries, "blocked": tries == 0},
        [Column("pin_tries_left", _("PIN tries left")), Column("blocked", _("Blocked"))],
    )


@pin_app.command("verify")
def pin_verify(
    reader: ReaderOption = None,
    pin_stdin: PinStdinOption = False,
    force_last_try: ForceOption = False,
) -> None:
    """Check the PIN on the card (on the reader's keypad when it has one)."""
    f = current()
    with _open(reader) as card:
        if not pin_stdin and _has_pinpad(card):
            f.io.info(_("Enter your PIN on the reader's keypad."))
            card.verify_pin_pinpad(force_last_try=force_last_try)
        else:
            card.verify_pin(_read_pin(f, _("eID PIN"), pin_stdin), force_last_try=force_last_try)
    f.io.success(_("PIN correct."))


def _has_pinpad(card: EidCard) -> bool:
    return card.has_pinpad()


@pin_app.command("change")
def pin_change(
    reader: ReaderOption = None,
    pin_stdin: PinStdinOption = False,
    force_last_try: ForceOption = False,
) -> None:
    """Change the PIN (on the reader's keypad when it can; with --pin-stdin: old PIN
    on the first line, new on the second)."""
    f = current()
    if not pin_stdin:
        with _open(reader) as card:
            if card.has_pinpad(modify=True):
                f.io.info(_("On the reader's keypad: your current PIN, then the new PIN twice."))
                card.change_pin_pinpad(force_last_try=force_last_try)
                f.io.success(_("PIN changed."))
                return
    old, new = _new_pin(f, pin_stdin)
    with _open(reader) as card:
        card.change_pin(old, new, force_last_try=force_last_try)
    f.io.success(_("PIN changed."))


def _new_pin(f: Factory, pin_stdin: bool) -> tuple[str, str]:
    """The current and the new PIN, typed on the computer (the new one twice at a prompt)."""
    from eid.pin import check_pin_format

    old = _read_pin(f, _("Current PIN"), pin_stdin)
    new = _read_pin(f, _("New PIN (4 to 12 digits)"), pin_stdin)
    check_pin_format(new)
    if not pin_stdin and _read_pin(f, _("New PIN again"), False) != new:
        raise UsageProblem(_("The two new PINs differ; nothing was changed."))
    return old, new


# -- doctor ------------------------------------------------------------------------

_MARKS = {"ok": "✓", "warn": "!", "fail": "✗", "skipped": "-"}
_STYLES = {"ok": "green", "warn": "yellow", "fail": "red", "skipped": "dim"}


@app.command("doctor")
def doctor(
    reader: ReaderOption = None,
    report_file: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help=_("Also write a support report to FILE (versions, no personal data)."),
            metavar="FILE",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Check the reader, the card and the PC/SC service step by step, with fixes."""
    from eid.doctor import failed, report, run_checks

    f = current()
    checks = run_checks(reader)
    if report_file:
        _write_private(report_file, report(checks, reader).encode())
        f.io.info(_("Report written to {path}.").format(path=report_file))
    if f.printer.human:
        _print_checks(f, checks)
    else:
        f.printer.list([c.to_dict() for c in checks], ["name", "status", "detail", "fix"])
    if failed(checks):
        raise typer.Exit(int(ExitCode.CARD))


def _print_checks(f: Factory, checks: list[Any]) -> None:
    """The checks as a translated list (``eid`` keeps English templates)."""
    p = f.printer
    labels = [_(check.label) for check in checks]
    width = max((len(label) for label in labels), default=0) + 1
    for check, label in zip(checks, labels, strict=True):
        mark = p.style(_MARKS[check.status], _STYLES[check.status])
        detail, fix = check.localized(_)
        p.text(f"{mark} {label:<{width}} {detail}")
        if check.fix and check.status in ("fail", "warn"):
            p.text(f"  {'':<{width}} " + _("fix: {fix}").format(fix=fix))


# -- virtual -----------------------------------------------------------------------


@app.command("virtual")
def virtual(
    person: Annotated[
        str | None, typer.Option("--person", help=_("NRN of a sandbox person."), metavar="NRN")
    ] = None,
    applet: Annotated[str, typer.Option("--applet", help=_("Applet: 1.7 or 1.8."))] = "1.8",
    pin: Annotated[str, typer.Option("--pin", help=_("PIN of the virtual card."))] = "1234",
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help=_("Card image JSON instead of the portal."),
            metavar="FILE",
            dir_okay=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help=_("vpcd port (slot 0: 35963)."))] = 35963,
) -> None:
    """Put a sandbox virtual eID in the vpcd reader of pcscd until Ctrl-C."""
    from eid.virtual.vpcd import run_virtual_card

    if applet not in ("1.7", "1.8"):
        raise UsageProblem(_("--applet must be 1.7 or 1.8."))
    image = _load_bundle(bundle) if bundle else _fetch_image(person, applet, pin)
    current().io.info(
        _(
            "Virtual eID (applet {applet}) in the vpcd reader on port {port}; Ctrl-C to remove it."
        ).format(applet=image.applet, port=port)
    )
    run_virtual_card(image, port=port)


def _load_bundle(path: Path) -> Any:
    from eid.virtual import CardImage

    try:
        return CardImage.from_json(path.read_bytes())
    except (OSError, ValueError, KeyError) as exc:
        raise UsageProblem(
            _("Cannot load the card image {path}: {error}").format(path=path, error=exc)
        ) from None


def _fetch_image(person: str | None, applet: str, pin: str) -> Any:
    from eid.pin import check_pin_format
    from eid.virtual import CardImage

    if not person:
        raise UsageProblem(_("Give --person NRN (a sandbox person) or --bundle FILE."))
    check_pin_format(pin)
    with current().client(auth="none") as client:
        response = client.request(
            "POST", "sandbox/cards", json={"nrn": person, "applet": applet, "pin": pin}
        )
    try:
        return CardImage.from_json(response.content)
    except (ValueError, KeyError) as exc:
        raise CardProblem(
            _("The portal sent an invalid card image: {error}").format(error=exc)
        ) from None
