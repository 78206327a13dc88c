"""Odd and forged input to the periphery endpoints: a clear 4xx, never a 500."""

from __future__ import annotations

import base64
import json

import pytest

ODD_IDS = ["MSP-9999-000001", "%00", "x" * 3000, "MSP-2026-0000001", "..%2F..%2Fetc"]


def _cursor(kind: str, key: list) -> str:
    raw = json.dumps([kind, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _paths(odd: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"/dossiers/{odd}/messages"),
        ("POST", f"/dossiers/{odd}/messages"),
        ("GET", f"/attachments/{odd}/content"),
        ("GET", f"/documents/{odd}"),
        ("GET", f"/documents/{odd}/content"),
        ("GET", f"/documents/{odd}/seal"),
        ("GET", f"/payments/{odd}"),
        ("POST", f"/sandbox/payments/{odd}/pay"),
        ("POST", f"/notifications/{odd}/read"),
    ]


@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_are_404_or_4xx(citizen, odd):
    for method, path in _paths(odd):
        if method == "GET":
            answer = citizen.get(path)
        else:
            answer = citizen.post(path, json={"body": "x"})
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_huge_dossier_number_is_404(citizen):
    """Once overflowed SQLite's integer (a 500); parse_dossier_id now caps the digits."""
    answer = citizen.get("/dossiers/MSP-2026-999999999999999999999999/messages")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/documents", "not-base64!"),
        ("/documents", _cursor("documents", ["2026-01-01T00:00:00", "doc_x"])),  # no zone
        ("/documents", _cursor("documents", [1, 2])),
        ("/payments", _cursor("payments", ["yesterday", "pay_x"])),
        ("/payments", _cursor("documents", ["2026-01-01T00:00:00+00:00", "x"])),  # other list
        ("/notifications", _cursor("notifications", ["x"])),
        ("/notifications", _cursor("notifications", [10**30])),
        ("/notifications", _cursor("notifications", [True])),
        ("/mydata/access-log", _cursor("access-log", [10**30])),
        ("/mydata/access-log", _cursor("access-log", [-1])),
    ],
)
def test_forged_cursors_are_400(citizen, path, cursor):
    answer = citizen.get(path, params={"cursor": cursor})
    assert answer.status_code == 400, answer.text


def test_message_body_and_attachment_list_limits(citizen):
    dossier = citizen.new_dossier("PERMIS-PECHE", {"permit_type": "B", "year": 2027})
    citizen.post(f"/dossiers/{dossier['id']}/submit")
    path = f"/dossiers/{dossier['id']}/messages"
    assert citizen.post(path, json={"body": "x" * 10_001}).status_code == 422
    assert citizen.post(path, json={"body": "x", "attachment_ids": ["a"] * 11}).status_code == 422
    assert citizen.post(path, json={"body": "x", "attachment_ids": ["a" * 5000]}).status_code == 422
    assert (
        citizen.post(
            path, content=b"{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )


def test_events_with_odd_headers(citizen):
    answer = citizen.get("/events", headers={"X-Acting-As": "garbage"})
    assert answer.status_code == 400
    answer = citizen.get("/events", headers={"X-Acting-As": "0123456789"})
    assert answer.status_code == 403
