"""The walking-skeleton tour that ``make demo`` runs after starting the portal and pcscd.

It puts a virtual eID card of a sandbox citizen into vpcd's virtual reader,
then runs the REAL ``monespace`` commands in order — login with the PIN,
catalogue, a prefilled dossier with an attachment, validation, submission,
the receipt in the vault and its offline seal check, the payment's QR code,
the access log — printing one line of explanation before each, and ends
with a summary table. Nothing is faked: every step is the command a person
would type, run in a subprocess, with its real exit code.

    python scripts/tour.py --portal http://127.0.0.1:8470 --run-dir .run/demo

Needs: a sandbox portal at --portal, pcscd running with the vpcd driver.
The client's config and token live under RUN_DIR/config (MONESPACE_CONFIG_DIR),
never in the user's own files.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

BOLD, DIM, GREEN, RED, RESET = "\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[31m", "\x1b[0m"


@dataclass
class Step:
    title: str
    code: int
    expected: tuple[int, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.code in self.expected


@dataclass
class Tour:
    portal: str
    run_dir: Path
    color: bool
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
        self.steps.append(Step(why, proc.returncode, expect, time.monotonic() - started))
        if proc.returncode not in expect:
            print(self.paint(f"   exit code {proc.returncode}, expected {expect}", RED), flush=True)
        return proc

    def json_of(self, why: str, *args: str) -> Any:
        proc = self.run(why, *args, "--output", "json", capture=True)
        if proc.returncode != 0:
            raise SystemExit(self.summary())
        value = json.loads(proc.stdout)
        return value

    def summary(self) -> int:
        print("\n" + self.paint("Summary", BOLD))
        width = max((len(s.title) for s in self.steps), default=10)
        for s in self.steps:
            mark = self.paint("ok  ", GREEN) if s.ok else self.paint("FAIL", RED)
            print(f"  {mark}  {s.title.ljust(width)}  {s.seconds:5.1f} s  (exit {s.code})")
        failed = [s for s in self.steps if not s.ok]
        print()
        print(f"{len(self.steps) - len(failed)} of {len(self.steps)} steps as expected.")
        return 1 if failed else 0


def insert_card(tour: Tour, nrn: str, pin: str, applet: str) -> subprocess.Popen[bytes]:
    """Ask the sandbox portal for the person's card image and serve it to vpcd."""
    from monespace_cli.client import PortalClient

    tour.say(
        f"A virtual eID card (applet {applet}) of sandbox citizen {nrn} "
        "goes into the virtual reader"
    )
    with PortalClient(tour.portal) as portal:
        image = portal.create_sandbox_card(nrn, applet=applet, pin=pin)
    bundle = tour.run_dir / "card.json"
    bundle.write_text(json.dumps(image), encoding="utf-8")
    bundle.chmod(0o600)
    bridge = subprocess.Popen(
        [sys.executable, "-m", "eid.virtual.vpcd", "--bundle", str(bundle)],
        env=tour.env(),
        stdout=subprocess.DEVNULL,
        stderr=open(tour.run_dir / "vpcd.log", "ab"),  # closed with the process
    )
    time.sleep(2.0)  # pcscd polls the reader; give it time to see the card
    if bridge.poll() is not None:
        raise SystemExit(f"the virtual card did not start; see {tour.run_dir / 'vpcd.log'}")
    return bridge


def sample_pdf(path: Path) -> Path:
    """A real PDF to attach (the portal sniffs content, so it must be one)."""
    from portal import pdf

    lines = [
        "Annexe 14 - Demande de certificat d'urbanisme n° 1",
        "Parcelle: Namur 1re division, A, 1287F",
    ]
    path.write_bytes(pdf.render(lines, title="Annexe 14"))
    return path


def _sets(assignments: list[str]) -> list[str]:
    """``--set a --set b …`` for a list of assignments."""
    return [arg for a in assignments for arg in ("--set", a)]


def walk(tour: Tour, pin: str) -> None:
    """The skeleton path, one real command a step."""
    tour.run(
        "Log in: the CLI reads the card, checks the PIN on the card, signs the portal's challenge",
        "auth",
        "login",
        "--pin-stdin",
        input=pin + "\n",
    )
    tour.run("Who am I, and where is the token kept?", "auth", "status")
    tour.run("The procedures a citizen can do", "catalog", "list", "--audience", "citizen")
    tour.run(
        f"What {PROCEDURE} asks for: fields, attachments, fee, legal time",
        "catalog",
        "show",
        PROCEDURE,
    )
    annex = sample_pdf(tour.run_dir / "annexe14.pdf")
    args = [
        "dossier",
        "new",
        PROCEDURE,
        *_sets(PROPERTY),
        "--attach",
        f"annex14={annex}",
    ]
    dossier = tour.json_of(
        "A new dossier: identity and address come prefilled from the national register", *args
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--portal", default=os.environ.get("MONESPACE_PORTAL", "http://127.0.0.1:8470")
    )
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run" / "demo")
    parser.add_argument("--nrn", default=DEFAULT_NRN, help="sandbox person whose card is used")
    parser.add_argument("--pin", default=DEFAULT_PIN, help="PIN of the virtual card (sandbox)")
    parser.add_argument("--applet", default="1.8", choices=("1.7", "1.8"))
    parser.add_argument("--no-card", action="store_true", help="a card is already in the reader")
    args = parser.parse_args(argv)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    tour = Tour(args.portal.rstrip("/"), args.run_dir, color)
    bridge = None if args.no_card else insert_card(tour, args.nrn, args.pin, args.applet)
    try:
        walk(tour, args.pin)
    finally:
        if bridge is not None:
            bridge.terminate()
            bridge.wait(timeout=10)
    return tour.summary()


if __name__ == "__main__":
    sys.exit(main())
