"""``monespace-portal``: init, serve and seed the portal server.

Plain argparse and lazy imports: ``monespace-portal --help`` loads neither
FastAPI nor SQLAlchemy. Errors a user can cause (bad database URL, missing
sandbox file, port in use) end with one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.config import Settings

EXIT_OK = 0
EXIT_FAILURE = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monespace-portal",
        description="The Mon Espace portal API server (reference implementation and sandbox).",
        epilog="Database: MONESPACE_PORTAL_DATABASE_URL (default: a SQLite file in the "
        "user data folder). Sandbox mode: MONESPACE_PORTAL_SANDBOX=1.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = sub.add_parser("init", help="create or migrate the database (Alembic)")
    init.add_argument(
        "--sandbox", action="store_true", help="also load the sandbox registers and catalogue"
    )
    serve = sub.add_parser("serve", help="run the API server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--sandbox", action="store_true", help="turn sandbox mode on")
    serve.add_argument("--log-level", default="info")
    sandbox = sub.add_parser("sandbox", help="sandbox support actions (sandbox PKI and register)")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="ACTION")
    revoke = sandbox_sub.add_parser(
        "revoke",
        help='revoke a sandbox person\'s card certificates ("my card was stolen")',
        description="Put the authentication and signature certificates of the person's "
        "sandbox cards (applets 1.7 and 1.8) on the revocation lists and have the OCSP "
        "responder answer 'revoked': new logins are refused and the person's live sessions "
        "end within MONESPACE_PORTAL_REVOCATION_RECHECK seconds (the portal's status cache).",
    )
    revoke.add_argument("nrn", metavar="NRN", help="national register number (11 digits)")
    for action, verb in (("approve", "approve"), ("refuse", "refuse")):
        decide = sandbox_sub.add_parser(
            action,
            help=f"{verb} a login on another device in a sandbox person's name",
            description=f"{verb.capitalize()} the pending login whose user code is CODE "
            "(shown by `monespace auth login --device`), as the sandbox page at /device does.",
        )
        decide.add_argument("code", metavar="CODE", help="the user code, e.g. WDJB-MJHT")
        decide.add_argument(
            "--person", required=True, metavar="NRN", help="the sandbox person who decides"
        )
    seed = sub.add_parser("seed", help="insert N realistic dossiers (benchmarks)")
    seed.add_argument("--dossiers", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=42, help="random seed (reproducible data)")
    return parser


def _settings(sandbox: bool = False) -> Settings:
    from dataclasses import replace

    from portal.config import from_env

    settings = from_env()
    return replace(settings, sandbox=True) if sandbox else settings


def cmd_init(args: argparse.Namespace) -> int:
    """Migrate to the newest schema; with --sandbox load the sandbox data."""
    from portal.db import make_engine, make_sessionmaker
    from portal.migrations import upgrade

    settings = _settings(args.sandbox)
    upgrade(settings.database_url)
    print(f"database ready: {_safe_url(settings.database_url)}", file=sys.stderr)
    if args.sandbox:
        from portal.sandbox.loader import load_sandbox

        engine = make_engine(settings.database_url)
        with make_sessionmaker(engine)() as db:
            report = load_sandbox(db)
            db.commit()
        engine.dispose()
        print(f"sandbox loaded: {report}", file=sys.stderr)
    return EXIT_OK


def _schema_outdated(database_url: str) -> bool:
    """Say so (one line, the command to run) when the database is not at the newest schema."""
    from portal.migrations import pending

    found = pending(database_url)
    if found is None:
        return False
    current, head = found
    print(
        f"error: the database {_safe_url(database_url)} is at schema revision"
        f" {current or 'none (empty)'}, this portal needs {head}:"
        " run `monespace-portal init` first",
        file=sys.stderr,
    )
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    """Run uvicorn with the app factory (once the database is at the newest schema)."""
    import os

    import uvicorn

    if _schema_outdated(_settings(args.sandbox).database_url):
        return EXIT_FAILURE
    if args.sandbox:
        os.environ["MONESPACE_PORTAL_SANDBOX"] = "1"
    raise_fd_limit()
    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        proxy_headers=False,
        # Event streams never end by themselves: do not wait for them on shutdown.
        timeout_graceful_shutdown=5,
        # Longer than clients keep idle connections (httpx: 5 s), so a client
        # never sends a request on a connection the server is closing
        # (RemoteProtocolError under load, found by bench/load_bench.py).
        timeout_keep_alive=30,
    )
    return EXIT_OK


def raise_fd_limit() -> tuple[int, int] | None:
    """Raise the soft limit of open files to the hard one; the (soft, hard) now in force.

    Why: every open event stream holds a socket, and the usual soft limit
    (1,024) would refuse connections long before the process is busy. None
    where the platform has no such limit (Windows).
    """
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass  # keep what we have: the server still runs
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def cmd_seed(args: argparse.Namespace) -> int:
    """Bulk-insert dossiers for benchmarks."""
    import time

    from portal.db import make_engine
    from portal.seed import seed_dossiers

    if args.dossiers < 0:
        print("error: --dossiers must be 0 or more", file=sys.stderr)
        return EXIT_FAILURE
    settings = _settings()
    if _schema_outdated(settings.database_url):
        return EXIT_FAILURE
    engine = make_engine(settings.database_url)
    start = time.perf_counter()
    count = seed_dossiers(engine, args.dossiers, seed=args.seed)
    elapsed = time.perf_counter() - start
    engine.dispose()
    print(f"seeded {count} dossiers in {elapsed:.1f} s", file=sys.stderr)
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    """``sandbox revoke|approve|refuse``."""
    if args.sandbox_command in ("approve", "refuse"):
        return cmd_sandbox_decide(args)
    return cmd_sandbox_revoke(args)


def cmd_sandbox_decide(args: argparse.Namespace) -> int:
    """``sandbox approve|refuse CODE --person NRN``: the sandbox page's decision, for scripts."""
    from be_identifiers import compact, is_valid_nrn
    from portal.auth import device
    from portal.db import make_engine, make_sessionmaker
    from portal.models import Person

    code = device.normalise_user_code(args.code)
    if code is None:
        print(
            f"error: {args.code!r} is not a user code (eight letters, e.g. WDJB-MJHT)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    nrn = compact(args.person)
    if not is_valid_nrn(nrn):
        print(f"error: {args.person!r} is not a valid national register number", file=sys.stderr)
        return EXIT_FAILURE
    settings = _settings(sandbox=True)
    if _schema_outdated(settings.database_url):
        return EXIT_FAILURE
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            person = db.get(Person, nrn)
            if person is None:
                print(f"error: no sandbox person has the number {nrn}", file=sys.stderr)
                return EXIT_FAILURE
            row = device.find_pending(db, code)
            if row is None:
                print(f"error: no pending login has the code {code} (expired?)", file=sys.stderr)
                return EXIT_FAILURE
            approve = args.sandbox_command == "approve"
            device.decide(row, person, approve=approve)
            db.commit()
            name = person.name
    finally:
        engine.dispose()
    done = "approved" if approve else "refused"
    print(f"{done} login {code} as {name} ({nrn})", file=sys.stderr)
    return EXIT_OK


def cmd_sandbox_revoke(args: argparse.Namespace) -> int:
    """``sandbox revoke NRN``: the support scenario "my card was stolen"."""
    from be_identifiers import compact, is_valid_nrn
    from portal.db import make_engine, make_sessionmaker
    from portal.models import Person
    from portal.sandbox.cards import revoke_cards

    nrn = compact(args.nrn)
    if not is_valid_nrn(nrn):
        print(f"error: {args.nrn!r} is not a valid national register number", file=sys.stderr)
        return EXIT_FAILURE
    settings = _settings(sandbox=True)
    if _schema_outdated(settings.database_url):
        return EXIT_FAILURE
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            person = db.get(Person, nrn)
            if person is None:
                print(f"error: no sandbox person has the number {nrn}", file=sys.stderr)
                return EXIT_FAILURE
            revoked = revoke_cards(person, settings.effective_pki_dir)
            name = person.name
    finally:
        engine.dispose()
    serials = ", ".join(format(c.serial_number, "X") for c in revoked)
    print(
        f"revoked {len(revoked)} certificates of {name} ({nrn}): {serials}\n"
        "logins with these cards are refused and their open sessions end within "
        f"{settings.revocation_recheck_seconds} s (the portal's status cache)",
        file=sys.stderr,
    )
    return EXIT_OK


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _describe(exc: Exception) -> str:
    """One readable line for an error, without SQL or a traceback."""
    from sqlalchemy.exc import ArgumentError, DBAPIError

    if isinstance(exc, DBAPIError):
        return f"database error: {type(exc.orig).__name__}: {str(exc.orig).splitlines()[0]}"
    if isinstance(exc, ArgumentError):
        return f"invalid MONESPACE_PORTAL_DATABASE_URL: {exc}"
    return str(exc) or type(exc).__name__


COMMANDS = {"init": cmd_init, "serve": cmd_serve, "seed": cmd_seed, "sandbox": cmd_sandbox}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``monespace-portal``."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"error: {_describe(exc)}", file=sys.stderr)
        logging.getLogger("portal").debug("command failed", exc_info=True)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
