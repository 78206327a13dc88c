"""``eid doctor``: find out why the eID does not work, and say how to fix it.

Support staff hear "my reader doesn't work" more than anything else. The
checks run in the order a technician would follow, from the PC/SC library
down to the PIN pad; each says ok / warn / fail / skipped, what it saw, and
the exact fix. Once a check fails, the ones that depend on it are skipped
rather than failing in turn, so the first failure is the one to fix.

``report()`` adds versions for a support ticket and leaves out every piece
of personal data (names, national number, photo, certificate subjects).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from eid.card import EidCard, is_eid_atr
from eid.documents import missing_certificates
from eid.errors import N_, EidError, Gettext, Message, NoCard, PcscUnavailable, render
from eid.pcsc import connect, load_pyscard, reader_objects, release_quietly
from eid.pinpad import FEATURE_MODIFY_PIN_DIRECT, FEATURE_VERIFY_PIN_DIRECT, reader_features
from eid.pki.status import StatusUnavailable, check_ocsp

Status = Literal["ok", "warn", "fail", "skipped"]
CERT_WARN_DAYS = 30

FIX_INSTALL_PCSCD = N_("sudo apt-get install pcscd")
FIX_START_PCSCD = N_("sudo systemctl start pcscd.socket (without systemd: sudo pcscd -f -a &)")
FIX_READER = N_("Plug in the card reader (try another USB port), then run the doctor again.")
FIX_INSERT = N_("Insert the eID card in the reader, chip first and facing up.")

#: Certificate roles as they appear in details (marked for translation).
CERT_ROLES = (N_("authentication"), N_("signature"), N_("ca"), N_("root"), N_("rrn"))

#: What each check is called on screen (the ``name`` stays the stable id).
CHECK_LABELS = {
    "pcsc_library": N_("PC/SC library"),
    "pcscd": N_("PC/SC service"),
    "readers": N_("readers"),
    "card": N_("card"),
    "atr": N_("ATR"),
    "applet": N_("applet"),
    "files": N_("card files"),
    "certificates": N_("certificates"),
    "revocation": N_("revocation"),
    "pin": N_("PIN"),
    "pinpad": N_("PIN pad"),
}


@dataclass(frozen=True, slots=True)
class Check:
    """One diagnostic step.

    ``detail`` and ``fix`` are English; ``detail_message``/``fix_message``
    keep their templates so a front end can show them translated
    (``eid.errors.render``).
    """

    name: str
    status: Status
    detail: str
    fix: str = ""
    detail_message: Message | None = field(default=None, compare=False, repr=False)
    fix_message: Message | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """The English on-screen name (an ``N_`` msgid)."""
        return CHECK_LABELS.get(self.name, self.name)

    def localized(self, gettext: Gettext) -> tuple[str, str]:
        """``detail`` and ``fix`` in ``gettext``'s language (as is without templates)."""
        return _local(self.detail_message, self.detail, gettext), _local(
            self.fix_message, self.fix, gettext
        )

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _local(message: Message | None, english: str, gettext: Gettext) -> str:
    return render(message.template, message.params, gettext) if message else english


def _check(name: str, status: Status, detail: str | Message, fix: str | Message = "") -> Check:
    """A check whose texts keep their templates (a plain string is a template too)."""
    detail_message = detail if isinstance(detail, Message) else Message(detail)
    fix_message = fix if isinstance(fix, Message) else Message(fix)
    return Check(name, status, str(detail_message), str(fix_message), detail_message, fix_message)


def _failure(name: str, exc: EidError, detail: Message | None = None) -> Check:
    """A failed check that reports an eID error (its own text unless ``detail``)."""
    return _check(
        name,
        "fail",
        detail or Message(exc.template, exc.params),
        Message(exc.fix_template, exc.fix_params),
    )


@dataclass
class _State:
    """What earlier checks learned, for the later ones."""

    reader: str | None
    connection: Any = None
    readers: list[Any] = field(default_factory=list)
    card: Any = None
    atr: bytes = b""
    pyscard: Any = None


