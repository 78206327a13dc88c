"""The authorization matrix (matrix.txt), checked against the running portal.

- every operation of the OpenAPI document has a line, and every line an
  operation;
- every line, sent as every kind of caller, gets the answer class of its cell;
- a caller who may not see an object gets exactly the answer a made-up id
  gets (status, problem type and detail): nobody learns that another's
  dossier, file, document or payment exists;
- the same with an empty body (authentication and the acting context come
  before validation; an object lookup may come after, but then a 422 is the
  same for a real and a made-up id);
- bulk results, and files named in a message or complement request, do not
  tell an unseen object from a missing one;
- lists, exports and event streams show only what the matrix lets the
  caller open, and a back-office search by another's dossier id finds (and
  counts) what a made-up id does.

Test ids carry the backend and the line, e.g.
``test_matrix[sqlite-GET /api/v1/dossiers/{dossier_id} [cit-sub]]``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from typing import Any

import anyio
import pytest
from authz_matrix_support import (
    AGENT,
    AGENT_OTHER,
    API,
    BODIES,
    CALLERS,
    COMPANY,
    LEGAL_REP,
    MANDATAIRE_OUT,
    NONEXISTENT,
    STREAMS,
    Answer,
    Caller,
    Row,
    World,
    answer_of,
    explain,
    fill,
    parse_matrix,
    path_params,
    probe,
)

ROWS = parse_matrix()
_IDS = [row.name for row in ROWS]


def _operations(app: Any) -> set[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def test_every_operation_has_a_line_and_every_line_an_operation(world: World) -> None:
    served = _operations(world.app)
    listed = {row.operation for row in ROWS}
    missing = sorted(served - listed)
    gone = sorted(listed - served)
    problems = [f"{m} {p}: not in the matrix — add it to matrix.txt" for m, p in missing]
    problems += [f"{m} {p}: in matrix.txt but no longer served — remove it" for m, p in gone]
    assert not problems, "\n".join(problems)


def _reading_only_on_postgres(world: World, row: Row) -> None:
    if not world.probes_writes and row.method != "GET":
        pytest.skip("writes are probed on SQLite only (World.probes_writes)")


def test_each_line_is_there_once() -> None:
    seen: dict[str, int] = {}
    for row in ROWS:
        assert row.name not in seen, f"{row.name}: lines {seen[row.name]} and {row.line}"
        seen[row.name] = row.line


@pytest.mark.parametrize("row", ROWS, ids=_IDS)
def test_matrix(world: World, row: Row) -> None:
    _reading_only_on_postgres(world, row)
    found = {caller.column: probe(world, row, caller) for caller in CALLERS}
    if any(found[c].cls != row.expected[c] for c in found):  # a 500 never matches a cell
        pytest.fail(explain(row, found), pytrace=False)


# --- no existence leak -------------------------------------------------------------

#: Parameters naming an object someone may not know about (all but the public `code`).
_OBJECT_PARAMS = tuple(p for p in NONEXISTENT if p != "code")


def _parents(world: World, value: str) -> set[str]:
    """Objects through which one knows ``value``: its dossier (for a file, receipt or
    payment: an agent sees their ids in the dossier), its webhook (for a delivery)."""
    found = set()
    for name, target in world.targets.items():
        if target != value:
            continue
        if name == "delivery":
            found.add(world.targets["webhook"])
        elif name.startswith(("att-", "doc-", "pay-")):
            found.add(world.targets[name[4:]])
    return found


def _visible(world: World, caller: Caller, value: str) -> bool:
    """Whether the matrix lets ``caller`` succeed on any line naming ``value`` (or a parent)."""
    known = {value, *_parents(world, value)}
    return any(
        row.expected[caller.column] == "2xx" and known & set(fill(world, row).split("/"))
        for row in ROWS
    )


def _normalised(answer: Answer, value: str) -> tuple[int, str, str]:
    """Status, problem type and detail with the id itself blanked out (whole tokens only)."""
    detail = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "<id>", answer.detail)
    return answer.status, answer.problem, detail


def _object_value(world: World, row: Row, param: str) -> str:
    """The id that fills ``param`` in ``row``."""
    return fill(world, row).split("/")[row.path.split("/").index("{" + param + "}")]


def _unseen(world: World, row: Row) -> list[tuple[str, str, Caller]]:
    """``(param, value, caller)`` for every object of the row a caller may not see."""
    found = []
    for param in (p for p in path_params(row.path) if p in _OBJECT_PARAMS):
        value = _object_value(world, row, param)
        for caller in CALLERS:
            if row.expected[caller.column] != "2xx" and not _visible(world, caller, value):
                found.append((param, value, caller))
    return found


_LEAK_ROWS = [row for row in ROWS if set(path_params(row.path)) & set(_OBJECT_PARAMS)]


@pytest.mark.parametrize("row", _LEAK_ROWS, ids=[row.name for row in _LEAK_ROWS])
def test_no_caller_learns_that_an_object_exists(world: World, row: Row) -> None:
    _reading_only_on_postgres(world, row)
    differences = []
    for param, value, caller in _unseen(world, row):
        real = probe(world, row, caller)
        made_up = probe(world, row, caller, nonexistent=param)
        if _normalised(real, value) != _normalised(made_up, NONEXISTENT[param]):
            differences.append(_difference(caller, param, real, made_up))
    assert not differences, f"{row.name}: the answers tell the object exists\n" + "\n".join(
        differences
    )


def _difference(caller: Caller, param: str, real: Answer, made_up: Answer) -> str:
    return (
        f"  {caller.column:8} {param}: real {real.short()}\n"
        f"  {'':8} {'':{len(param)}}  made-up {made_up.short()}"
    )


# --- refused before validation ----------------------------------------------------

_BODY_ROWS = [row for row in ROWS if row.operation in BODIES and row.method != "GET"]


@pytest.mark.parametrize("row", _BODY_ROWS, ids=[row.name for row in _BODY_ROWS])
def test_an_invalid_body_tells_nothing_either(world: World, row: Row) -> None:
    """With an empty JSON body: 401 stays 401, and an unseen object stays unseen.

    Decided: authentication and the acting context are checked before the
    body (they are FastAPI dependencies); the object itself is looked up by
    the handler, after FastAPI has checked the body's shape. So a caller who
    may not see a dossier can get a 422 for a malformed body — but exactly
    the 422 a made-up id gets: the shape is public (OpenAPI), the object's
    existence is not.
    """
    _reading_only_on_postgres(world, row)
    wrong = []
    for caller in CALLERS:
        if row.expected[caller.column] == "401":
            answer = _send_empty(world, row, caller)
            if answer.status != 401:
                wrong.append(f"  {caller.column:8} expected 401, got {answer.short()}")
    for param, value, caller in _unseen(world, row):
        real = _send_empty(world, row, caller)
        made_up = _send_empty(world, row, caller, nonexistent=param)
        if _normalised(real, value) != _normalised(made_up, NONEXISTENT[param]):
            wrong.append(_difference(caller, param, real, made_up))
    assert not wrong, f"{row.name} with an empty body:\n" + "\n".join(wrong)


def _send_empty(world: World, row: Row, caller: Caller, nonexistent: str | None = None) -> Answer:
    world.restore()
    headers = world.headers(caller.nrn, caller.acting_as)
    path = fill(world, row, nonexistent=nonexistent)
    response = world.client.request(row.method, path, headers=headers, json={})
    return answer_of(
        response.status_code, response.headers.get("content-type", ""), response.content
    )


def test_bulk_results_do_not_tell_unseen_from_missing(world: World) -> None:
    """An agent's bulk run names the ids it was given: unseen ones read like missing ones."""
    made_up = NONEXISTENT["dossier_id"]
    for caller, unseen in ((AGENT_OTHER, "cit-sub"), (AGENT, "co-draft"), (AGENT, "co-sub")):
        if caller == AGENT and unseen == "co-sub":
            continue  # the agent sees it (its service, submitted)
        real_id = world.targets[unseen]
        body = {"action": "claim", "ids": [real_id, made_up], "dry_run": True}
        results = world.ok(caller, "POST", f"{API}/agent/bulk", json=body)["results"]
        assert len(results) == 2, results
        real, missing = (dict(r) for r in results)
        assert real.pop("id") == real_id and missing.pop("id") == made_up
        assert real == missing, f"{caller} tells {unseen} from a missing dossier: {results}"


