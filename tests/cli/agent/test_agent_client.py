"""The agent client itself: argument shaping (pure) and the client on the real portal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from agent_support import AGENT, SUPERVISOR

from monespace_cli.client import PortalClient, queue_params
from monespace_cli.client._agent import bulk_bodies, export_query, merge_bulk
from monespace_cli.commands.agent.options import parse_due, read_ids
from monespace_cli.errors import UsageProblem


def test_queue_params_leave_out_what_is_unset() -> None:
    assert queue_params(status=["submitted", "in_review"], overdue=False, q=None) == {
        "status": "submitted,in_review"
    }
    assert queue_params(overdue=True, older_than=0, assigned="me") == {
        "overdue": "true",
        "older_than": 0,
        "assigned": "me",
    }


def test_bulk_bodies_split_long_lists_and_keep_filters_whole() -> None:
    ids = [f"MSP-2026-{n:06d}" for n in range(12_001)]
    bodies = bulk_bodies("claim", None, ids=ids, dry_run=True)
    assert [len(b["ids"]) for b in bodies] == [5000, 5000, 2001]
    assert [i for b in bodies for i in b["ids"]] == ids
    assert all(b["dry_run"] is True and b["action"] == "claim" for b in bodies)
    (one,) = bulk_bodies("release", {}, filter={"status": "in_review"})
    assert one["filter"] == {"status": "in_review"}
    assert bulk_bodies("claim", None, items=[]) == []
    with pytest.raises(ValueError):
        bulk_bodies("claim", None, ids=["a"], filter={})


def test_merge_bulk_adds_up_the_chunks() -> None:
    part = {"results": [{"id": "a"}], "summary": {"changed": 1, "skipped": 0, "failed": 2}}
    merged = merge_bulk([part, part], dry_run=False)
    assert merged["summary"] == {"changed": 2, "skipped": 0, "failed": 4}
    assert len(merged["results"]) == 2


def test_export_query() -> None:
    query = export_query({"status": "all", "q": "Fiduciaire & co"}, "csv", ["id", "status"], True)
    assert (
        query
        == "agent/export?status=all&q=Fiduciaire+%26+co&format=csv&fields=id%2Cstatus&excel=true"
    )


def test_due_dates_people_write() -> None:
    today = dt.date(2026, 11, 23)
    assert parse_due("2026-12-31", today=today) == "2026-12-31"
    assert parse_due("31/12/2026", today=today) == "2026-12-31"
    assert parse_due("+14d", today=today) == "2026-12-07"
    assert parse_due("+8j", today=today) == "2026-12-01"
    for bad in ("31/02/2026", "tomorrow", "+d", "12/2026"):
        with pytest.raises(UsageProblem):
            parse_due(bad, today=today)


def test_ids_from_options_and_files(tmp_path) -> None:
    listing = tmp_path / "ids.txt"
    listing.write_text("MSP-2026-000003  # the third\n\n# comment\nMSP-2026-000001\n")
    found = read_ids(["MSP-2026-000001,MSP-2026-000002"], str(listing), io.StringIO())
    assert found == ["MSP-2026-000001", "MSP-2026-000002", "MSP-2026-000003"]
    assert read_ids(None, "-", io.StringIO("MSP-2026-000009\n")) == ["MSP-2026-000009"]
    assert read_ids(None, None, io.StringIO()) is None


def test_sync_client_against_the_portal(portal_server, tokens, file_dossier) -> None:
    dossier_id = file_dossier()
    with PortalClient(portal_server.url, token=tokens(SUPERVISOR)) as client:
        services = client.agent_services()
        assert [s["code"] for s in services] == ["SPW-EER"]
        assert services[0]["role"] == "supervisor"
        assert AGENT in [a["nrn"] for a in services[0]["agents"]]
        page = client.agent_queue(q=dossier_id, limit=5)
        assert [i["id"] for i in page.items] == [dossier_id]
        version = page.items[0]["version"]
        assigned = client.assign(dossier_id, AGENT, version=version)
        assert assigned["assigned_to"] is not None
        from monespace_cli.client import StaleVersion

        with pytest.raises(StaleVersion):
            client.release(dossier_id, version=version)  # the version moved with the assignment
        counts = client.agent_counts(q=dossier_id, status="accepted")  # status ignored
        assert counts["counts"]["in_review"] == 1 and counts["total"] == 1