def _pcsc_library(state: _State) -> Check:
    try:
        state.pyscard = load_pyscard()
    except PcscUnavailable as exc:
        return _failure("pcsc_library", exc)
    return _check(
        "pcsc_library",
        "ok",
        Message(N_("pyscard {version} and libpcsclite loaded"), {"version": _version("pyscard")}),
    )


def _pcscd(state: _State) -> Check:
    try:
        state.readers = reader_objects()
    except PcscUnavailable:
        if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
            return _check("pcscd", "fail", N_("pcscd is not installed"), FIX_INSTALL_PCSCD)
        return _check("pcscd", "fail", N_("pcscd is installed but not running"), FIX_START_PCSCD)
    except EidError as exc:
        return _failure("pcscd", exc)
    return _check("pcscd", "ok", N_("the PC/SC service answers"))


def _readers(state: _State) -> Check:
    if not state.readers:
        return _check("readers", "fail", N_("no reader is connected"), FIX_READER)
    names = ", ".join(str(r) for r in state.readers)
    if state.reader and not any(state.reader.lower() in str(r).lower() for r in state.readers):
        return _check(
            "readers",
            "fail",
            Message(
                N_("no reader matches {reader!r} (found: {names})"),
                {"reader": state.reader, "names": names},
            ),
            N_("Pass one of the listed reader names with --reader."),
        )
    return _check(
        "readers",
        "ok",
        Message(N_("{count} reader(s): {names}"), {"count": len(state.readers), "names": names}),
    )


def _card_inserted(state: _State) -> Check:
    candidates = [
        r for r in state.readers if not state.reader or state.reader.lower() in str(r).lower()
    ]
    for reader in candidates:
        try:
            state.connection = connect(reader)
        except NoCard:
            continue
        except EidError as exc:
            detail = Message(N_("{reader}: {error}"), {"reader": str(reader), "error": exc})
            return _failure("card", exc, detail)
        state.reader = str(reader)
        state.atr = bytes(state.connection.getATR())
        return _check(
            "card", "ok", Message(N_("card present in {reader}"), {"reader": str(reader)})
        )
    return _check("card", "fail", N_("no card in the reader"), FIX_INSERT)


def _atr(state: _State) -> Check:
    atr = {"atr": state.atr.hex().upper()}
    if is_eid_atr(state.atr):
        return _check("atr", "ok", Message(N_("ATR {atr} is a Belgian eID"), atr))
    return _check(
        "atr",
        "fail",
        Message(N_("ATR {atr} is not a Belgian eID"), atr),
        N_("This card is not a Belgian eID; insert the eID card (not a bank card)."),
    )


def _applet(state: _State) -> Check:
    state.card = EidCard(state.connection, reader_name=state.reader)
    try:
        state.card.check_is_eid()
        data = state.card.card_data()
    except EidError as exc:
        return _failure("applet", exc)
    return _check(
        "applet",
        "ok",
        Message(N_("BELPIC applet {version} answers"), {"version": data.applet_version}),
    )


def _files(state: _State) -> Check:
    card = state.card
    try:
        card.read_identity()
        card.read_address()
        photo = card.read_photo()
        report = card.verify_integrity()
    except EidError as exc:
        return _failure(
            "files", exc, Message(N_("reading the card failed: {error}"), {"error": exc})
        )
    if not report.ok:
        return _check(
            "files",
            "fail",
            Message(
                N_("files read but do not verify: {problems}"), {"problems": list(report.problems)}
            ),
            N_("Do not trust this card's data; contact the commune that issued it."),
        )
    return _check(
        "files",
        "ok",
        Message(
            N_("identity, address and photo ({size} bytes) read; signatures and hashes verify"),
            {"size": len(photo)},
        ),
    )


def _missing(state: _State, certs: Any) -> list[str]:
    """Plain-words reasons for absent personal certificates (minors, Kids-ID…)."""
    try:
        identity = state.card.read_identity()
    except EidError:
        identity = None
    return missing_certificates(identity, certs)


