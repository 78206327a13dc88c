"""An upload route reads at most its limit, whatever follows the form.

python-multipart ignores what comes after the closing boundary (the
epilogue): without a count of the whole body, a client could keep an upload
request reading for ever. The body limit (portal.http.middleware.BodyLimit) counts every
byte an upload route reads and answers 413 past the upload limit plus the
form's envelope.
"""

from __future__ import annotations

from portal.services.uploads import ENVELOPE_SLACK

from . import files


def _form(boundary: str, data: bytes) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_an_endless_epilogue_is_413(make_portal, as_user):
    limit = 50_000
    user = as_user(make_portal(max_upload=limit), "68031412135")
    dossier = user.new_dossier("PERMIS-PECHE")
    boundary = "epilogue"

    def body(epilogue: int):
        yield _form(boundary, files.pdf_file())
        for _ in range(epilogue // 16_384):
            yield b"e" * 16_384

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    path = f"/dossiers/{dossier['id']}/attachments"
    small = user.post(path, content=body(16_384), headers=headers)
    assert small.status_code == 201, small.text
    endless = user.post(path, content=body(limit + ENVELOPE_SLACK + 200_000), headers=headers)
    assert endless.status_code == 413, endless.text
    assert endless.json()["type"].endswith("/too-large")