_DUE = (dt.date.today() + dt.timedelta(days=20)).isoformat()
#: (caller, method, path with {target}, body): requests naming files in ``attachment_ids``.
_REFERENCES = (
    ("citizen", "POST", "/dossiers/{cit-sub}/messages", {"body": "Voir pièce."}),
    ("m_in", "POST", "/dossiers/{co-sub}/messages", {"body": "Voir pièce."}),
    (
        "super",
        "POST",
        "/agent/dossiers/{cit-sub}/complement",
        {"message": "Voir.", "due_date": _DUE},
    ),
)


@pytest.mark.parametrize("reference", _REFERENCES, ids=lambda r: f"{r[0]} {r[2]}")
def test_files_named_in_a_body_tell_nothing(
    world: World, reference: tuple[str, str, str, dict[str, Any]]
) -> None:
    """Naming another's file in ``attachment_ids`` reads like naming a made-up one."""
    column, method, template, body = reference
    if not world.probes_writes:
        pytest.skip("writes are probed on SQLite only (World.probes_writes)")
    caller = next(c for c in CALLERS if c.column == column)
    path = API + re.sub(r"\{([\w-]+)\}", lambda m: world.targets[m.group(1)], template)
    foreign = [
        v
        for n, v in world.targets.items()
        if n.startswith("att-") and world.targets[n[4:]] not in path
    ]
    answers = {}
    for file_id in (*foreign, NONEXISTENT["attachment_id"]):
        world.restore()
        headers = world.headers(caller.nrn, caller.acting_as)
        naming = body | {"attachment_ids": [file_id]}
        response = world.client.request(method, path, headers=headers, json=naming)
        world.dirty = response.status_code < 400
        answers[file_id] = (response.status_code, response.text.replace(file_id, "<id>"))
    own = {k: v for k, v in answers.items() if v[0] < 400}
    assert not own, f"{column} attached another dossier's file: {own}"
    assert len(set(answers.values())) == 1, answers


