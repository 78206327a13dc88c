"""``monespace auth token create|list|revoke`` and ``MONESPACE_TOKEN=mspat_…`` end to end.

The real CLI in a subprocess against the real uvicorn portal: a GAP creates
a token from a card session and a CI job runs ``roles plan
--detailed-exitcode`` with it; outside its scope, revoked, expired, or once
its creator lost the role it acts through, the token gets a clear message
and exit 3; ``--expires`` over a year is a usage error (exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from cli_helpers import cli_env, run_cli
from csam_support import ARDENNE, KEVIN, SOPHIE, TREMPLIN_GAP

from portal.auth.scopes import SCOPES as PORTAL_SCOPES


def _with_token(token: str, home: Path, url: str):  # type: ignore[no-untyped-def]
    env = cli_env(home, MONESPACE_PORTAL=url, MONESPACE_TOKEN=token)
    return lambda *args: run_cli(list(args), env)


def _create(cli, *args: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    made = cli("auth", "token", "create", "-o", "json", *args)
    assert made.code == 0, made.err
    body = json.loads(made.out)
    assert body["token"].startswith("mspat_")
    return body["token"], body


def test_ci_job_runs_roles_plan_with_a_token(cli_as, portal_server, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    made = kevin(
        "auth", "token", "create", "--name", "ci", "--scope", "roles:read", "--as", ARDENNE
    )
    assert made.code == 0, made.err
    secret = made.out.strip()
    assert secret.startswith("mspat_") and "shown only once" in made.err
    exported = kevin("roles", "export", "--org", ARDENNE)
    assert exported.code == 0, exported.err
    wanted = tmp_path / "roles.yaml"
    wanted.write_text(exported.out)

    ci = _with_token(secret, tmp_path / "ci", portal_server.url)
    plan = ci("roles", "plan", "-f", str(wanted), "--detailed-exitcode")
    assert plan.code == 0, plan.err

    # outside its scope: 403 naming the scope, exit 3, and how to get one that may
    grant = ci("roles", "grant", SOPHIE, "--org", ARDENNE, "--domain", "nature", "--level", "act")
    assert grant.code == 3, grant.err
    assert "roles:write" in grant.err and "--scope roles:write" in grant.err

    # a token cannot make tokens
    again = ci("auth", "token", "create", "--name", "x", "--scope", "roles:read")
    assert again.code == 3 and "card login session" in again.err

    listed = json.loads(kevin("auth", "token", "list", "-o", "json").out)
    mine = next(t for t in listed if t["id"] == _id(listed, "ci"))
    assert mine["last_used_at"] and mine["last_used_from"] == "127.0.0.1"
    assert mine["acting_as"] == ARDENNE and mine["scopes"] == ["roles:read"]
    org = kevin("auth", "token", "list", "--org", ARDENNE)
    assert org.code == 0 and mine["id"] in org.out and KEVIN in org.out

    revoked = kevin("auth", "token", "revoke", mine["id"], "--org", ARDENNE)
    assert revoked.code == 0, revoked.err
    after = ci("roles", "plan", "-f", str(wanted), "--detailed-exitcode")
    assert after.code == 1 and "revoked" in after.err  # plan's documented error code
    after = ci("roles", "list", "--org", ARDENNE)
    assert after.code == 3 and "the access token was revoked" in after.err
    assert "monespace auth token create" in after.err
    history = kevin("roles", "history", "--org", ARDENNE, "-o", "json")
    assert "token.create" in history.out and "token.revoke" in history.out


def _id(tokens: list[dict], name: str) -> str:
    return str(next(t["id"] for t in tokens if t["name"] == name and not t["revoked_at"]))


def test_expired_token_and_lifetime_limit(cli_as, portal_server, tmp_path: Path) -> None:
    kevin = cli_as(KEVIN)
    too_long = kevin(
        "auth", "token", "create", "--name", "x", "--scope", "roles:read", "--expires", "400d"
    )
    assert too_long.code == 2 and "over one year" in too_long.err
    secret, made = _create(kevin, "--name", "short", "--scope", "dossiers:read", "--expires", "1d")
    ci = _with_token(secret, tmp_path / "ci", portal_server.url)
    assert ci("dossier", "list").code == 0
    engine = sa.create_engine(portal_server.database_url)
    with engine.begin() as db:
        past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(tzinfo=None)
        db.execute(
            sa.text("UPDATE access_tokens SET expires_at = :t WHERE id = :i"),
            {"t": past, "i": made["id"]},
        )
    engine.dispose()
    expired = ci("dossier", "list")
    assert expired.code == 3 and "expired" in expired.err
    listed = kevin("auth", "token", "list")
    assert "short" in listed.out and "expired" in listed.out


def test_token_stops_when_its_creator_loses_the_role(cli_as, portal_server, tmp_path: Path) -> None:
    kevin, staff = cli_as(KEVIN), cli_as(TREMPLIN_GAP)
    args = ("--name", "ardenne", "--scope", "dossiers:read", "--as", ARDENNE)
    before = staff("auth", "token", "create", *args)
    assert before.code == 3 and ARDENNE in before.err  # no role there yet: no token
    grant = kevin(
        "roles", "grant", TREMPLIN_GAP, "--org", ARDENNE, "--domain", "animals", "--level", "act"
    )
    assert grant.code == 0, grant.err
    secret, _made = _create(staff, *args)
    ci = _with_token(secret, tmp_path / "ci", portal_server.url)
    assert ci("dossier", "list").code == 0
    revoke = kevin("roles", "revoke", TREMPLIN_GAP, "--org", ARDENNE, "--domain", "animals")
    assert revoke.code == 0, revoke.err
    gone = ci("dossier", "list")
    assert gone.code == 3
    assert f"no longer holds a role or mandate for organisation {ARDENNE}" in gone.err


def test_auth_token_without_verb_still_prints_the_session_token(cli_as) -> None:
    kevin = cli_as(KEVIN)
    shown = kevin("auth", "token")
    assert shown.code == 0 and shown.out.strip() == kevin.env["MONESPACE_TOKEN"]
    assert kevin("auth", "token", "show").out == shown.out


def test_the_cli_knows_the_portals_scopes() -> None:
    from monespace_cli.commands.auth import SCOPES

    assert SCOPES == PORTAL_SCOPES
