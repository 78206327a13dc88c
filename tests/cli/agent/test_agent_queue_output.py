"""``agent queue`` for scripts and for people who are not agents.

CSV columns come from the API's schema, in a fixed order, whatever the rows
hold; a cut list says so on stderr; a person who is no agent is told so.
"""

from __future__ import annotations

import csv
import io

from agent_support import APPLICANT


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