# --- lists ------------------------------------------------------------------------

_LIST_ROWS = [
    row
    for row in ROWS
    if row.method == "GET" and not path_params(row.path) and row.path != "/healthz"
]
_PRIVATE_TARGET = re.compile(r"^(att-|doc-|pay-)?(cit|co)-(draft|sub)$")


#: What some lists must show (else the leak check below could pass on empty lists).
_MUST_SHOW = {
    "/api/v1/dossiers": ("citizen", "cit-sub"),
    "/api/v1/documents": ("citizen", "doc-cit-sub"),
    "/api/v1/payments": ("rep", "pay-co-sub"),
    "/api/v1/events": ("m_in", "co-sub"),
    "/api/v1/agent/queue": ("agent", "co-sub"),
    "/api/v1/agent/export": ("agent", "cit-sub"),
    "/api/v1/agent/events": ("super", "cit-sub"),
}


@pytest.mark.parametrize("row", _LIST_ROWS, ids=[row.name for row in _LIST_ROWS])
def test_lists_show_only_what_the_caller_may_open(world: World, row: Row) -> None:
    private = {n: v for n, v in world.targets.items() if _PRIVATE_TARGET.match(n)}
    leaks = []
    for caller in CALLERS:
        if row.expected[caller.column] != "2xx":
            continue
        answer = probe(world, row, caller)
        for name, value in sorted(private.items()):
            if value in answer.body and not _visible(world, caller, value):
                leaks.append(f"  {caller.column:8} sees {name} ({value})")
        if _MUST_SHOW.get(row.path, ("",))[0] == caller.column:
            name = _MUST_SHOW[row.path][1]
            assert world.targets[name] in answer.body, f"{caller.column} does not see {name}"
    assert not leaks, f"{row.name} shows objects the caller may not open:\n" + "\n".join(leaks)


#: Back-office reads that search: what an agent finds by a dossier's id.
_SEARCHES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/agent/queue", {"status": "all"}),
    ("/agent/queue/counts", {}),
    ("/agent/export", {"status": "all", "format": "jsonl"}),
)


@pytest.mark.parametrize("search", _SEARCHES, ids=lambda s: s[0])
def test_searching_for_an_unseen_dossier_finds_what_a_made_up_id_finds(
    world: World, search: tuple[str, dict[str, str]]
) -> None:
    """``q=<id>`` over another service's dossier, or a draft, answers as for a made-up id.

    The counts matter most: "1 in review" for a dossier of another service
    would tell it exists.
    """
    path, params = search
    made_up = NONEXISTENT["dossier_id"]
    agents = [c for c in CALLERS if c.column in ("agent", "agent_x", "super")]
    differences = []
    for caller in agents:
        for name in ("cit-draft", "cit-sub", "co-draft", "co-sub"):
            dossier_id = world.targets[name]
            if _visible(world, caller, dossier_id):
                continue
            found = []
            for q in (dossier_id, made_up, dossier_id.rsplit("-", 1)[-1].lstrip("0")):
                answer = world.call(caller.nrn, "GET", API + path, params=params | {"q": q})
                assert answer.status_code == 200, answer.text
                found.append(answer.text.replace(q, "<q>"))
            if len(set(found[:2])) != 1 or dossier_id in found[2]:
                differences.append(f"  {caller.column:8} q={dossier_id} ({name}): {found}")
    assert not differences, f"{path} tells unseen dossiers apart:\n" + "\n".join(differences)
    # and the search does find a dossier one may see (else the above proves nothing)
    seen, missing = (
        world.call(AGENT, "GET", API + path, params=params | {"q": q}).text
        for q in (world.targets["co-sub"], made_up)
    )
    assert seen.replace(world.targets["co-sub"], "<q>") != missing.replace(made_up, "<q>")