def _certificates(state: _State) -> Check:
    try:
        certs = state.card.read_certificates()
    except EidError as exc:
        return _failure("certificates", exc)
    now = dt.datetime.now(dt.UTC)
    notes: list[Message] = [Message(note) for note in _missing(state, certs)]
    worst: Status = "warn" if certs.authentication is None else "ok"
    for role, cert in certs.items():
        if cert is None:
            continue
        days = (cert.not_valid_after_utc - now).days
        if cert.not_valid_after_utc < now:
            worst = "fail"
            day = f"{cert.not_valid_after_utc:%Y-%m-%d}"
            notes.append(Message(N_("{role} expired on {day}"), {"role": role, "day": day}))
        elif days < CERT_WARN_DAYS:
            worst = "warn" if worst == "ok" else worst
            notes.append(Message(N_("{role} expires in {days} days"), {"role": role, "days": days}))
        elif cert.not_valid_before_utc > now:
            worst = "fail"
            day = f"{cert.not_valid_before_utc:%Y-%m-%d}"
            notes.append(Message(N_("{role} not valid before {day}"), {"role": role, "day": day}))
    fix = {
        "ok": "",
        "warn": N_("Renew the card at your commune before the certificates expire."),
        "fail": N_("The card's certificates are not valid; ask your commune for a new card."),
    }[worst]
    if worst == "warn" and len(notes) == len(_missing(state, certs)):
        fix = N_(
            "Log in with another card (a parent's, for a child), or ask the commune "
            "to activate the certificates."
        )
    if not notes:
        return _check("certificates", worst, N_("all certificates valid"), fix)
    return _check("certificates", worst, Message("{notes}", {"notes": notes}), fix)


def _revocation(state: _State) -> Check:
    """Ask OCSP about the personal certificates; say so when no answer comes."""
    certs = state.card.read_certificates()
    personal = [
        (r, c)
        for r, c in (("authentication", certs.authentication), ("signature", certs.signature))
        if c is not None
    ]
    if not personal or certs.ca is None:
        return _check("revocation", "skipped", N_("no personal certificate to check"))
    revoked, unknown = [], []
    for role, cert in personal:
        try:
            answer = check_ocsp(cert, certs.ca)
        except StatusUnavailable as exc:
            unknown.append(Message(N_("{role}: {reason}"), {"role": role, "reason": str(exc)}))
            continue
        if answer.revoked:
            revoked.append(role)
        elif answer.status != "good":
            unknown.append(Message(N_("{role}: the responder does not know it"), {"role": role}))
    if revoked:
        return _check(
            "revocation",
            "fail",
            Message(N_("revoked: {roles}"), {"roles": ", ".join(revoked)}),
            N_("The card was reported lost or stolen: ask your commune for a new card."),
        )
    if unknown:
        return _check(
            "revocation",
            "warn",
            Message(N_("the revocation status could not be obtained: {notes}"), {"notes": unknown}),
            N_(
                "Check the internet connection or the proxy (HTTPS_PROXY, HTTP_PROXY); "
                "the portal checks the status itself at login."
            ),
        )
    return _check("revocation", "ok", N_("the OCSP responder says the certificates are good"))


def _pin(state: _State) -> Check:
    try:
        tries = state.card.pin_tries_left()
    except EidError as exc:
        return _failure("pin", exc)
    if tries is None:
        return _check("pin", "warn", N_("the card cannot tell the tries left without using one"))
    if tries == 0:
        return _check(
            "pin",
            "fail",
            N_("the PIN is blocked"),
            N_("Unblock the PIN at your commune with the PUK letter."),
        )
    left = Message(N_("{tries} PIN tries left"), {"tries": tries})
    if tries < 3:
        return _check(
            "pin", "warn", left, N_("A correct PIN entry resets the counter; be careful.")
        )
    return _check("pin", "ok", left)


def _pinpad(state: _State) -> Check:
    features = reader_features(state.connection)
    if FEATURE_VERIFY_PIN_DIRECT in features and FEATURE_MODIFY_PIN_DIRECT in features:
        return _check(
            "pinpad", "ok", N_("the reader has a PIN pad (PIN typed and changed on the reader)")
        )
    if FEATURE_VERIFY_PIN_DIRECT in features:
        return _check("pinpad", "ok", N_("the reader has a PIN pad (PIN typed on the reader)"))
    return _check("pinpad", "ok", N_("no PIN pad: the PIN is typed on the keyboard"))


