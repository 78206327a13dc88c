"""The callers, the target objects and the probe behind the authorization matrix.

Why real logins and real rows: the matrix is only worth something if every
caller reaches the portal exactly as in production — a bearer token from the
eID challenge–response signed with the sandbox PKI, an ``X-Acting-As``
context the server checks, CSAM roles and mandates created through the API.
The one shortcut is the expired mandate: the API refuses an end date in the
past, so it is created valid and its end date is then moved into the past in
the database, as time would.

Every probe starts from the same world: the database is snapshotted once the
targets exist, and restored (SQLite backup API, page by page under the
portal's own connections) after any request that may have changed it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import update

from portal.models import Mandate

API = "/api/v1"
MATRIX_FILE = Path(__file__).with_name("matrix.txt")
#: The columns of matrix.txt, in order (one per kind of caller, see CALLERS).
COLUMNS = (
    "anon",
    "citizen",
    "other",
    "member",
    "gap",
    "rep",
    "m_in",
    "m_out",
    "m_exp",
    "agent",
    "agent_x",
    "super",
)
#: The answer classes a cell may hold.
CLASSES = frozenset({"2xx", "400", "401", "403", "404", "409", "412", "422", "428"})


@dataclass(frozen=True)
class Row:
    """One line of matrix.txt: an operation on one target, the class expected per caller."""

    method: str
    path: str
    target: str
    expected: dict[str, str]
    line: int

    @property
    def operation(self) -> tuple[str, str]:
        """``(method, path template)`` as in the OpenAPI document."""
        return self.method, self.path

    @property
    def name(self) -> str:
        """``GET /api/v1/dossiers/{dossier_id} [cit-sub]`` (the test id)."""
        return f"{self.method} {self.path} [{self.target}]"


def parse_matrix(text: str | None = None) -> list[Row]:
    """The rows of matrix.txt (``#`` starts a comment); a malformed line raises."""
    text = MATRIX_FILE.read_text(encoding="utf-8") if text is None else text
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        cells = parts[3:]
        if len(cells) != len(COLUMNS) or any(c not in CLASSES for c in cells):
            raise ValueError(
                f"matrix.txt line {number}: expected method, path, target and "
                f"{len(COLUMNS)} classes among {sorted(CLASSES)}: {raw!r}"
            )
        expected = dict(zip(COLUMNS, cells, strict=True))
        rows.append(Row(parts[0], parts[1], parts[2], expected, number))
    return rows


def format_line(method: str, path: str, target: str, cells: list[str]) -> str:
    """One matrix.txt line, aligned like the file."""
    return f"{method:7}{path:58}{target:14}" + "".join(f"{c:8}" for c in cells).rstrip()


# --- who is who (portal/sandbox/README.md) -------------------------------------

COMPANY = "0459811078"  #: Transports Wéry SA: the client company of the matrix
FIDUCIAIRE = "0856712314"  #: Fiduciaire Meuse & Sambre SRL: its accounting firm (mandataire)
CONSEIL = "1004821515"  #: Conseil & Stratégie Wallonie SRL: mandataire of the expired mandate
DELVAUX = "0477620377"  #: Imprimerie Delvaux SRL: proposes a mandate to the company

CITIZEN = "86040203095"  #: Marie Claire Dubois
OTHER_CITIZEN = "05011716152"  #: Hugo Vandenberghe
MEMBER = "55112114668"  #: Monika Schröder: her role in the company was revoked
GAP = "97062120481"  #: Linh Nguyen: GAP of the company (designated in setup), nothing else
LEGAL_REP = "62062701534"  #: Marc Wéry: legal representative of the company
ROLE_HOLDER = "00022911825"  #: Aurélie Wéry: her environment role in the company is {role_id}
MANDATAIRE_IN = "02090806424"  #: Camille Renard: firm staff, environment role on the mandate
MANDATAIRE_OUT = "91052314742"  #: Julien Martin: firm staff, employment/economy only
MANDATAIRE_EXPIRED = "85073003328"  #: Thomas Dubois: staff of Conseil, mandate expired
AGENT = "94051009265"  #: Émilie Gaspard: agent of NAMUR (CU1 and ENV-DECL-CL3)
AGENT_OTHER = "95101407815"  #: Sarah Hardy: agent of SPW-TLPE
SUPERVISOR = "65080822781"  #: Jean-François Delforge: supervisor of NAMUR
FIRM_GAP = "83110208625"  #: Sophie Lejeune: GAP of the fiduciaire (setup only)
CONSEIL_REP = "87090118922"  #: Olivier Grégoire: legal rep of Conseil (setup only)
DELVAUX_REP = "76071615045"  #: Isabelle Delvaux: legal rep of Delvaux (setup only)

#: The procedure the citizen files, and the one the company files (both NAMUR).
CITIZEN_PROCEDURE = "CU1"
COMPANY_PROCEDURE = "ENV-DECL-CL3"


@dataclass(frozen=True)
class Caller:
    """One column of the matrix: a person (None = anonymous) in one acting context."""

    column: str
    nrn: str | None
    acting_as: str
    who: str


CALLERS: tuple[Caller, ...] = (
    Caller("anon", None, "me", "no token"),
    Caller("citizen", CITIZEN, "me", "the citizen who owns the citizen dossiers"),
    Caller("other", OTHER_CITIZEN, "me", "another citizen"),
    Caller("member", MEMBER, COMPANY, "company member whose only role was revoked"),
    Caller("gap", GAP, COMPANY, "GAP of the company (no legal rep, no role)"),
    Caller("rep", LEGAL_REP, COMPANY, "legal representative of the company"),
    Caller("m_in", MANDATAIRE_IN, COMPANY, "mandataire staff, mandate covers the domain"),
    Caller("m_out", MANDATAIRE_OUT, COMPANY, "mandataire staff, mandate but wrong domain"),
    Caller("m_exp", MANDATAIRE_EXPIRED, COMPANY, "mandataire staff, mandate expired"),
    Caller("agent", AGENT, "me", "agent of the dossiers' service (NAMUR)"),
    Caller("agent_x", AGENT_OTHER, "me", "agent of another service (SPW-TLPE)"),
    Caller("super", SUPERVISOR, "me", "supervisor of the dossiers' service (NAMUR)"),
)
assert tuple(c.column for c in CALLERS) == COLUMNS


# --- answers --------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one probe got: status, problem type slug and detail (for the diff)."""

    status: int
    problem: str = ""
    detail: str = ""
    body: str = ""

    @property
    def cls(self) -> str:
        """The matrix class: ``2xx`` for any success, else the status code."""
        return "2xx" if 200 <= self.status < 300 else str(self.status)

    def short(self) -> str:
        """``404 not-found: dossier 'MSP-…'`` — one line for a failure message."""
        text = f"{self.status}"
        if self.problem:
            text += f" {self.problem}"
        if self.detail:
            text += f": {self.detail[:90]}"
        return text


def answer_of(status: int, content_type: str, content: bytes) -> Answer:
    """An Answer from raw response parts (problem type read from problem+json)."""
    problem = detail = ""
    if content_type.startswith("application/problem+json"):
        try:
            doc = json.loads(content)
        except ValueError:
            doc = {}
        problem = str(doc.get("type", "")).rsplit("/", 1)[-1]
        detail = str(doc.get("detail", ""))
    return Answer(status, problem, detail, content[:200_000].decode("utf-8", "replace"))


# --- the world: targets and logged-in callers ------------------------------------


@dataclass
class World:
    """A portal with the target objects, a token per caller, and a reset button."""

    client: Any
    app: Any
    database: Path | None  #: the SQLite file (None on PostgreSQL: no write is probed there)
    tokens: dict[str, str] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshot: Path = Path()
    dirty: bool = False
    #: Answers to the matrix's own probes (the same from the same world): reused.
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)

    # requests -------------------------------------------------------------
    def headers(self, nrn: str | None, acting_as: str = "me") -> dict[str, str]:
        """Authorization and X-Acting-As for ``nrn`` (nothing for anonymous)."""
        if nrn is None:
            return {}
        return {"Authorization": f"Bearer {self.tokens[nrn]}", "X-Acting-As": acting_as}

    def call(self, nrn: str | None, method: str, path: str, **kw: Any) -> Any:
        """One request as ``nrn`` (setup helper: acting as ``me`` unless told)."""
        acting_as = kw.pop("acting_as", "me")
        headers = {**self.headers(nrn, acting_as), **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def ok(self, nrn: str | None, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        """``call`` that must answer ``status``; the JSON body (None when empty)."""
        answer = self.call(nrn, method, path, **kw)
        assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    # the reset button -------------------------------------------------------
    @property
    def probes_writes(self) -> bool:
        """Whether writes can be probed (and undone): on SQLite, not on PostgreSQL.

        Restoring a PostgreSQL database means recreating it from a template
        (about a second each); there the matrix probes its reading lines only.
        """
        return self.database is not None

    def take_snapshot(self) -> None:
        """Remember the database as it is now (the state every probe starts from)."""
        if self.database is None:
            return
        with sqlite3.connect(self.database) as live, sqlite3.connect(self.snapshot) as copy:
            live.backup(copy)

    def restore(self) -> None:
        """Put the snapshot back if a probe may have changed something."""
        if not self.dirty:
            return
        assert self.database is not None, "a write was probed on PostgreSQL"
        with (
            sqlite3.connect(self.snapshot) as copy,
            sqlite3.connect(self.database, timeout=30) as live,
        ):
            copy.backup(live)
        self.dirty = False


def _pdf() -> bytes:
    from portal import pdf

    return pdf.render(["authz matrix test file"], title="authz")


def _procedure_example(code: str) -> dict[str, Any]:
    root = Path(__file__).resolve().parents[3]
    definition = json.loads((root / f"portal/sandbox/procedures/{code}.json").read_text())
    return dict(definition["example_data"])


def _upload(world: World, nrn: str, acting_as: str, dossier: str, kind: str) -> str:
    files = {"file": ("plan.pdf", _pdf(), "application/pdf")}
    path = f"{API}/dossiers/{dossier}/attachments"
    body = world.ok(nrn, "POST", path, 201, acting_as=acting_as, data={"kind": kind}, files=files)
    return str(body["id"])


def _file_dossier(
    world: World, nrn: str, acting_as: str, procedure: str, kind: str, name: str, submit: bool
) -> None:
    data = _procedure_example(procedure)
    body = {"procedure": procedure, "data": data}
    dossier = world.ok(nrn, "POST", f"{API}/dossiers", 201, acting_as=acting_as, json=body)
    world.targets[name] = dossier["id"]
    world.data[name] = data
    world.targets[f"att-{name}"] = _upload(world, nrn, acting_as, dossier["id"], kind)
    if submit:
        done = world.ok(nrn, "POST", f"{API}/dossiers/{dossier['id']}/submit", acting_as=acting_as)
        world.targets[f"doc-{name}"] = done["receipt_document_id"]
        world.targets[f"pay-{name}"] = done["payment_id"]
        message = {"body": "Une question sur mon dossier."}
        path = f"{API}/dossiers/{dossier['id']}/messages"
        world.ok(nrn, "POST", path, 201, acting_as=acting_as, json=message)
    fresh = world.call(nrn, "GET", f"{API}/dossiers/{dossier['id']}", acting_as=acting_as)
    world.versions[name] = int(fresh.headers["ETag"].strip('"'))


def _csam(world: World) -> None:
    """GAP, revoked member, in-scope mandataire role, proposed and expired mandates."""
    org = f"{API}/organisations/{COMPANY}"
    world.ok(LEGAL_REP, "POST", f"{org}/gaps", 201, json={"nrn": GAP})
    grant = {"nrn": MEMBER, "domain": "environment", "level": "act"}
    revoked = world.ok(LEGAL_REP, "POST", f"{org}/roles", 201, json=grant)
    world.ok(LEGAL_REP, "DELETE", f"{org}/roles/{revoked['id']}", 204)
    staff = {
        "nrn": MANDATAIRE_IN,
        "domain": "environment",
        "level": "act",
        "on_mandates": True,
        "beneficiary": COMPANY,
    }
    world.ok(FIRM_GAP, "POST", f"{API}/organisations/{FIDUCIAIRE}/roles", 201, json=staff)
    roles = world.ok(LEGAL_REP, "GET", f"{org}/roles")["items"]
    world.targets["role"] = next(
        str(r["id"]) for r in roles if r["nrn"] == ROLE_HOLDER and r["domain"] == "environment"
    )
    proposal = {"beneficiary": COMPANY, "mandataire": DELVAUX, "domains": ["planning"]}
    proposed = world.ok(DELVAUX_REP, "POST", f"{API}/mandates", 201, json=proposal)
    world.targets["mandate"] = str(proposed["id"])
    ending = {
        "beneficiary": COMPANY,
        "mandataire": CONSEIL,
        "domains": ["environment"],
        "valid_from": (dt.date.today() - dt.timedelta(days=300)).isoformat(),
        "valid_until": (dt.date.today() + dt.timedelta(days=200)).isoformat(),
    }
    expiring = world.ok(LEGAL_REP, "POST", f"{API}/mandates", 201, json=ending)
    world.targets["mandate-expired"] = str(expiring["id"])
    world.ok(CONSEIL_REP, "POST", f"{API}/mandates/{expiring['id']}/accept")
    expired_staff = {
        "nrn": MANDATAIRE_EXPIRED,
        "domain": "environment",
        "level": "act",
        "on_mandates": True,
    }
    world.ok(CONSEIL_REP, "POST", f"{API}/organisations/{CONSEIL}/roles", 201, json=expired_staff)


def _expire_mandate(world: World) -> None:
    """Move the accepted mandate's end date into the past, as time would."""
    mandate = world.targets["mandate-expired"]
    dossier = f"{API}/dossiers/{world.targets['co-sub']}"
    # Before: the mandate works (else the m_exp column would prove nothing).
    world.ok(MANDATAIRE_EXPIRED, "GET", dossier, acting_as=COMPANY)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with world.app.state.engine.begin() as db:
        db.execute(update(Mandate).where(Mandate.id == int(mandate)).values(valid_until=yesterday))
    state = world.ok(LEGAL_REP, "GET", f"{API}/mandates/{mandate}")["state"]
    assert state == "expired", state
    answer = world.call(MANDATAIRE_EXPIRED, "GET", dossier, acting_as=COMPANY)
    assert answer.status_code == 403, answer.text


def _backoffice(world: World) -> None:
    """A NAMUR webhook, before the filings so that their events give it deliveries."""
    hook = {"service": "NAMUR", "url": "http://127.0.0.1:9/hook", "event_types": ["*"]}
    endpoint = world.ok(SUPERVISOR, "POST", f"{API}/agent/webhooks", 201, json=hook)
    world.targets["webhook"] = endpoint["id"]


def _claim_and_collect(world: World) -> None:
    """The supervisor holds the citizen's submitted dossier; pick a webhook delivery.

    Held by the supervisor, the dossier is in review: an agent's claim is a
    409 and release or assign a 403 (supervisor only), a decision is possible.
    """
    cit_sub = world.targets["cit-sub"]
    world.ok(SUPERVISOR, "POST", f"{API}/agent/dossiers/{cit_sub}/claim")
    fresh = world.call(CITIZEN, "GET", f"{API}/dossiers/{cit_sub}")
    world.versions["cit-sub"] = int(fresh.headers["ETag"].strip('"'))
    hook = world.targets["webhook"]
    deliveries = world.ok(SUPERVISOR, "GET", f"{API}/agent/webhooks/{hook}/deliveries")["items"]
    assert deliveries, "the webhook got no delivery"
    world.targets["delivery"] = str(deliveries[0]["id"])


def build_world(
    client: Any, app: Any, database: Path | None, login: Callable[..., str], scratch: Path
) -> World:
    """Log every caller in and create the targets through the API."""
    world = World(client=client, app=app, database=database, snapshot=scratch / "snapshot.db")
    people = {c.nrn for c in CALLERS if c.nrn} | {FIRM_GAP, CONSEIL_REP, DELVAUX_REP}
    for nrn in sorted(people):
        world.tokens[nrn] = login(client, nrn)
    _csam(world)
    _backoffice(world)
    _file_dossier(world, CITIZEN, "me", CITIZEN_PROCEDURE, "annex14", "cit-draft", False)
    _file_dossier(world, CITIZEN, "me", CITIZEN_PROCEDURE, "annex14", "cit-sub", True)
    company = (MANDATAIRE_IN, COMPANY, COMPANY_PROCEDURE, "site_plan")
    _file_dossier(world, *company, "co-draft", False)
    _file_dossier(world, *company, "co-sub", True)
    _expire_mandate(world)
    _claim_and_collect(world)
    notes = world.ok(CITIZEN, "GET", f"{API}/notifications")["items"]
    assert notes, "the citizen got no notification"
    world.targets["notification"] = str(notes[0]["id"])
    world.targets["code"] = COMPANY_PROCEDURE
    world.targets["bce"] = COMPANY
    world.targets["gap-nrn"] = GAP
    token = {"name": "matrix", "scopes": ["dossiers:read"], "acting_as": COMPANY}
    world.targets["token"] = world.ok(LEGAL_REP, "POST", f"{API}/auth/tokens", 201, json=token)[
        "id"
    ]
    _scoped_tokens(world)
    world.take_snapshot()
    return world


def _scoped_tokens(world: World) -> None:
    """An access token of each scope for each caller who may create one in its context.

    Stored under ``"<nrn>/<scope>"`` in ``world.tokens``, so that a
    :func:`token_caller` probes like its creator, through the token.
    """
    from portal.auth.scopes import SCOPES

    for caller in CALLERS:
        if caller.nrn is None:
            continue
        for scope in SCOPES:
            body = {"name": scope, "scopes": [scope], "acting_as": caller.acting_as}
            made = world.call(caller.nrn, "POST", f"{API}/auth/tokens", json=body)
            if made.status_code == 201:
                world.tokens[f"{caller.nrn}/{scope}"] = made.json()["token"]


def token_caller(world: World, caller: Caller, scope: str) -> Caller | None:
    """``caller`` through its access token of ``scope`` (None: it may create none)."""
    key = f"{caller.nrn}/{scope}"
    if key not in world.tokens:
        return None
    return Caller(f"{caller.column}[{scope}]", key, caller.acting_as, f"{caller.who}, {scope}")


# --- probes: from a matrix row to a request ----------------------------------------

#: Which target fills each path parameter that is not the row's own target.
_PARAM_TARGET = {
    "code": "code",
    "bce": "bce",
    "nrn": "gap-nrn",
    "role_id": "role",
    "mandate_id": "mandate",
    "endpoint_id": "webhook",
    "delivery_id": "delivery",
    "notification_id": "notification",
    "token_id": "token",
}

#: Ids that exist nowhere, per path parameter (for "no existence leak").
NONEXISTENT = {
    "dossier_id": f"MSP-{dt.date.today().year}-987654",
    "attachment_id": "att_" + "n" * 22,
    "document_id": "doc_" + "n" * 22,
    "payment_id": "pay_" + "n" * 22,
    "notification_id": "987654321",
    "mandate_id": "987654",
    "role_id": "987654",
    "endpoint_id": "wh_" + "n" * 22,
    "delivery_id": "987654321",
    "bce": "0999999922",  # valid (mod 97), in no register
    "nrn": "50010199730",  # valid (mod 97), nobody's
    "code": "NO-SUCH-PROCEDURE",
    "token_id": "pat_" + "n" * 22,
}


def path_params(path: str) -> list[str]:
    """``["bce", "role_id"]`` for ``/organisations/{bce}/roles/{role_id}``."""
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


#: Path parameters filled with the row's own target (its dossier, or a file of it).
_ROW_PARAMS = frozenset({"dossier_id", "attachment_id", "document_id", "payment_id"})


def fill(world: World, row: Row, *, nonexistent: str | None = None) -> str:
    """The row's path with its parameters filled (``nonexistent`` one by a made-up id)."""
    path = row.path
    for name in path_params(row.path):
        if name == nonexistent:
            value = NONEXISTENT[name]
        elif name in _ROW_PARAMS:
            value = world.targets[row.target]
        else:
            value = world.targets[_PARAM_TARGET[name]]
        path = path.replace("{" + name + "}", value)
    return path


def request_kwargs(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    """A minimal valid request for the row (body, If-Match, query) as ``caller``."""
    key = (row.method, row.path)
    builder = _replay_all if key in STREAMS else BODIES.get(key)
    kwargs: dict[str, Any] = builder(world, row, caller) if builder else {}
    return kwargs


def _json(body: Mapping[str, Any]) -> Callable[[World, Row, Caller], dict[str, Any]]:
    return lambda world, row, caller: {"json": dict(body)}


def _login_body(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    from eid.pki import SandboxPKI
    from tests.conftest import sandbox_person, sign_login_message

    pki = SandboxPKI.open(world.app.state.settings.pki_dir)
    challenge = world.client.post(f"{API}/auth/challenges").json()
    credentials = pki.issue_person(sandbox_person(CITIZEN), "1.8")
    return {"json": sign_login_message(credentials, challenge)}


def _device_token_body(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    """A fresh, still pending device code: every caller is told to wait (400, RFC 8628)."""
    started = world.client.post(f"{API}/auth/device").json()
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    return {"json": {"grant_type": grant, "device_code": started["device_code"]}}


def _put_data(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    data, version = world.data[row.target], world.versions[row.target]
    return {"json": data, "headers": {"If-Match": f'"{version}"'}}


def _upload_body(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    return {"data": {"kind": "other"}, "files": {"file": ("a.pdf", _pdf(), "application/pdf")}}


def _due(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    due = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    return {"json": {"message": "Merci de joindre le plan.", "due_date": due}}


def _bulk(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    return {"json": {"action": "claim", "ids": [world.targets["cit-sub"]], "dry_run": True}}


def _mandates_query(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    return {"params": {"organisation": COMPANY}}


BODIES: dict[tuple[str, str], Callable[[World, Row, Caller], dict[str, Any]]] = {
    ("POST", f"{API}/auth/sessions"): _login_body,
    ("POST", f"{API}/auth/device/token"): _device_token_body,
    ("POST", f"{API}/sandbox/cards"): _json({"nrn": CITIZEN, "pin": "1234"}),
    ("POST", f"{API}/auth/tokens"): _json({"name": "ci", "scopes": ["dossiers:read"]}),
    ("POST", f"{API}/dossiers"): _json({"procedure": COMPANY_PROCEDURE}),
    ("PUT", f"{API}/dossiers/{{dossier_id}}/data"): _put_data,
    ("POST", f"{API}/dossiers/{{dossier_id}}/attachments"): _upload_body,
    ("POST", f"{API}/dossiers/{{dossier_id}}/messages"): _json({"body": "Bonjour."}),
    ("POST", f"{API}/organisations/{{bce}}/gaps"): _json({"nrn": OTHER_CITIZEN}),
    ("POST", f"{API}/organisations/{{bce}}/roles"): _json(
        {"nrn": OTHER_CITIZEN, "domain": "planning", "level": "consult"}
    ),
    ("PATCH", f"{API}/organisations/{{bce}}/roles/{{role_id}}"): _json({"level": "act"}),
    ("POST", f"{API}/organisations/{{bce}}/roles:apply"): _json({"changes": [], "dry_run": True}),
    ("GET", f"{API}/mandates"): _mandates_query,
    ("POST", f"{API}/mandates"): _json(
        {"beneficiary": COMPANY, "mandataire": CONSEIL, "domains": ["health"]}
    ),
    ("POST", f"{API}/agent/dossiers/{{dossier_id}}/assign"): _json({"nrn": AGENT}),
    ("POST", f"{API}/agent/dossiers/{{dossier_id}}/complement"): _due,
    ("POST", f"{API}/agent/dossiers/{{dossier_id}}/notes"): _json({"body": "Note interne."}),
    ("POST", f"{API}/agent/dossiers/{{dossier_id}}/decision"): _json(
        {"outcome": "accept", "motivation": "Conforme."}
    ),
    ("POST", f"{API}/agent/dossiers/{{dossier_id}}/attachments"): _upload_body,
    ("POST", f"{API}/agent/bulk"): _bulk,
    ("POST", f"{API}/agent/webhooks"): _json(
        {"service": "NAMUR", "url": "http://127.0.0.1:9/other", "event_types": ["*"]}
    ),
}

#: Operations whose answer is an endless stream: probed at the ASGI level, from
#: the first event on (``Last-Event-ID: 0``), listening until the first event
#: (and the rest of its batch) or STREAM_LISTEN seconds.
STREAMS = frozenset({("GET", f"{API}/events"), ("GET", f"{API}/agent/events")})
STREAM_LISTEN = 0.5


def _replay_all(world: World, row: Row, caller: Caller) -> dict[str, Any]:
    return {"headers": {"Last-Event-ID": "0"}}


def probe(world: World, row: Row, caller: Caller, *, nonexistent: str | None = None) -> Answer:
    """Send the row's request as ``caller`` on the pristine world; what came back."""
    key = (row.name, caller.column)
    if nonexistent is None and key in world.answers:
        return world.answers[key]
    world.restore()
    path = fill(world, row, nonexistent=nonexistent)
    kwargs = request_kwargs(world, row, caller)
    headers = {**world.headers(caller.nrn, caller.acting_as), **kwargs.pop("headers", {})}
    if (row.method, row.path) in STREAMS:
        answer = stream_probe(world, path, headers)
    else:
        response = world.client.request(row.method, path, headers=headers, **kwargs)
        content_type = response.headers.get("content-type", "")
        answer = answer_of(response.status_code, content_type, response.content)
    if row.method != "GET" and answer.status < 400:
        world.dirty = True
    if nonexistent is None:
        world.answers[key] = answer
    return answer


def stream_probe(world: World, path: str, headers: Mapping[str, str]) -> Answer:
    """GET an endless response: read its status, then hang up (the server must stop)."""

    async def run() -> Answer:
        started, replayed = anyio.Event(), anyio.Event()
        parts: dict[str, Any] = {"status": 0, "type": "", "body": b""}
        sent_request = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await started.wait()
            with anyio.move_on_after(STREAM_LISTEN):  # the replay of past events, if any
                await replayed.wait()
            await anyio.sleep(0.05)  # the rest of that batch, sent in the same breath
            return {"type": "http.disconnect"}

        async def send(message: Mapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                parts["status"] = message["status"]
                for key, value in message.get("headers", []):
                    if key.lower() == b"content-type":
                        parts["type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                parts["body"] += message.get("body", b"")
                started.set()
                if b"\ndata: " in parts["body"]:
                    replayed.set()

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
        with anyio.fail_after(20):  # a stream that ignores the hang-up fails here
            await world.app(scope, receive, send)
        return answer_of(parts["status"], parts["type"], parts["body"])

    # In the TestClient's own event loop: the app's locks belong to it.
    return world.client.portal.call(run)


# --- failure messages -----------------------------------------------------------


def row_line(row: Row, cells: Mapping[str, str]) -> str:
    """The matrix.txt line for ``row`` with ``cells`` (to paste into the matrix)."""
    return format_line(row.method, row.path, row.target, [cells[c] for c in COLUMNS])


def explain(row: Row, found: Mapping[str, Answer]) -> str:
    """A readable diff: one line per cell that differs, and the corrected line."""
    lines = [f"{row.method} {row.path} [{row.target}]: the answers differ from the matrix", ""]
    lines.append(f"  {'caller':8} {'expected':8} {'got':8} answer")
    for caller in CALLERS:
        expected, got = row.expected[caller.column], found[caller.column]
        if got.cls != expected:
            lines.append(f"  {caller.column:8} {expected:8} {got.cls:8} {got.short()}")
            lines.append(f"  {'':8} ({caller.who})")
    lines += ["", "observed line (paste it only if the new answers are right):"]
    lines.append("  " + row_line(row, {c: a.cls for c, a in found.items()}))
    return "\n".join(lines)
