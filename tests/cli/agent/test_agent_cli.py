"""``monespace agent``: queue, show, claim/release/assign, notes, complement, decide.

The real CLI in a subprocess against the real portal, logged in as the
sandbox agents of SPW-EER (Anne Gilson, supervisor; Maxime Piron, agent)
and, for the other side of each exchange, as the applicant with the
applicant's own commands (``message send``, ``document download/verify``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from agent_support import AGENT, APPLICANT, FIDUCIAIRE, OUTSIDER, PROCEDURE, SUPERVISOR

from portal import pdf


def ok_json(result: Any) -> Any:
    assert result.code == 0, (result.code, result.err)
    return json.loads(result.out)


# -- queue ------------------------------------------------------------------------


def test_queue_finds_a_new_dossier_with_filters_and_formats(agent, file_dossier) -> None:
    dossier_id = file_dossier()
    found = ok_json(agent("agent", "queue", "--search", dossier_id, "-o", "json"))
    assert [item["id"] for item in found] == [dossier_id]
    item = found[0]
    assert item["status"] == "submitted"
    assert item["procedure"] == PROCEDURE
    assert item["service"] == "SPW-EER"
    assert item["applicant"]["id"] == FIDUCIAIRE
    assert item["assigned_to"] is None

    # filters are sent and applied: the same dossier, seen or not
    wanted = ("--search", dossier_id, "-o", "json")
    assert ok_json(agent("agent", "queue", "--status", "submitted", *wanted))
    assert ok_json(agent("agent", "queue", "--assigned", "none", *wanted))
    assert ok_json(agent("agent", "queue", "--procedure", f"SESAM,{PROCEDURE}", *wanted))
    assert ok_json(agent("agent", "queue", "--service", "SPW-EER", *wanted))
    assert ok_json(agent("agent", "queue", "--status", "accepted", *wanted)) == []
    assert ok_json(agent("agent", "queue", "--assigned", "me", *wanted)) == []
    assert ok_json(agent("agent", "queue", "--procedure", "SESAM", *wanted)) == []
    assert ok_json(agent("agent", "queue", "--older-than", "3", *wanted)) == []
    assert ok_json(agent("agent", "queue", "--overdue", *wanted)) == []

    lines = agent("agent", "queue", "--search", dossier_id, "-o", "jsonl")
    assert [json.loads(line)["id"] for line in lines.out.splitlines()] == [dossier_id]
    rows = list(
        csv.DictReader(
            io.StringIO(agent("agent", "queue", "--search", dossier_id, "-o", "csv").out)
        )
    )
    assert [(r["id"], r["status"], r["applicant.id"]) for r in rows] == [
        (dossier_id, "submitted", FIDUCIAIRE)
    ]
    ids = agent("agent", "queue", "--search", dossier_id, "--jq", ".[].id")
    assert ids.out.split() == [dossier_id]


def test_queue_table_counts_sort_limit_and_all(agent, file_dossier) -> None:
    first, second = file_dossier(), file_dossier()
    table = agent("agent", "queue", "--procedure", PROCEDURE, "--all")
    assert table.code == 0, table.err
    listed = [line.split("\t")[0] for line in table.out.splitlines()]
    assert first in listed and second in listed
    assert "submitted" in table.err and "open" in table.err  # counts per status on stderr
    counts = {
        line.split()[0]: int(line.split()[1]) for line in table.err.splitlines() if line.strip()
    }
    assert counts["submitted"] >= 2
    assert (
        counts["open"] == counts["submitted"] + counts["in_review"] + counts["awaiting_complement"]
    )

    one = ok_json(agent("agent", "queue", "--limit", "1", "-o", "json"))
    assert len(one) == 1
    newest = ok_json(agent("agent", "queue", "--sort", "-age", "--limit", "1", "-o", "json"))
    oldest = ok_json(agent("agent", "queue", "--sort", "age", "--limit", "1", "-o", "json"))
    assert newest[0]["submitted_at"] >= oldest[0]["submitted_at"]


def test_queue_bad_filters_are_usage_errors(agent) -> None:
    assert agent("agent", "queue", "--status", "pending").code == 2
    assert agent("agent", "queue", "--sort", "size").code == 2
    bad_nrn = agent("agent", "queue", "--assigned", "12345678901")
    assert bad_nrn.code == 5
    assert "national register number" in bad_nrn.err


def test_someone_who_is_no_agent_finds_no_back_office(applicant) -> None:
    result = applicant("agent", "queue")
    assert result.code == 4, result.err
    assert "Traceback" not in result.err


# -- one dossier --------------------------------------------------------------------


def test_show_for_people_and_scripts_and_the_access_log(agent, applicant, file_dossier) -> None:
    dossier_id = file_dossier()
    human = agent("agent", "show", dossier_id, "--purpose", "Contrôle de recevabilité")
    assert human.code == 0, human.err
    for text in (
        dossier_id,
        "Back office",
        "SPW-EER",
        "/cheque_type",
        "service_agreement",
        "History",
    ):
        assert text in human.out, text
    shown = ok_json(agent("agent", "show", dossier_id, "-o", "json"))
    assert shown["id"] == dossier_id
    assert shown["service"] == "SPW-EER"
    assert shown["notes"] == []
    assert shown["data"]["cheque_type"] == "export"

    log = ok_json(applicant("mydata", "access-log", "--as", FIDUCIAIRE, "-o", "json"))
    purposes = [e.get("purpose") for e in log if e.get("dossier_id") in (dossier_id, None)]
    assert "Contrôle de recevabilité" in purposes


def test_an_agent_of_another_service_gets_not_found(as_person, file_dossier) -> None:
    dossier_id = file_dossier()
    outsider = as_person(OUTSIDER)
    result = outsider("agent", "show", dossier_id)
    assert result.code == 4, result.err
    assert outsider("agent", "claim", dossier_id).code == 4
    assert dossier_id not in outsider("agent", "queue", "--search", dossier_id).out


def test_claim_and_release(agent, supervisor, file_dossier) -> None:
    dossier_id = file_dossier()
    claimed = agent("agent", "claim", dossier_id)
    assert claimed.code == 0, claimed.err
    assert "in_review" in claimed.err
    shown = ok_json(agent("agent", "show", dossier_id, "-o", "json"))
    assert shown["status"] == "in_review"
    assert shown["assigned_to"]["nrn"] == AGENT
    mine = ok_json(
        agent("agent", "queue", "--assigned", "me", "--search", dossier_id, "-o", "json")
    )
    assert [i["id"] for i in mine] == [dossier_id]

    taken = supervisor("agent", "claim", dossier_id)  # someone else holds it: a conflict
    assert taken.code == 5, taken.err

    released = ok_json(agent("agent", "release", dossier_id, "-o", "json"))
    assert released["assigned_to"] is None
    assert released["status"] == "in_review"


def test_assign_is_for_supervisors(agent, supervisor, file_dossier) -> None:
    dossier_id = file_dossier()
    refused = agent("agent", "assign", dossier_id, SUPERVISOR)
    assert refused.code == 3, refused.err
    assert "supervisor" in refused.err
    assigned = supervisor("agent", "assign", dossier_id, AGENT)
    assert assigned.code == 0, assigned.err
    shown = ok_json(agent("agent", "show", dossier_id, "-o", "json"))
    assert shown["assigned_to"]["nrn"] == AGENT
    assert shown["status"] == "in_review"
    not_an_agent = supervisor("agent", "assign", dossier_id, APPLICANT)
    assert not_an_agent.code == 5, not_an_agent.err
    assert "/nrn" in not_an_agent.err
    assert supervisor("agent", "assign", dossier_id, "12345678901").code == 5  # check digits


def test_private_notes_stay_private(agent, applicant, file_dossier) -> None:
    dossier_id = file_dossier()
    added = agent("agent", "note", dossier_id, "Appeler le comptable pour la convention")
    assert added.code == 0, added.err
    notes = ok_json(agent("agent", "notes", dossier_id, "-o", "json"))
    assert [n["body"] for n in notes] == ["Appeler le comptable pour la convention"]
    assert notes[0]["author"]["nrn"] == AGENT
    table = agent("agent", "notes", dossier_id)
    assert "Appeler le comptable" in table.out
    history = ok_json(agent("agent", "history", dossier_id, "-o", "json"))
    assert "note" in [e["type"] for e in history]

    seen_by_applicant = applicant("dossier", "show", dossier_id, "--as", FIDUCIAIRE, "-o", "json")
    assert "Appeler le comptable" not in seen_by_applicant.out
    assert agent("agent", "note", dossier_id, "  ").code == 2


# -- complement and decision ----------------------------------------------------------


def test_complement_round_trip_with_the_applicant_cli(
    agent, applicant, file_dossier, tmp_path
) -> None:
    dossier_id = file_dossier()
    asked = agent(
        "agent", "complement", dossier_id,
        "--message", "Merci de joindre la convention signée par les deux parties.",
        "--due", "+14d",
    )  # fmt: skip
    assert asked.code == 0, asked.err
    shown = ok_json(agent("agent", "show", dossier_id, "-o", "json"))
    assert shown["status"] == "awaiting_complement"
    assert shown["due_at"]

    thread = ok_json(applicant("message", "list", dossier_id, "--as", FIDUCIAIRE, "-o", "json"))
    assert thread[-1]["complement_request"] is True
    convention = tmp_path / "convention.pdf"
    convention.write_bytes(pdf.render(["Convention signée"]))
    answered = applicant(
        "message", "send", dossier_id, "Voici la convention signée.",
        "--attach", str(convention), "--as", FIDUCIAIRE,
    )  # fmt: skip
    assert answered.code == 0, answered.err
    assert ok_json(agent("agent", "show", dossier_id, "-o", "json"))["status"] == "in_review"
    # The agent reads the answer and saves its attachment.
    human = agent("agent", "show", dossier_id)
    assert "Voici la convention signée." in human.out and "convention.pdf" in human.out
    saved = agent("agent", "download", dossier_id, "--dir", str(tmp_path / "got"), "-o", "json")
    paths = [Path(row["path"]) for row in ok_json(saved)]
    assert convention.read_bytes() in [p.read_bytes() for p in paths]


def test_complement_due_dates(agent, file_dossier) -> None:
    dossier_id = file_dossier()
    past = agent("agent", "complement", dossier_id, "--message", "x", "--due", "01/01/2020")
    assert past.code == 5, past.err  # the portal wants a date in the future
    assert (
        agent("agent", "complement", dossier_id, "--message", "x", "--due", "31/02/2027").code == 2
    )
    assert agent("agent", "complement", dossier_id, "--message", "x").code == 2
    both = agent("agent", "complement", dossier_id, "--due", "+3d")
    assert both.code == 2 and "--message" in both.err


def test_decide_files_a_sealed_decision_the_applicant_can_verify(
    agent, applicant, file_dossier, tmp_path
) -> None:
    dossier_id = file_dossier()
    early = agent("agent", "decide", dossier_id, "accept", "--motivation", "Complet.")
    assert early.code == 5, early.err  # only from in_review
    assert agent("agent", "claim", dossier_id).code == 0
    assert agent("agent", "decide", dossier_id, "maybe", "--motivation", "x").code == 2
    motivation = tmp_path / "motivation.txt"
    motivation.write_text("Le dossier est complet et le prestataire est labellisé.\n")
    decided = ok_json(
        agent(
            "agent",
            "decide",
            dossier_id,
            "accept",
            "--motivation-file",
            str(motivation),
            "-o",
            "json",
        )
    )
    assert decided["status"] == "accepted"
    document_id = decided["decision_document_id"]

    target = tmp_path / "decision.pdf"
    got = applicant(
        "document", "download", document_id, "--output-file", str(target), "--as", FIDUCIAIRE
    )
    assert got.code == 0, got.err
    assert target.read_bytes().startswith(b"%PDF")
    verified = applicant("document", "verify", str(target))
    assert verified.code == 0, verified.err
    assert "Valid seal" in verified.err
    again = agent("agent", "decide", dossier_id, "refuse", "--motivation", "x")
    assert again.code == 5  # decided dossiers do not move