_STEPS: list[Callable[[_State], Check]] = [
    _pcsc_library,
    _pcscd,
    _readers,
    _card_inserted,
    _atr,
    _applet,
    _files,
    _certificates,
    _revocation,
    _pin,
    _pinpad,
]
_STEP_NAMES = [
    "pcsc_library",
    "pcscd",
    "readers",
    "card",
    "atr",
    "applet",
    "files",
    "certificates",
    "revocation",
    "pin",
    "pinpad",
]
#: Checks that later ones cannot run without.
_BLOCKING = {"pcsc_library", "pcscd", "readers", "card", "atr", "applet"}
_PCSC_STEPS = {"pcsc_library", "pcscd", "readers", "card"}


def run_checks(reader: str | None = None, *, connection: Any = None) -> list[Check]:
    """Run every check in order; after a blocking failure the rest are skipped.

    ``connection``: check an already connected card (e.g. the in-process
    virtual card) instead of going through PC/SC; the PC/SC checks are then
    reported as skipped.
    """
    state = _State(reader=reader, connection=connection)
    if connection is not None:
        state.atr = bytes(connection.getATR())
    checks: list[Check] = []
    blocker: str | None = None
    try:
        for step, name in zip(_STEPS, _STEP_NAMES, strict=True):
            if blocker is not None:
                skipped = Message(N_("skipped: {check} failed"), {"check": CHECK_LABELS[blocker]})
                checks.append(_check(name, "skipped", skipped))
            elif connection is not None and name in _PCSC_STEPS:
                checks.append(
                    _check(name, "skipped", N_("skipped: card connection given directly"))
                )
            else:
                checks.append(_run_step(step, name, state))
                if checks[-1].status == "fail" and name in _BLOCKING:
                    blocker = name
    finally:
        if state.connection is not None and connection is None:
            release_quietly(state.connection)
    return checks


def _run_step(step: Callable[[_State], Check], name: str, state: _State) -> Check:
    try:
        return step(state)
    except EidError as exc:
        return _failure(name, exc)
    except Exception as exc:  # noqa: BLE001 - a doctor must report, never crash
        return _check(
            name,
            "fail",
            Message(
                N_("unexpected error: {kind}: {detail}"),
                {"kind": type(exc).__name__, "detail": str(exc)},
            ),
            N_("Send the report (--report FILE) to support."),
        )


def failed(checks: list[Check]) -> bool:
    """True when any check failed (the CLI exits 6)."""
    return any(c.status == "fail" for c in checks)


# -- support report --------------------------------------------------------


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _pcscd_version() -> str:
    binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
    if not Path(binary).exists():
        return "not installed"
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    first = out.strip().splitlines()[:1]
    return first[0] if first else "unknown"


def _drivers() -> list[str]:
    """Installed IFD handler bundles and reader.conf drivers (no personal data)."""
    found: list[str] = []
    bundles = Path("/usr/lib/pcsc/drivers")
    if bundles.is_dir():
        found += sorted(p.name for p in bundles.iterdir() if p.name.endswith(".bundle"))
    conf = Path("/etc/reader.conf.d")
    if conf.is_dir():
        for item in sorted(conf.iterdir()):
            for line in item.read_text(errors="replace").splitlines():
                if line.strip().startswith("LIBPATH"):
                    found.append(line.split()[-1])
    return found


def report_data(checks: list[Check], reader: str | None = None) -> dict[str, Any]:
    """The findings plus versions; no names, NRN, photo or certificate subjects."""
    card_reader = reader or next(
        (
            c.detail.removeprefix("card present in ")
            for c in checks
            if c.name == "card" and c.status == "ok"
        ),
        None,
    )
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": {
            "os": platform.platform(),
            "python": platform.python_version(),
            "pcscd": _pcscd_version(),
            "pyscard": _version("pyscard"),
            "monespace": _version("monespace"),
        },
        "reader": card_reader,
        "drivers": _drivers(),
        "checks": [c.to_dict() for c in checks],
    }


def report(checks: list[Check], reader: str | None = None) -> str:
    """The support report as pretty JSON text (for ``eid doctor --report FILE``)."""
    return json.dumps(report_data(checks, reader), indent=2, ensure_ascii=False) + "\n"
