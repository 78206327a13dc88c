"""Personal answers are never cached and HTTPS is sticky; the API docs run no foreign script."""

from __future__ import annotations

import re
from typing import Any

import pytest

CITIZEN = "68031412135"


@pytest.fixture
def token(portal_client: Any, login: Any) -> str:
    return str(login(portal_client, CITIZEN))


def _assert_headers(answer: Any, where: str) -> None:
    assert answer.headers.get("cache-control") == "no-store", where
    assert answer.headers.get("strict-transport-security", "").startswith("max-age="), where
    assert answer.headers.get("x-content-type-options") == "nosniff", where


def test_every_answer_is_no_store_with_hsts(portal_client: Any, token: str) -> None:
    """Each GET of the document without path parameters, logged in; and refusals too."""
    document = portal_client.get("/api/v1/openapi.json").json()
    auth = {"Authorization": f"Bearer {token}"}
    checked = 0
    for path, operations in document["paths"].items():
        if "get" not in operations or "{" in path or path.endswith("events"):
            continue  # streams never end here; their headers: STREAM_HEADERS
        answer = portal_client.get(path, headers=auth)
        _assert_headers(answer, f"GET {path} → {answer.status_code}")
        checked += 1
    assert checked > 10
    for answer in (
        portal_client.get("/api/v1/me"),  # 401
        portal_client.get("/api/v1/dossiers/MSP-2026-999999", headers=auth),  # 404
        portal_client.post(
            "/api/v1/auth/sessions",
            content=b"x" * (3 << 20),
            headers={"Content-Type": "application/json"},
        ),  # 413
    ):
        _assert_headers(answer, f"{answer.request.url.path} → {answer.status_code}")


def test_a_download_keeps_its_own_sandboxing_policy(portal_client: Any, token: str) -> None:
    from tests.portal.periphery import files

    auth = {"Authorization": f"Bearer {token}"}
    dossier = portal_client.post(
        "/api/v1/dossiers", json={"procedure": "PERMIS-PECHE", "data": {}}, headers=auth
    ).json()
    upload = portal_client.post(
        f"/api/v1/dossiers/{dossier['id']}/attachments",
        data={"kind": "other"},
        files={"file": ("a.pdf", files.pdf_file(), "application/pdf")},
        headers=auth,
    )
    download = portal_client.get(f"/api/v1/attachments/{upload.json()['id']}/content", headers=auth)
    _assert_headers(download, "download")
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_the_api_docs_page_runs_no_script_from_anywhere(portal_client: Any) -> None:
    answer = portal_client.get("/api/v1/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page), "something loads from elsewhere"
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "/api/v1/dossiers/{dossier_id}/attachments" in page
    assert 'href="/api/v1/openapi.json"' in page


def test_an_unexpected_error_carries_the_headers_too(portal_app: Any) -> None:
    """A 500 is made outside the headers middleware; it must not be cacheable either."""
    from fastapi.testclient import TestClient

    @portal_app.get("/api/v1/test-boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(portal_app, raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/test-boom")
    assert answer.status_code == 500
    assert answer.json()["type"].endswith("internal-error")
    _assert_headers(answer, "500")
    assert "RuntimeError" not in answer.text
