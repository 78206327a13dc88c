"""A NUL character anywhere in a request is a clear 4xx, never a 500.

SQLite stores NUL in text; PostgreSQL refuses it in text and JSONB, so
without care the same request is a 404 on one backend and a 500 on the
other. Runs on both backends (``portal_settings`` is parametrised).
"""

from __future__ import annotations

import pytest

PERMIT = {"permit_type": "B", "year": 2027}


def _is_4xx(answer) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path",
    ["/dossiers/%00", "/procedures/%00", "/documents/a%00b", "/payments/%00/x"],
)
def test_nul_in_the_path_is_404(citizen, path):
    answer = citizen.get(path)
    _is_4xx(answer)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"procedure": "PERMIS\x00", "data": {}},
        {"procedure": "PERMIS-PECHE", "data": {**PERMIT, "x\x00": 1}},
        {"procedure": "PERMIS-PECHE", "data": {**PERMIT, "permit_type": "\x00"}},
        {"procedure": "PERMIS-PECHE", "data": {**PERMIT, "note": "a\x00b"}},
    ],
    ids=["procedure", "data-key", "data-enum", "data-extra"],
)
def test_nul_in_a_new_dossier_is_refused_or_kept(citizen, body):
    """A draft keeps any data until submit; what it keeps comes back unchanged."""
    answer = citizen.post("/dossiers", json=body)
    if answer.status_code != 201:
        _is_4xx(answer)
        return
    stored = citizen.get(f"/dossiers/{answer.json()['id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["data"] == answer.json()["data"]
    assert body["data"].items() <= stored.json()["data"].items()


def test_nul_in_a_message_is_refused(citizen):
    dossier = citizen.new_dossier("PERMIS-PECHE", PERMIT)
    _is_4xx(citizen.post(f"/dossiers/{dossier['id']}/messages", json={"body": "a\x00b"}))


def test_nul_in_queries_headers_and_uploads(citizen):
    _is_4xx(citizen.get("/documents", params={"cursor": "\x00"}))
    _is_4xx(citizen.get("/dossiers", params={"status": "\x00"}))
    _is_4xx(citizen.get("/dossiers", params={"procedure": "PERMIS\x00"}))
    _is_4xx(citizen.get("/procedures", params={"cursor": "\x00"}))
    dossier = citizen.new_dossier("PERMIS-PECHE", PERMIT)
    answer = citizen.post(
        "/dossiers",
        json={"procedure": "PERMIS-PECHE", "data": PERMIT},
        headers={"Idempotency-Key": "k\x00"},
    )
    assert answer.status_code < 500, answer.text
    answer = citizen.upload(
        dossier["id"], "photo\x00", "a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"
    )
    _is_4xx(answer)
    answer = citizen.upload(dossier["id"], "photo", "a\x00.png", b"\x89PNG\r\n\x1a\n", "image/png")
    assert answer.status_code < 500, answer.text
