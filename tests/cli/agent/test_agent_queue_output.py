"""``agent queue`` for scripts and for people who are not agents.

CSV columns come from the API's schema, in a fixed order, whatever the rows
hold; a cut list says so on stderr; a person who is no agent is told so.
"""

from __future__ import annotations

import csv
import io
import json

from agent_support import APPLICANT, FIDUCIAIRE


def test_csv_columns_do_not_depend_on_the_rows(agent, file_dossier) -> None:
    file_dossier()
    first = agent("agent", "queue", "--assigned", "none", "--limit", "1", "-o", "csv")
    every = agent("agent", "queue", "--status", "all", "--all", "-o", "csv")
    assert first.code == 0 and every.code == 0, first.err + every.err
    header = next(csv.reader(io.StringIO(first.out)))
    assert header == next(csv.reader(io.StringIO(every.out)))
    assert header.index("assigned_to.nrn") < header.index("updated_at")
    assert header[:3] == ["id", "procedure", "procedure_title"]


def test_a_cut_list_says_there_is_more(agent, file_dossier) -> None:
    file_dossier()
    file_dossier()
    cut = agent("agent", "queue", "--status", "all", "--limit", "1", "-o", "jsonl")
    assert cut.code == 0, cut.err
    assert len(cut.out.splitlines()) == 1
    assert "More dossiers match than the 1 shown." in cut.err and "--all" in cut.err
    whole = agent("agent", "queue", "--status", "all", "--all", "-o", "jsonl")
    assert "More dossiers match" not in whole.err


def test_not_an_agent_is_told_so(as_person) -> None:
    applicant = as_person(APPLICANT)
    done = applicant("agent", "queue")
    assert done.code == 4, done.err  # the back office stays hidden: not found
    assert "You are not an agent of any service" in done.err
    assert "no such resource" not in done.err


NOTE = ["id", "author.nrn", "author.name", "body", "created_at"]
EVENT = [
    "id", "dossier_id", "type", "at", "actor.nrn", "actor.name", "acting_as", "old", "new",
    "detail",
]  # fmt: skip
MESSAGE = [
    "id", "dossier_id", "author.nrn", "author.name", "author.role", "body", "attachments",
    "created_at", "complement_request", "due_at",
]  # fmt: skip
WEBHOOK = ["id", "service", "url", "event_types", "description", "active", "created_at"]


def _csv_rows(run, *args: str) -> list[list[str]]:
    result = run(*args, "-o", "csv")
    assert result.code == 0, result.err
    return list(csv.reader(io.StringIO(result.out)))


def test_side_lists_have_the_schema_columns_even_empty(
    agent, supervisor, applicant, file_dossier
) -> None:
    dossier_id = file_dossier()
    assert _csv_rows(agent, "agent", "notes", dossier_id) == [NOTE]
    assert _csv_rows(applicant, "--as", FIDUCIAIRE, "message", "list", dossier_id) == [MESSAGE]
    history = _csv_rows(agent, "agent", "history", dossier_id)
    assert history[0] == EVENT and len(history) > 1
    assert _csv_rows(applicant, "--as", FIDUCIAIRE, "dossier", "history", dossier_id)[0] == EVENT
    assert _csv_rows(supervisor, "agent", "webhook", "list")[0] == WEBHOOK


def test_history_json_lines_have_the_same_keys_on_every_line(applicant, file_dossier) -> None:
    dossier_id = file_dossier()
    done = applicant("--as", FIDUCIAIRE, "dossier", "history", dossier_id, "-o", "jsonl")
    assert done.code == 0, done.err
    keys = [list(json.loads(line)) for line in done.out.splitlines()]
    top = list(dict.fromkeys(name.split(".")[0] for name in EVENT))
    assert len(keys) > 1 and all(k[: len(top)] == top for k in keys), keys
