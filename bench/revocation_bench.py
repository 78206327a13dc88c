"""Benchmark of the certificate-status check a portal session pays on each request.

    python bench/revocation_bench.py [--calls N]

``current_principal`` (every authenticated request, and each event-stream
delivery) re-checks the session's certificate through
portal.auth.revocation. Measured here, per call, on the sandbox PKI: the
cached answer (what almost every request pays), the stored chain parsed
from its PEM (memoised), and a fresh OCSP look-up (request, the sandbox
responder's signature, verification) that happens at most once per
certificate per recheck period — for applets 1.7 (RSA) and 1.8 (EC).
Ratios are to the cached check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import record  # noqa: E402

from eid.pki import SandboxPKI  # noqa: E402
from portal.auth.revocation import RevocationChecker, chain_pem, load_chain  # noqa: E402


class Holder:
    nrn, surname, given_names = "68031412135", "Lambert", "Philippe Jean"


def per_call_us(fn: Callable[[], object], calls: int) -> float:
    """Median over 5 rounds of the mean time per call, in microseconds."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        rounds.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(rounds)


def measure(pki: SandboxPKI, applet: str, calls: int) -> list[dict[str, object]]:
    """The three costs for one applet's certificate, with ratios to the cached check."""
    end = dt.datetime.now(dt.UTC) + dt.timedelta(days=9)
    creds = pki.issue_person(Holder(), applet, not_after=end)
    leaf, issuer = creds.auth_cert, creds.ca_cert

    def fetch(_url: str, request: bytes, _timeout: float) -> bytes:
        return pki.ocsp_response(request)

    cached = RevocationChecker(fetch=fetch, recheck=3600)
    cached.status(leaf, issuer)
    uncached = RevocationChecker(fetch=fetch, recheck=0)
    text = chain_pem(leaf, issuer)
    base = per_call_us(lambda: cached.status(leaf, issuer), calls)
    measures = {
        "cached status (every request)": base,
        "stored chain, memoised parse": per_call_us(lambda: load_chain(text), calls),
        "fresh OCSP look-up (once per recheck period)": per_call_us(
            lambda: uncached.status(leaf, issuer), max(calls // 50, 20)
        ),
    }
    return [
        {"applet": applet, "check": what, "us per call": round(us, 1), "ratio": round(us / base, 1)}
        for what, us in measures.items()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    pki = SandboxPKI.open(Path(tempfile.mkdtemp(prefix="revocation-bench-")))
    rows = [row for applet in ("1.7", "1.8") for row in measure(pki, applet, args.calls)]
    for row in rows:
        print(" | ".join(str(v) for v in row.values()))
    record(
        "revocation",
        "Certificate status per session request (cached vs fresh OCSP)",
        rows,
        calls=args.calls,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
