"""Files over HTTP, shared by every router that takes or gives one.

Why here and not in a router: the applicants' uploads (``portal.api.attachments``),
the agents' (``portal.api.agent``) and the documents' downloads
(``portal.api.documents``) must document, read and answer files the same way;
a router borrowing another router's helpers hid that they are one rule.
What is stored and how it is checked is the services' (``portal.services.attachments``,
``portal.services.uploads``); here is only what HTTP adds: the OpenAPI body, the
streamed read with its 413/400, and a download no browser sniffs.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio.to_thread
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from portal.problems import Problem
from portal.services.attachments import content_disposition
from portal.services.uploads import MalformedUpload, Upload, UploadTooLarge, read_upload


def upload_body(**fields: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of a multipart upload: these text fields and a `file`."""
    properties = {**fields, "file": {"type": "string", "format": "binary"}}
    schema = {"type": "object", "required": [*fields, "file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def receive_upload(request: Request, db: Session) -> Upload:
    """The multipart body, read up to the size limit: 413 past it, 400 when malformed.

    Call it once the caller and the dossier are checked. It ends the
    request's transaction first: the transaction (on SQLite: the database
    lock) must not be held while the client sends its file; the caller
    starts a fresh one afterwards and re-reads the rows.
    """
    await anyio.to_thread.run_sync(db.rollback)
    limit = request.app.state.settings.max_upload
    try:
        return await read_upload(
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            request.stream(),
            limit=limit,
        )
    except UploadTooLarge:
        # Connection: close makes the server drop the rest of the body instead
        # of reading and discarding it: the client stops sending at once.
        raise Problem(
            "too-large",
            f"the file is larger than the limit of {limit} bytes",
            headers={"Connection": "close"},
        ) from None
    except MalformedUpload as exc:
        raise Problem("bad-request", str(exc)) from None


def content_response(content: bytes, content_type: str, filename: str, sha256: str) -> Response:
    """The bytes as a download that no browser will sniff into something else."""
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Repr-Digest": f"sha-256=:{digest}:",
            "ETag": f'"{sha256}"',
        },
    )
