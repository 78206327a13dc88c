"""The walking-skeleton tour that ``make demo`` runs after starting the portal and pcscd.

Three people take turns at the same virtual reader (vpcd slot 0, through
the real pcscd), and each step is the REAL ``monespace`` command a person
would type, run in a subprocess with its real exit code:

1. a citizen, Philippe Jean Lambert: login with the PIN, catalogue, a
   prefilled CU1 dossier with an attachment, validation, submission, the
   receipt in the vault and its offline seal check, the fee's QR code, the
   access log;
2. the accounting firm's employee Julien Martin (Fiduciaire Meuse & Sambre)
   acting for a client, Boulangerie Mathieu SRL, through its mandate: the
   contexts he may act in, a prefilled CHEQUES-FORMATION dossier (employment
   domain, covered by the mandate) with its sworn statement, submission, the
   receipt in the client's vault, and what the mandate does NOT allow (a
   procedure of another domain, the client's access log);
3. the client's legal representative Luc Mathieu, who sees in his company's
   access log that the firm's employee read its register data to prefill.

It prints one line of explanation before each command and ends with a
summary table; the exit status is 1 when any step's exit code is not the
expected one.

    python scripts/tour.py --portal http://127.0.0.1:8470 --run-dir .run/demo

Needs: a sandbox portal at --portal, pcscd running with the vpcd driver. The
vpcd slot is taken under the same lock file as the pcscd tests
(tests/pcsc_fixtures.py), so a tour never collides with them. The client's
config and token live under RUN_DIR/config (MONESPACE_CONFIG_DIR), never in
the user's own files.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Philippe Jean Lambert, Namur — a sandbox citizen (portal/sandbox/persons.json).
DEFAULT_NRN = "68031412135"
DEFAULT_PIN = "1234"  # the virtual card's PIN: sandbox only, never a real one
PROCEDURE = "CU1"  # planning certificate no. 1: prefill, a required attachment and a fee
PROPERTY = [
    "property.address.street=Rue de Fer",
    "property.address.number=42",
    "property.address.postal_code=5000",
    "property.address.municipality=Namur",
    "property.parcels.0.division=Namur 1re division",
    "property.parcels.0.section=A",
    "property.parcels.0.number=1287F",
    "purpose=sale",
]
NOTARY = ["notary.name=Étude du notaire Anne Lhoest", "notary.email=etude.lhoest@example.be"]

#: Julien Martin, Jambes — staff of Fiduciaire Meuse & Sambre SRL, acting for
#: every client with an active mandate in the employment and economy domains.
ACCOUNTANT_NRN = "91052314742"
#: Boulangerie Mathieu SRL, Gembloux: the firm's client (mandate employment, economy).
CLIENT_BCE = "0641238591"
#: Luc Mathieu: the bakery's legal representative.
CLIENT_REP_NRN = "74011920708"
#: Training vouchers: employment domain (covered by the mandate), one required
#: attachment (a signed sworn statement); the enterprise comes from the BCE.
CLIENT_PROCEDURE = "CHEQUES-FORMATION"
TRAINING = [
    "employer_type=company",
    "fte=9",
    "cheques=100",
    "themes.0=technical",
    "themes.1=safety",
    "sworn=true",
]
#: Environmental declaration: the environment domain, outside the bakery's mandate.
OUTSIDE_MANDATE = "ENV-DECL-CL3"

#: vpcd slot 0 (reader "Virtual PCD 00 00") and the lock file that the pcscd
#: tests use for it (tests/pcsc_fixtures.py: ``monespace-vpcd-<port>.lock``).
VPCD_PORT = 35963
VPCD_READER = "Virtual PCD 00 00"
SLOT_LOCK = Path(tempfile.gettempdir()) / f"monespace-vpcd-{VPCD_PORT}.lock"
#: pcscd polls vpcd every 0.4 s and reports a new card only if it saw the
#: slot empty in between: stay out this long after a removal (eid.virtual.vpcd).
MIN_ABSENCE = 1.0

BOLD, DIM, GREEN, RED, RESET = "\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[31m", "\x1b[0m"


class TourAborted(Exception):
    """A step whose result later steps need failed: stop, still print the summary."""


@dataclass
class Step:
    """One command of the tour and how it ended."""

    who: str
    command: list[str]
    code: int
    expected: tuple[int, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.code in self.expected

    def outcome(self) -> str:
        """``exit 0``, ``exit 5 (as expected)`` or ``exit 1, expected 0``."""
        if not self.ok:
            return f"exit {self.code}, expected {' or '.join(map(str, self.expected))}"
        return f"exit {self.code}" + ("" if self.code == 0 else " (as expected)")

    def short(self, width: int = 56) -> str:
        """The command line, cut at a word to fit the summary."""
        words = ["monespace"]
        for arg in self.command:
            if arg in ("--set", "--attach") or len(" ".join(words)) > width:
                words.append("…")
                break
            words.append(shlex.quote(arg))
        return " ".join(words)


@dataclass
class Tour:
    portal: str
    run_dir: Path
    color: bool
    nrn: str = DEFAULT_NRN
    who: str = ""  #: whose card is in the reader (a column of the summary)
    steps: list[Step] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("MONESPACE_TOKEN", None)
        env.setdefault("MONESPACE_CONFIG_DIR", str(self.run_dir / "config"))
        env["MONESPACE_PORTAL"] = self.portal
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def paint(self, text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if self.color else text

    def say(self, text: str) -> None:
        print("\n" + self.paint(f"==> {text}", BOLD), flush=True)

    def run(
        self,
        why: str,
        *args: str,
        input: str | None = None,
        capture: bool = False,
        expect: tuple[int, ...] = (0,),
    ) -> subprocess.CompletedProcess[str]:
        """Explain, show the command line, run the real CLI, record the outcome."""
        self.say(why)
        shown = "monespace " + " ".join(shlex.quote(a) for a in args)
        if input is not None and "--pin-stdin" in args:
            shown = "echo '****' | " + shown
        print(self.paint(f"$ {shown}", DIM), flush=True)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "monespace_cli", *args],
            env=self.env(),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )
        elapsed = time.monotonic() - started
        self.steps.append(Step(self.who, list(args), proc.returncode, expect, elapsed))
        if proc.returncode not in expect:
            print(self.paint(f"   exit code {proc.returncode}, expected {expect}", RED), flush=True)
        return proc

    def json_of(self, why: str, *args: str, show: tuple[str, ...] = ()) -> Any:
        """Run with ``--output json`` and return the value; later steps need it.

        ``show`` names the fields printed as a one-line result (the JSON
        itself is for the tour, not the reader). A failure here ends the tour:
        the next steps depend on the value.
        """
        proc = self.run(why, *args, "--output", "json", capture=True)
        if proc.returncode != 0:
            raise TourAborted
        value = json.loads(proc.stdout)
        if show:
            print("   " + ", ".join(f"{k}: {value.get(k)}" for k in show), flush=True)
        return value

    def summary(self) -> int:
        """Print one line a step; 0 when every exit code was the expected one, else 1."""
        print("\n" + self.paint("Summary", BOLD))
        who = max((len(s.who) for s in self.steps), default=0)
        lines = [s.short() for s in self.steps]
        width = max((len(line) for line in lines), default=10)
        for s, line in zip(self.steps, lines, strict=True):
            mark = self.paint("ok  ", GREEN) if s.ok else self.paint("FAIL", RED)
            print(
                f"  {mark}  {s.who.ljust(who)}  {line.ljust(width)}  "
                f"{s.seconds:4.1f} s  {s.outcome()}"
            )
        failed = [s for s in self.steps if not s.ok]
        print()
        print(f"{len(self.steps) - len(failed)} of {len(self.steps)} steps as expected.")
        return 1 if failed else 0


def _wait_slot(state: str, timeout: float) -> bool:
    """Until pcscd reports the slot ``state`` (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    from eid.pcsc import card_state

    while card_state(VPCD_READER) != state:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@contextlib.contextmanager
def _slot_lock() -> Iterator[IO[str]]:
    """Hold the vpcd slot exclusively, as the pcscd tests do (they take turns)."""
    with open(SLOT_LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"(waiting for the virtual reader: {SLOT_LOCK} is held)", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield handle


@dataclass
class VirtualReader:
    """The vpcd slot: one virtual card at a time, each in its own bridge process."""

    tour: Tour
    pin: str
    applet: str
    bridge: subprocess.Popen[bytes] | None = None

    def insert(self, nrn: str, who: str, person: str) -> None:
        """Ask the sandbox portal for the person's card image and serve it to vpcd.

        ``who`` is the short role shown in the summary, ``person`` says who it is.
        """
        from monespace_cli.client import PortalClient

        self.remove()
        self.tour.who = who
        self.tour.say(
            f"The virtual eID card of {person} (NRN {nrn}, applet {self.applet}) "
            "goes into the virtual reader"
        )
        with PortalClient(self.tour.portal) as portal:
            image = portal.create_sandbox_card(nrn, applet=self.applet, pin=self.pin)
        bundle = self.tour.run_dir / f"card-{nrn}.json"
        bundle.write_text(json.dumps(image), encoding="utf-8")
        bundle.chmod(0o600)
        log = self.tour.run_dir / "vpcd.log"
        with open(log, "ab") as stderr:  # the child keeps its own descriptor
            self.bridge = subprocess.Popen(
                [sys.executable, "-m", "eid.virtual.vpcd", "--bundle", str(bundle)],
                env=self.tour.env(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        if not _wait_slot("present", 15) or self.bridge.poll() is not None:
            raise SystemExit(f"the virtual card did not reach pcscd; see {log}")

    def remove(self) -> None:
        """Pull the card and wait until pcscd has seen the slot empty."""
        if self.bridge is None:
            return
        self.bridge.terminate()
        try:
            self.bridge.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.bridge.kill()
            self.bridge.wait()
        self.bridge = None
        _wait_slot("empty", 5)
        time.sleep(MIN_ABSENCE)  # pcscd's poller must see the empty slot too


def sample_pdf(path: Path, title: str, lines: list[str]) -> Path:
    """A real PDF to attach (the portal sniffs content, so it must be one)."""
    from portal import pdf

    path.write_bytes(pdf.render(lines, title=title))
    return path


def _sets(assignments: list[str]) -> list[str]:
    """``--set a --set b …`` for a list of assignments."""
    return [arg for a in assignments for arg in ("--set", a)]


def login(tour: Tour, pin: str, who: str) -> None:
    """``auth login`` with the PIN on stdin (the CLI never prompts without a terminal)."""
    tour.run(
        f"{who} logs in: the CLI reads the card, checks the PIN on the card, "
        "signs the portal's challenge",
        "auth",
        "login",
        "--pin-stdin",
        input=pin + "\n",
    )


def citizen(tour: Tour, pin: str) -> None:
    """Part 1: a citizen's own procedure, one real command a step."""
    login(tour, pin, "The citizen")
    tour.run("Who am I, and where is the token kept?", "auth", "status")
    tour.run("The procedures a citizen can do", "catalog", "list", "--audience", "citizen")
    tour.run(
        f"What {PROCEDURE} asks for: fields, attachments, fee, legal time",
        "catalog",
        "show",
        PROCEDURE,
    )
    annex = sample_pdf(
        tour.run_dir / "annexe14.pdf",
        "Annexe 14",
        [
            "Annexe 14 - Demande de certificat d'urbanisme n° 1",
            "Parcelle: Namur 1re division, A, 1287F",
        ],
    )
    args = [
        "dossier",
        "new",
        PROCEDURE,
        *_sets(PROPERTY),
        "--attach",
        f"annex14={annex}",
    ]
    dossier = tour.json_of(
        "A new dossier: identity and address come prefilled from the national register",
        *args,
        show=("id", "status", "version"),
    )
    dossier_id = dossier["id"]
    tour.run(
        "The dossier as the portal holds it — prefilled fields are marked",
        "dossier",
        "show",
        dossier_id,
    )
    tour.run(
        "Validate: for a sale the notary is required (exit code 5 lists what is missing)",
        "dossier",
        "validate",
        dossier_id,
        expect=(5,),
    )
    tour.run(
        "Complete the data (If-Match on the version read: no lost update)",
        "dossier",
        "fill",
        dossier_id,
        *_sets(NOTARY),
    )
    tour.run("Validate again", "dossier", "validate", dossier_id)
    submitted = tour.json_of(
        "Submit (with an idempotency key: a retry never files twice)",
        "dossier",
        "submit",
        dossier_id,
        show=("id", "status", "submitted_at", "receipt_document_id"),
    )
    tour.run("The acknowledgement of receipt is in the vault", "document", "list")
    receipt = tour.run_dir / "accuse-de-reception.pdf"
    tour.run(
        "Download it with its seal (NAME and NAME.seal.json)",
        "document",
        "download",
        submitted["receipt_document_id"],
        "--output-file",
        str(receipt),
    )
    tour.run(
        "Check the portal's seal OFFLINE: file hash, signature, chain to the cached trust anchor",
        "document",
        "verify",
        str(receipt),
    )
    if submitted.get("payment_id"):
        tour.run(
            "The fee: amount, IBAN, structured communication and the EPC QR code to scan",
            "payment",
            "show",
            submitted["payment_id"],
        )
    tour.run(
        "Who read my data, when and why (the prefill was logged)",
        "mydata",
        "access-log",
        "--limit",
        "5",
    )
    tour.run(
        "The dossier's history: who, acting as whom, when, old → new",
        "dossier",
        "history",
        dossier_id,
    )


def accountant(tour: Tour, pin: str) -> None:
    """Part 2: the accounting firm's employee acting for a client through its mandate."""
    login(tour, pin, "Julien Martin (Fiduciaire Meuse & Sambre)")
    tour.run(
        "Whom may he act for? Himself, and each client whose mandate is active",
        "context",
        "list",
    )
    tour.run(
        f"Act for the client Boulangerie Mathieu SRL ({CLIENT_BCE}) from now on",
        "context",
        "use",
        CLIENT_BCE,
    )
    tour.run(
        f"{CLIENT_PROCEDURE}: employment domain (the mandate covers it), a sworn statement",
        "catalog",
        "show",
        CLIENT_PROCEDURE,
    )
    sworn = sample_pdf(
        tour.run_dir / "declaration-honneur.pdf",
        "Déclaration sur l'honneur",
        [
            "Déclaration sur l'honneur - Chèques-formation",
            f"Boulangerie Mathieu SRL, BCE {CLIENT_BCE}",
            "Signé: Luc Mathieu, gérant",
        ],
    )
    dossier = tour.json_of(
        "A dossier FOR THE CLIENT: the enterprise comes prefilled from the BCE register, "
        "the contact from Julien's own record",
        "dossier",
        "new",
        CLIENT_PROCEDURE,
        *_sets(TRAINING),
        "--attach",
        f"sworn_statement={sworn}",
        show=("id", "status", "acting_as"),
    )
    dossier_id = dossier["id"]
    tour.run(
        "The dossier: the applicant is the bakery, the prefilled fields are marked",
        "dossier",
        "show",
        dossier_id,
    )
    tour.json_of(
        "Submit it on the client's behalf",
        "dossier",
        "submit",
        dossier_id,
        show=("id", "status", "submitted_at", "receipt_document_id"),
    )
    tour.run(
        "The acknowledgement of receipt is in the CLIENT's vault",
        "document",
        "list",
    )
    tour.run(
        "The history says who did it, acting for whom",
        "dossier",
        "history",
        dossier_id,
    )
    tour.run(
        f"The mandate has limits: {OUTSIDE_MANDATE} is in the environment domain, "
        "not covered — refused (exit code 3)",
        "dossier",
        "new",
        OUTSIDE_MANDATE,
        expect=(3,),
    )
    tour.run(
        "The client's access log is not for the firm, which is one of its readers (exit code 3)",
        "mydata",
        "access-log",
        expect=(3,),
    )
    tour.run("Back to acting as himself", "context", "use", "me")
    tour.run("Log out: the session is revoked on the portal", "auth", "logout")


def client(tour: Tour, pin: str) -> None:
    """Part 3: the client's legal representative checks who read the company's data."""
    login(tour, pin, "Luc Mathieu (Boulangerie Mathieu SRL)")
    tour.run(
        "The bakery's vault, seen by its own manager: the receipt is there",
        "--as",
        CLIENT_BCE,
        "document",
        "list",
    )
    tour.run(
        "The bakery's access log: the firm's employee read its register data to prefill",
        "--as",
        CLIENT_BCE,
        "mydata",
        "access-log",
        "--limit",
        "5",
    )
    tour.run("Log out", "auth", "logout")


def walk(tour: Tour, pin: str, reader: VirtualReader | None) -> None:
    """The three parts, swapping cards in between (only part 1 without our reader)."""
    tour.who = "citizen"
    if reader is not None:
        name = "Philippe Jean Lambert" if tour.nrn == DEFAULT_NRN else "a sandbox citizen"
        reader.insert(tour.nrn, "citizen", name)
    citizen(tour, pin)
    if reader is None:
        tour.say("Your own card is in the reader: the parts with other people's cards are skipped")
        return
    tour.run("Log out before handing over the reader", "auth", "logout")
    reader.insert(ACCOUNTANT_NRN, "accountant", "Julien Martin, of the accounting firm")
    accountant(tour, pin)
    reader.insert(CLIENT_REP_NRN, "client", "Luc Mathieu, manager of the firm's client")
    client(tour, pin)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--portal", default=os.environ.get("MONESPACE_PORTAL", "http://127.0.0.1:8470")
    )
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run" / "demo")
    parser.add_argument("--nrn", default=DEFAULT_NRN, help="sandbox person whose card is used")
    parser.add_argument("--pin", default=DEFAULT_PIN, help="PIN of the virtual card (sandbox)")
    parser.add_argument("--applet", default="1.8", choices=("1.7", "1.8"))
    parser.add_argument(
        "--no-card",
        action="store_true",
        help="a card is already in the reader: only the citizen part runs",
    )
    args = parser.parse_args(argv)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    tour = Tour(args.portal.rstrip("/"), args.run_dir, color, args.nrn)
    if args.no_card:
        with contextlib.suppress(TourAborted):
            walk(tour, args.pin, None)
        return tour.summary()
    with _slot_lock():
        reader = VirtualReader(tour, args.pin, args.applet)
        try:
            walk(tour, args.pin, reader)
        except TourAborted:
            pass
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            tour.summary()
            return 130
        finally:
            reader.remove()  # leaves the slot empty for the next holder
    return tour.summary()


if __name__ == "__main__":
    sys.exit(main())
