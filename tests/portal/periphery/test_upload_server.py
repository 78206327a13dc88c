"""Uploads against the real uvicorn server: the 413 comes before the whole body."""

from __future__ import annotations

import time

import httpx

from . import files
from .conftest import CITIZEN

LIMIT = 20 * 1024 * 1024  # the default MONESPACE_PORTAL_MAX_UPLOAD of portal_server


def _multipart_stream(total: int, boundary: str, sent: list[int]):
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    yield head
    chunk = b"%" + b"x" * (1024 * 1024 - 1)
    for _ in range(total // len(chunk)):
        sent.append(len(chunk))
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def test_chunked_oversized_upload_is_cut_short(portal_server, login):
    token = login(portal_server.url, CITIZEN)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers, timeout=60) as api:
        dossier = api.post(
            "/dossiers", json={"procedure": "PERMIS-PECHE", "data": {"year": 2027}}
        ).json()
        good = api.post(
            f"/dossiers/{dossier['id']}/attachments",
            data={"kind": "other"},
            files={"file": ("ok.pdf", files.pdf_file(), "application/pdf")},
        )
        assert good.status_code == 201, good.text
        sent: list[int] = []
        boundary = "monespaceboundary"
        started = time.monotonic()
        try:
            answer = api.post(
                f"/dossiers/{dossier['id']}/attachments",
                content=_multipart_stream(200 * 1024 * 1024, boundary, sent),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            status = answer.status_code
        except httpx.HTTPError:
            status = None  # the server may close while the client still writes
        elapsed = time.monotonic() - started
        print(
            f"oversized chunked upload: status {status},"
            f" {sum(sent) >> 20} MiB sent, {elapsed:.2f} s"
        )
        assert status in (413, None)
        assert sum(sent) < 200 * 1024 * 1024, "the server read the whole 200 MB body"
        listed = api.get(f"/dossiers/{dossier['id']}").json()["attachments"]
        assert [a["filename"] for a in listed] == ["ok.pdf"]
        assert elapsed < 60


def test_declared_oversized_upload_is_refused_at_once(portal_server, login):
    token = login(portal_server.url, CITIZEN)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers, timeout=60) as api:
        dossier = api.post("/dossiers", json={"procedure": "PERMIS-PECHE", "data": {}}).json()
        body = b"x" * (LIMIT + 1024 * 1024)
        answer = api.post(
            f"/dossiers/{dossier['id']}/attachments",
            data={"kind": "other"},
            files={"file": ("big.pdf", body, "application/pdf")},
        )
        assert answer.status_code == 413
        assert answer.json()["type"].endswith("/too-large")
