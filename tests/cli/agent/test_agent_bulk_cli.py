"""``monespace agent bulk``: dry run equal to the real run, confirmation, skipped changes.

The "changed in between" case needs a real pause between the CLI's dry run
and its real run: the CLI runs on a pseudo-terminal, and while it waits for
the confirmation the supervisor claims one of the dossiers through the API;
that dossier must come back skipped (exit 7), the others changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from agent_support import AGENT, SUPERVISOR
from cli_helpers import answer_on_a_terminal, cli_env


def ok_json(result: Any) -> Any:
    assert result.code == 0, (result.code, result.err)
    return json.loads(result.out)


def _shape(results: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["id"], r["outcome"], r["old_status"], r["new_status"]) for r in results]


def test_dry_run_equals_the_real_run(agent, file_dossier) -> None:
    ids = [file_dossier() for _ in range(3)]
    preview = ok_json(
        agent("agent", "bulk", "claim", "--ids", ",".join(ids), "--dry-run", "-o", "json")
    )
    assert preview["dry_run"] is True
    assert _shape(preview["results"]) == [(i, "changed", "submitted", "in_review") for i in ids]
    untouched = ok_json(agent("agent", "queue", "--search", ids[0], "-o", "json"))
    assert untouched[0]["status"] == "submitted"  # the dry run wrote nothing

    done = agent(
        "agent",
        "bulk",
        "claim",
        "--ids",
        ids[0],
        "--ids",
        ids[1],
        "--ids",
        ids[2],
        "--yes",
        "-o",
        "json",
    )
    real = ok_json(done)
    assert real["dry_run"] is False
    assert _shape(real["results"]) == _shape(preview["results"])
    assert real["summary"] == {"changed": 3, "skipped": 0, "failed": 0}
    for dossier_id in ids:
        item = ok_json(agent("agent", "queue", "--search", dossier_id, "-o", "json"))[0]
        assert (item["status"], item["assigned_to"]["nrn"]) == ("in_review", AGENT)


def test_bulk_decide_from_a_file_with_a_partial_failure(agent, file_dossier, tmp_path) -> None:
    ready = [file_dossier(), file_dossier()]
    not_claimed = file_dossier()  # still submitted: a decision needs in_review
    assert ok_json(agent("agent", "bulk", "claim", "--ids", ",".join(ready), "--yes", "-o", "json"))
    listing = tmp_path / "ids.txt"
    listing.write_text("# à décider\n" + "\n".join([*ready, not_claimed]) + "\n")
    args = (
        "agent",
        "bulk",
        "decide",
        "accept",
        "--motivation",
        "Dossier complet.",
        "--from-file",
        str(listing),
    )
    preview = agent(*args, "--dry-run")
    assert preview.code == 0, preview.err  # a dry run only tells
    rows = [line.split("\t") for line in preview.out.splitlines()]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (ready[0], "in_review → accepted", "changed"),
        (ready[1], "in_review → accepted", "changed"),
        (not_claimed, "submitted → submitted", "failed"),
    ]
    done = agent(*args, "--yes")
    assert done.code == 7, done.err  # partial success
    assert "1 dossier not changed" in done.err
    outcomes = [line.split("\t")[2] for line in done.out.splitlines()]
    assert outcomes == ["changed", "changed", "failed"]
    status = ok_json(agent("agent", "queue", "--status", "all", "--search", ready[0], "-o", "json"))
    assert status[0]["status"] == "accepted"


def test_bulk_needs_yes_without_a_terminal_and_checks_its_arguments(agent, file_dossier) -> None:
    dossier_id = file_dossier()
    asked = agent("agent", "bulk", "claim", "--ids", dossier_id)
    assert asked.code == 2
    assert "--yes" in asked.err
    assert (
        ok_json(agent("agent", "queue", "--search", dossier_id, "-o", "json"))[0]["status"]
        == "submitted"
    )
    assert agent("agent", "bulk", "approve", "--ids", dossier_id).code == 2
    assert agent("agent", "bulk", "decide", "--ids", dossier_id).code == 2
    assert agent("agent", "bulk", "decide", "accept", "--ids", dossier_id).code == 2  # motivation
    assert agent("agent", "bulk", "assign", "--ids", dossier_id).code == 2
    both = agent("agent", "bulk", "claim", "--ids", dossier_id, "--status", "submitted")
    assert both.code == 2
    piped = agent(
        "agent",
        "bulk",
        "claim",
        "--from-file",
        "-",
        "--dry-run",
        "-o",
        "json",
        input=dossier_id + "\n",
    )
    assert [r["id"] for r in ok_json(piped)["results"]] == [dossier_id]


def test_bulk_over_a_filter(agent, file_dossier) -> None:
    dossier_id = file_dossier()
    preview = ok_json(
        agent("agent", "bulk", "claim", "--search", dossier_id, "--dry-run", "-o", "json")
    )
    assert _shape(preview["results"]) == [(dossier_id, "changed", "submitted", "in_review")]
    done = ok_json(agent("agent", "bulk", "claim", "--search", dossier_id, "--yes", "-o", "json"))
    assert done["summary"]["changed"] == 1


@pytest.mark.slow
def test_more_than_the_portal_takes_at_once_is_split(agent, file_dossier) -> None:
    real = file_dossier()
    unknown = [f"MSP-2026-9{n:05d}" for n in range(5000)]
    result = ok_json(
        agent("agent", "bulk", "claim", "--from-file", "-", "--dry-run", "-o", "json",
              input="\n".join([*unknown, real]) + "\n")
    )  # fmt: skip
    assert len(result["results"]) == 5001
    assert result["summary"] == {"changed": 1, "skipped": 0, "failed": 5000}
    assert result["results"][-1]["id"] == real


def test_a_dossier_changed_between_dry_run_and_run_is_skipped(
    portal_server, tokens, file_dossier, tmp_path: Path
) -> None:
    ids = [file_dossier() for _ in range(3)]
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=tokens(AGENT))

    def supervisor_takes_the_second() -> None:
        answer = httpx.post(
            f"{portal_server.url}/api/v1/agent/dossiers/{ids[1]}/claim",
            headers={"Authorization": f"Bearer {tokens(SUPERVISOR)}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text

    argv = ["agent", "bulk", "claim", "--ids", ",".join(ids)]
    code, screen = answer_on_a_terminal(
        argv, env, "[y/N]", "y", before_answer=supervisor_takes_the_second, timeout=60
    )
    assert code == 7, screen
    # the report table: ID, OLD → NEW, OUTCOME, REASON (the last table wins: the real run)
    outcome = {
        w[0]: w[4:] for w in (line.split() for line in screen.splitlines()) if w and w[0] in ids
    }
    assert outcome[ids[0]] == ["changed"] and outcome[ids[2]] == ["changed"]
    assert outcome[ids[1]] == ["skipped", "changed"]  # reason: changed meanwhile
    with httpx.Client(
        base_url=portal_server.url + "/api/v1",
        headers={"Authorization": f"Bearer {tokens(AGENT)}"},
        timeout=30,
    ) as http:
        second = http.get(f"/agent/dossiers/{ids[1]}").json()
        first = http.get(f"/agent/dossiers/{ids[0]}").json()
    assert second["assigned_to"]["nrn"] == SUPERVISOR  # not overwritten
    assert first["assigned_to"]["nrn"] == AGENT
