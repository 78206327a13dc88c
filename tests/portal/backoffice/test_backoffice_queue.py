"""The queue: every filter against a plain Python reading of the table, counts, keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.models import Dossier, Procedure, dossier_public_id, utcnow

from .conftest import EER_AGENT, EER_SUPERVISOR

OPEN = {"submitted", "in_review", "awaiting_complement"}


@pytest.fixture
def rows(portal_app, seeded):
    """Every dossier of Maxime Piron's services (SPW-EER, FOREM), read directly."""
    with portal_app.state.sessionmaker() as db:
        query = (
            select(Dossier, Procedure.service_code)
            .join(Procedure, Procedure.code == Dossier.procedure_code)
            .where(Procedure.service_code.in_(["SPW-EER", "FOREM"]), Dossier.status != "draft")
        )
        return [(d, service) for d, service in db.execute(query).all()]


def _ids(rows, keep) -> set[str]:
    return {dossier_public_id(d.id, d.created_at) for d, s in rows if keep(d, s)}


def _all_pages(user, params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = user.ok(
            "get",
            "/agent/queue",
            params={**params, "limit": 37, **({"cursor": cursor} if cursor else {})},
        )
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("sort", ["age", "-age", "due", "-due", "updated"])
def test_paging_through_every_sort_gives_each_dossier_once_in_order(as_user, rows, sort):
    items = _all_pages(as_user(EER_AGENT), {"status": "all", "sort": sort})
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == _ids(rows, lambda d, s: True)
    key = {
        "age": "submitted_at",
        "-age": "submitted_at",
        "due": "decision_due_at",
        "-due": "decision_due_at",
        "updated": "updated_at",
    }[sort]
    values = [i[key] for i in items]
    assert values == sorted(values, reverse=sort.startswith("-") or sort == "updated")


def test_default_queue_is_the_open_dossiers_oldest_first(as_user, rows):
    items = _all_pages(as_user(EER_AGENT), {})
    assert {i["id"] for i in items} == _ids(rows, lambda d, s: d.status in OPEN)
    first = items[0]
    assert set(first) >= {
        "id",
        "procedure",
        "procedure_title",
        "service",
        "title",
        "status",
        "applicant",
        "submitted_at",
        "decision_due_at",
        "overdue",
        "age_days",
        "assigned_to",
        "updated_at",
        "version",
    }


def test_filters_match_a_plain_reading_of_the_table(as_user, rows):
    piron = as_user(EER_AGENT)
    now = utcnow()

    def check(params, keep):
        got = {i["id"] for i in _all_pages(piron, {"status": "all", **params})}
        assert got == _ids(rows, keep), params

    check(
        {"status": "in_review,awaiting_complement"},
        lambda d, s: d.status in {"in_review", "awaiting_complement"},
    )
    check(
        {"procedure": "SESAM,APE-GESTION"},
        lambda d, s: d.procedure_code in {"SESAM", "APE-GESTION"},
    )
    check({"service": "FOREM"}, lambda d, s: s == "FOREM")
    check({"assigned": "none"}, lambda d, s: d.assigned_to is None)
    check({"assigned": EER_SUPERVISOR}, lambda d, s: d.assigned_to == EER_SUPERVISOR)
    check({"assigned": "me"}, lambda d, s: d.assigned_to == EER_AGENT)
    check({"overdue": "true"}, lambda d, s: d.status in OPEN and d.decision_due_at < now)
    check({"older_than": "60"}, lambda d, s: d.submitted_at <= now - dt.timedelta(days=60))
    name = next(d.applicant_name for d, s in rows)
    fragment = name.split()[0][1:].upper()
    check(
        {"q": fragment},
        lambda d, s: (
            fragment.lower() in d.applicant_name.lower() or fragment.lower() in d.title.lower()
        ),
    )
    some = next(d for d, s in rows)
    public = dossier_public_id(some.id, some.created_at)
    got = {i["id"] for i in _all_pages(piron, {"status": "all", "q": public.lower()})}
    assert got == {public}
    # a procedure of another service gives nothing, never another service's dossiers
    assert _all_pages(piron, {"status": "all", "procedure": "PERMIS-PECHE"}) == []


def test_overdue_and_age_fields(as_user, rows):
    items = _all_pages(as_user(EER_AGENT), {"status": "all"})
    now = utcnow()
    by_id = {dossier_public_id(d.id, d.created_at): d for d, s in rows}
    for item in items:
        d = by_id[item["id"]]
        assert item["overdue"] == (d.status in OPEN and d.decision_due_at < now)
        assert item["age_days"] == (now - d.submitted_at).days
        assert (item["assigned_to"] or {}).get("nrn") == d.assigned_to


def test_counts_per_status(as_user, rows):
    piron = as_user(EER_AGENT)
    answer = piron.ok("get", "/agent/queue/counts", params={"status": "accepted"})  # ignored
    expected = {}
    for d, _s in rows:
        expected[d.status] = expected.get(d.status, 0) + 1
    assert {k: v for k, v in answer["counts"].items() if v} == expected
    assert set(answer["counts"]) == {
        "submitted",
        "in_review",
        "awaiting_complement",
        "accepted",
        "refused",
        "closed",
        "withdrawn",
    }
    assert answer["total"] == sum(expected.get(s, 0) for s in OPEN)
    forem = piron.ok("get", "/agent/queue/counts", params={"service": "FOREM", "assigned": "none"})
    assert forem["total"] == len(
        _ids(rows, lambda d, s: s == "FOREM" and d.assigned_to is None and d.status in OPEN)
    )


def test_bad_parameters_are_clear_errors(as_user, seeded):
    piron = as_user(EER_AGENT)
    assert piron.get("/agent/queue", params={"sort": "name"}).status_code == 422
    assert piron.get("/agent/queue", params={"assigned": "bob"}).status_code == 422
    assert piron.get("/agent/queue", params={"overdue": "perhaps"}).status_code == 422
    assert piron.get("/agent/queue", params={"cursor": "garbage"}).status_code == 400
    page = piron.ok("get", "/agent/queue", params={"limit": 2})
    other_sort = piron.get("/agent/queue", params={"sort": "due", "cursor": page["next_cursor"]})
    assert other_sort.status_code == 400  # a cursor is bound to its sort
