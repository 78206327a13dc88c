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
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from eid.errors import EidError, NoCard, PcscUnavailable

Status = Literal["ok", "warn", "fail", "skipped"]
CERT_WARN_DAYS = 30

FIX_INSTALL_PCSCD = "sudo apt-get install pcscd"
FIX_START_PCSCD = "sudo systemctl start pcscd.socket (without systemd: sudo pcscd -f -a &)"
FIX_READER = "Plug in the card reader (try another USB port), then run the doctor again."
FIX_INSERT = "Insert the eID card in the reader, chip first and facing up."


@dataclass(frozen=True, slots=True)
class Check:
    """One diagnostic step."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


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
    from eid.pcsc import load_pyscard

    try:
        state.pyscard = load_pyscard()
    except PcscUnavailable as exc:
        return Check("pcsc_library", "fail", str(exc), exc.fix)
    return Check("pcsc_library", "ok", f"pyscard {_version('pyscard')} and libpcsclite loaded")


def _pcscd(state: _State) -> Check:
    from eid.pcsc import reader_objects

    try:
        state.readers = reader_objects()
    except PcscUnavailable:
        if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
            return Check("pcscd", "fail", "pcscd is not installed", FIX_INSTALL_PCSCD)
        return Check("pcscd", "fail", "pcscd is installed but not running", FIX_START_PCSCD)
    except EidError as exc:
        return Check("pcscd", "fail", str(exc), exc.fix)
    return Check("pcscd", "ok", "the PC/SC service answers")


def _readers(state: _State) -> Check:
    if not state.readers:
        return Check("readers", "fail", "no reader is connected", FIX_READER)
    names = ", ".join(str(r) for r in state.readers)
    if state.reader and not any(state.reader.lower() in str(r).lower() for r in state.readers):
        return Check(
            "readers",
            "fail",
            f"no reader matches {state.reader!r} (found: {names})",
            "Pass one of the listed reader names with --reader.",
        )
    return Check("readers", "ok", f"{len(state.readers)} reader(s): {names}")


def _card_inserted(state: _State) -> Check:
    from eid.pcsc import connect

    candidates = [
        r for r in state.readers if not state.reader or state.reader.lower() in str(r).lower()
    ]
    for reader in candidates:
        try:
            state.connection = connect(reader)
        except NoCard:
            continue
        except EidError as exc:
            return Check("card", "fail", f"{reader}: {exc}", exc.fix)
        state.reader = str(reader)
        state.atr = bytes(state.connection.getATR())
        return Check("card", "ok", f"card present in {reader}")
    return Check("card", "fail", "no card in the reader", FIX_INSERT)


def _atr(state: _State) -> Check:
    from eid.card import is_eid_atr

    atr = state.atr.hex().upper()
    if is_eid_atr(state.atr):
        return Check("atr", "ok", f"ATR {atr} is a Belgian eID")
    return Check(
        "atr",
        "fail",
        f"ATR {atr} is not a Belgian eID",
        "This card is not a Belgian eID; insert the eID card (not a bank card).",
    )


def _applet(state: _State) -> Check:
    from eid.card import EidCard

    state.card = EidCard(state.connection, reader_name=state.reader)
    try:
        state.card.check_is_eid()
        data = state.card.card_data()
    except EidError as exc:
        return Check("applet", "fail", str(exc), exc.fix)
    return Check("applet", "ok", f"BELPIC applet {data.applet_version} answers")


def _files(state: _State) -> Check:
    card = state.card
    try:
        card.read_identity()
        card.read_address()
        photo = card.read_photo()
        report = card.verify_integrity()
    except EidError as exc:
        return Check("files", "fail", f"reading the card failed: {exc}", exc.fix)
    if not report.ok:
        return Check(
            "files",
            "fail",
            "files read but do not verify: " + "; ".join(report.problems),
            "Do not trust this card's data; contact the commune that issued it.",
        )
    return Check(
        "files",
        "ok",
        f"identity, address and photo ({len(photo)} bytes) read; signatures and hashes verify",
    )


def _certificates(state: _State) -> Check:
    try:
        certs = state.card.read_certificates()
    except EidError as exc:
        return Check("certificates", "fail", str(exc), exc.fix)
    now = dt.datetime.now(dt.UTC)
    notes: list[str] = []
    worst: Status = "ok"
    for role, cert in certs.items():
        if cert is None:
            if role == "authentication":
                worst = "warn"
                notes.append("no authentication certificate (login impossible)")
            continue
        days = (cert.not_valid_after_utc - now).days
        if cert.not_valid_after_utc < now:
            worst = "fail"
            notes.append(f"{role} expired on {cert.not_valid_after_utc:%Y-%m-%d}")
        elif days < CERT_WARN_DAYS:
            worst = "warn" if worst == "ok" else worst
            notes.append(f"{role} expires in {days} days")
        elif cert.not_valid_before_utc > now:
            worst = "fail"
            notes.append(f"{role} not valid before {cert.not_valid_before_utc:%Y-%m-%d}")
    fix = {
        "ok": "",
        "warn": "Renew the card at your commune before the certificates expire.",
        "fail": "The card's certificates are not valid; ask your commune for a new card.",
    }[worst]
    return Check("certificates", worst, "; ".join(notes) or "all certificates valid", fix)


def _pin(state: _State) -> Check:
    try:
        tries = state.card.pin_tries_left()
    except EidError as exc:
        return Check("pin", "fail", str(exc), exc.fix)
    if tries is None:
        return Check("pin", "warn", "the card cannot tell the tries left without using one")
    if tries == 0:
        return Check(
            "pin",
            "fail",
            "the PIN is blocked",
            "Unblock the PIN at your commune with the PUK letter.",
        )
    if tries < 3:
        return Check(
            "pin",
            "warn",
            f"{tries} PIN tries left",
            "A correct PIN entry resets the counter; be careful.",
        )
    return Check("pin", "ok", f"{tries} PIN tries left")


def _pinpad(state: _State) -> Check:
    from eid.pinpad import FEATURE_VERIFY_PIN_DIRECT, reader_features

    if FEATURE_VERIFY_PIN_DIRECT in reader_features(state.connection):
        return Check("pinpad", "ok", "the reader has a PIN pad (PIN typed on the reader)")
    return Check("pinpad", "ok", "no PIN pad: the PIN is typed on the keyboard")


_STEPS: list[Callable[[_State], Check]] = [
    _pcsc_library,
    _pcscd,
    _readers,
    _card_inserted,
    _atr,
    _applet,
    _files,
    _certificates,
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
                checks.append(Check(name, "skipped", f"skipped: {blocker} failed"))
            elif connection is not None and name in _PCSC_STEPS:
                checks.append(Check(name, "skipped", "skipped: card connection given directly"))
            else:
                checks.append(_run_step(step, name, state))
                if checks[-1].status == "fail" and name in _BLOCKING:
                    blocker = name
    finally:
        if state.connection is not None and connection is None:
            from eid.pcsc import release_quietly

            release_quietly(state.connection)
    return checks


def _run_step(step: Callable[[_State], Check], name: str, state: _State) -> Check:
    try:
        return step(state)
    except EidError as exc:
        return Check(name, "fail", str(exc), exc.fix)
    except Exception as exc:  # noqa: BLE001 - a doctor must report, never crash
        return Check(
            name,
            "fail",
            f"unexpected error: {type(exc).__name__}: {exc}",
            "Send the report (--report FILE) to support.",
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
