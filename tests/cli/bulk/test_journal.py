"""The journal's state machine and what it records (no portal needed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monespace_cli.bulk import journal as jn

INFO = jn.JobInfo(
    job_id="j",
    procedure="SESAM",
    file="/tmp/clients.csv",
    file_sha256="ab" * 32,
    mapping_sha256="",
    portal="http://127.0.0.1:1",
    created_at="2026-11-23T16:00:00Z",
    concurrency=3,
)


def new(tmp_path: Path, rows: int = 3, rejected: dict[int, str] | None = None) -> jn.Journal:
    rejected = rejected or {}
    return jn.Journal.create(
        tmp_path / "j.sqlite",
        INFO,
        [(n, "0641238591", {"data": {"n": n}}, rejected.get(n)) for n in range(2, rows + 2)],
    )


def test_a_row_goes_through_every_state_and_survives_reopening(tmp_path: Path) -> None:
    journal = new(tmp_path)
    journal.advance(2, jn.CREATED, dossier_id="MSP-2026-000001", dossier_status="draft")
    journal.advance(2, jn.ATTACHMENTS)
    journal.advance(2, jn.SUBMITTED, dossier_status="submitted")
    journal.close()
    again = jn.Journal.open(tmp_path / "j.sqlite")
    row = again.get(2)
    assert (row.state, row.dossier_id, row.dossier_status) == (
        jn.SUBMITTED,
        "MSP-2026-000001",
        "submitted",
    )
    assert row.payload == {"data": {"n": 2}}
    assert again.info == INFO
    assert again.counts() == {
        "pending": 2,
        "created": 0,
        "attachments": 0,
        "submitted": 1,
        "rejected": 0,
    }
    assert again.unfinished() == 2


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], jn.ATTACHMENTS),
        ([], jn.SUBMITTED),
        ([jn.CREATED], jn.PENDING),
        ([jn.CREATED], jn.SUBMITTED),
        ([jn.CREATED, jn.ATTACHMENTS, jn.SUBMITTED], jn.REJECTED),
        ([jn.REJECTED], jn.CREATED),
    ],
)
def test_no_row_goes_back_or_skips_a_step(tmp_path: Path, path: list[str], bad: str) -> None:
    journal = new(tmp_path)
    for state in path:
        journal.advance(2, state, dossier_id="MSP-2026-000001" if state == jn.CREATED else None)
    with pytest.raises(jn.InvalidTransition):
        journal.advance(2, bad)
    assert journal.get(2).state == (path[-1] if path else jn.PENDING)


@settings(max_examples=100, deadline=None)
@given(moves=st.lists(st.tuples(st.integers(2, 4), st.sampled_from(jn.STATES)), max_size=30))
def test_any_sequence_of_moves_keeps_the_machine(
    tmp_path_factory: pytest.TempPathFactory, moves: list[tuple[int, str]]
) -> None:
    """Allowed moves happen, forbidden ones raise; rows only move forward."""
    journal = new(tmp_path_factory.mktemp("j"))
    order = {s: i for i, s in enumerate(jn.STATES)}
    for row, state in moves:
        before = journal.get(row).state
        if state in jn.TRANSITIONS[before]:
            journal.advance(row, state)
            assert journal.get(row).state == state
            assert state == jn.REJECTED or order[state] == order[before] + 1
        else:
            with pytest.raises(jn.InvalidTransition):
                journal.advance(row, state)
            assert journal.get(row).state == before


def test_rows_rejected_at_creation_keep_their_reason(tmp_path: Path) -> None:
    journal = new(tmp_path, rejected={3: "bce: not a valid BCE number"})
    assert journal.get(3).state == jn.REJECTED
    assert journal.get(3).error == "bce: not a valid BCE number"
    assert [r.row for r in journal.rows(states=[jn.PENDING])] == [2, 4]


def test_a_job_is_never_created_twice_and_junk_is_not_a_journal(tmp_path: Path) -> None:
    new(tmp_path)
    with pytest.raises(jn.JournalError, match="already exists"):
        new(tmp_path)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(jn.JournalError):
        jn.Journal.open(junk)
    with pytest.raises(jn.JournalError):
        jn.Journal.open(tmp_path / "missing.sqlite")


def test_journal_uses_wal(tmp_path: Path) -> None:
    new(tmp_path).close()
    with sqlite3.connect(tmp_path / "j.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
