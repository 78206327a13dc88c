"""What every benchmark needs: a real portal on a temporary database, logins, percentiles.

Why one module: each benchmark used to start its own server and sign its own
logins; the benchmarks then disagreed on set-up details (seeding, worker
count, warm-up) and their figures were not comparable. ``Portal`` starts the
real ``monespace-portal`` (``init --sandbox``, optional ``seed``, ``serve``)
on SQLite in a temporary folder or on a PostgreSQL URL, and logs in through
the eID protocol, signing with the sandbox PKI key as the card would.

Benchmarks print a table and, with ``record()``, leave their figures in
``bench/results/<name>.json`` for ``bench/report.py`` (bench/RESULTS.md).
"""

from __future__ import annotations

import base64
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentiles(samples: list[float], points: tuple[int, ...] = (50, 99)) -> list[float]:
    """The given percentiles of ``samples`` (seconds) in milliseconds (nearest rank)."""
    ordered = sorted(samples)
    if not ordered:
        return [float("nan")] * len(points)
    out = []
    for p in points:
        if p == 50:
            out.append(statistics.median(ordered) * 1000)
        else:
            out.append(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000)
    return out


def person(nrn: str) -> dict[str, Any]:
    """The sandbox person ``nrn`` (persons.json)."""
    persons = json.loads((ROOT / "portal/sandbox/persons.json").read_text(encoding="utf-8"))
    return next(p for p in persons if p["nrn"] == nrn)


def procedure(code: str) -> dict[str, Any]:
    """The sandbox procedure file ``code`` (with its ``example_data``)."""
    path = ROOT / "portal/sandbox/procedures" / f"{code}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Portal:
    """A real portal process on a temporary database; use ``with``."""

    database_url: str | None = None  # None: SQLite in the temporary folder
    workers: int = 1
    env_extra: dict[str, str] = field(default_factory=dict)
    tmp: Path = field(init=False)
    port: int = field(default_factory=free_port)
    timings: dict[str, float] = field(default_factory=dict)
    _tmpdir: Any = None
    _server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pki_dir(self) -> Path:
        return self.tmp / "pki"

    @property
    def backend(self) -> str:
        return "SQLite" if self.db_url.startswith("sqlite") else "PostgreSQL"

    def __enter__(self) -> Portal:
        self._tmpdir = tempfile.TemporaryDirectory(prefix="monespace-bench-")
        self.tmp = Path(self._tmpdir.name)
        self.db_url = self.database_url or f"sqlite:///{self.tmp / 'portal.sqlite3'}"
        self.timings["init"] = self.run("init", "--sandbox")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._tmpdir.cleanup()

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("MONESPACE_PORTAL_FAULTS", None)  # a benchmark measures a healthy portal
        env.update(
            MONESPACE_PORTAL_DATABASE_URL=self.db_url,
            MONESPACE_PORTAL_SANDBOX="1",
            MONESPACE_PORTAL_PKI_DIR=str(self.pki_dir),
            PYTHONPATH=str(ROOT),
            **self.env_extra,
        )
        return env

    def run(self, *args: str) -> float:
        """``monespace-portal ARGS`` to completion; returns its wall time (s)."""
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "portal", *args],
            env=self.env(),
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start

    def seed(self, dossiers: int) -> float:
        self.timings["seed"] = self.run("seed", "--dossiers", str(dossiers))
        return self.timings["seed"]

    def start(self) -> None:
        """``monespace-portal serve`` and wait for ``/healthz``."""
        command = [sys.executable, "-m", "portal", "serve", "--port", str(self.port)]
        command += ["--log-level", "warning", "--workers", str(self.workers)]
        self._server = subprocess.Popen(command, env=self.env())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the portal did not start")

    def stop(self) -> None:
        if self._server is not None and self._server.poll() is None:
            self._server.terminate()
            self._server.wait(timeout=20)
        self._server = None

    def login(self, nrn: str) -> str:
        """A session token for ``nrn`` through the real challenge–response."""
        return login(self.url, self.pki_dir, nrn)


def login(url: str, pki_dir: Path, nrn: str) -> str:
    """Log ``nrn`` in at ``url`` (sandbox PKI key, ES384), as the card would."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from eid.login import login_message
    from eid.pki import SandboxPKI

    @dataclass(frozen=True)
    class Holder:
        nrn: str
        surname: str
        given_names: str

    who = person(nrn)
    holder = Holder(nrn, who["surname"], who["given_names"])
    creds = SandboxPKI.open(pki_dir).issue_person(holder, "1.8")
    with httpx.Client(base_url=url, timeout=60) as client:
        ch = client.post("/api/v1/auth/challenges").json()
        message = login_message(ch["origin"], ch["id"], ch["nonce"])
        assert isinstance(creds.auth_key, ec.EllipticCurvePrivateKey)
        signature = creds.auth_key.sign(message, ec.ECDSA(hashes.SHA384()))
        body = {
            "challenge_id": ch["id"],
            "certificates": [
                base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                for c in creds.chain
            ],
            "signature": base64.b64encode(signature).decode(),
            "algorithm": "ES384",
        }
        answer = client.post("/api/v1/auth/sessions", json=body)
        answer.raise_for_status()
        return str(answer.json()["token"])


def machine() -> str:
    """One line saying what the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, {platform.system()}"


def record(name: str, title: str, rows: list[dict[str, Any]], **context: Any) -> None:
    """Leave a benchmark's table in bench/results/<name>.json for bench/report.py.

    ``rows`` share their keys (the table's columns, in order); ``context``
    says under which conditions they were measured (backend, sizes, goals).
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    body = {
        "name": name,
        "title": title,
        "script": Path(sys.argv[0]).name,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "context": context,
        "rows": rows,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