# --- leaks the matrix found (fixed in portal/, kept here by name) -------------------


def test_a_mandataire_reads_its_clients_register_data(world: World) -> None:
    """GET /mydata as a mandataire wrote the client's access-log entry in a reading
    request: a 500 (portal/api/mydata.py now marks it ``@writes``)."""
    data = world.ok(MANDATAIRE_OUT, "GET", f"{API}/mydata", acting_as=COMPANY)
    assert data["source"] == "bce" and data["organisation"]["bce"] == COMPANY
    log = world.ok(LEGAL_REP, "GET", f"{API}/mydata/access-log", acting_as=COMPANY)["items"]
    assert any(e["accessor"]["nrn"] == MANDATAIRE_OUT for e in log), log


def test_an_agent_file_of_another_service_names_no_dossier(world: World) -> None:
    """GET /agent/attachments/{id}/content answered "dossier 'MSP-…' not found" for a file
    of another service or of a draft: the file existed, and which dossier it belonged to
    (portal/api/agent.py now answers like for a made-up id)."""
    for nrn, target in ((AGENT_OTHER, "att-cit-sub"), (AGENT, "att-co-draft")):
        file_id = world.targets[target]
        answer = world.call(nrn, "GET", f"{API}/agent/attachments/{file_id}/content")
        assert answer.status_code == 404, answer.text
        assert "MSP-" not in answer.text and file_id in answer.json()["detail"], answer.text


# --- live event streams -------------------------------------------------------------

_STREAM_ROWS = [row for row in ROWS if (row.method, row.path) in STREAMS]


def _listen(world: World, path: str, headers: dict[str, str]) -> tuple[Any, Any, Any]:
    """Open a stream in the app's event loop: (future of its body, opened, stop) events."""
    opened, stop = threading.Event(), threading.Event()

    async def run() -> bytes:
        body = bytearray()
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            while not stop.is_set():
                await anyio.sleep(0.02)
            return {"type": "http.disconnect"}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                opened.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "state": {},
        }
        with anyio.fail_after(30):
            await world.app(scope, receive, send)
        return bytes(body)

    return world.client.portal.start_task_soon(run), opened, stop


def test_live_stream_events_reach_only_who_may_see_them(world: World) -> None:
    """Every caller's open stream (no resume: the hub's live fan-out) against the matrix.

    An event is written on each private dossier while all the streams allowed
    by the matrix are open; each stream must carry only dossiers its caller
    may open (and the ones ``_MUST_SHOW`` names).
    """
    if not world.probes_writes:
        pytest.skip("events are written (and undone) on SQLite only")
    from portal.domain.dossiers import record_event
    from portal.models import Dossier, parse_dossier_id

    world.restore()
    # Restoring a snapshot rolls event ids back under the running hub: start it afresh.
    world.app.state.stream_hub._cursor = None
    listening = []
    for row in _STREAM_ROWS:
        for caller in CALLERS:
            if row.expected[caller.column] == "2xx":
                headers = world.headers(caller.nrn, caller.acting_as)
                listening.append((row, caller, *_listen(world, row.path, headers)))
    for *_, opened, _stop in listening:
        assert opened.wait(10), "a stream did not open"
    time.sleep(0.3)  # the hub's first round (it starts from the newest id)
    names = ("cit-draft", "cit-sub", "co-draft", "co-sub")
    world.dirty = True
    with world.app.state.sessionmaker() as db:
        for name in names:
            parsed = parse_dossier_id(world.targets[name])
            assert parsed is not None
            dossier = db.get(Dossier, parsed[1])
            assert dossier is not None
            record_event(db, dossier, "message", actor_nrn=LEGAL_REP, acting_as="me")
        db.commit()
    time.sleep(1.5)
    leaks, missing = [], []
    for row, caller, future, _opened, stop in listening:
        stop.set()
        body = future.result(30).decode()
        seen = {world_name for world_name in names if world.targets[world_name] in body}
        for name in sorted(seen):
            if not _visible(world, caller, world.targets[name]):
                leaks.append(f"  {row.path} {caller.column} got {name}")
        must = _MUST_SHOW.get(row.path)
        if must is not None and must[0] == caller.column and must[1] not in seen:
            missing.append(f"  {row.path} {caller.column} did not get {must[1]}")
    assert not leaks, "live events the caller may not see:\n" + "\n".join(leaks)
    assert not missing, "live events missing:\n" + "\n".join(missing)
