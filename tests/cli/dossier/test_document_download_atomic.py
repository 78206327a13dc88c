"""``document download`` never leaves a partial or wrong file under the real name.

The portal's stored bytes of a receipt are cut in half (what a dropped
connection delivers): the portal still announces the full file's sha256, so
the CLI must refuse the bytes, leave neither the file, its seal nor a
``.part`` behind, and say so with the general error exit code.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, update
from test_dossier_side_cli import submitted_permit

from portal.models import Blob


def _cut_stored_bytes(database_url: str, sha256: str) -> None:
    """Keep only the first half of the stored content (its digest key unchanged)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as db:
            content = db.execute(Blob.__table__.select().where(Blob.sha256 == sha256)).one().content
            db.execute(
                update(Blob)
                .where(Blob.sha256 == sha256)
                .values(content=content[: len(content) // 2])
            )
    finally:
        engine.dispose()


def test_half_a_document_is_never_saved(mcli, tmp_path: Path, portal_server) -> None:
    dossier = submitted_permit(mcli)
    docs = json.loads(mcli("document", "list", "-o", "json").out)
    receipt = next(d for d in docs if d["id"] == dossier["receipt_document_id"])
    _cut_stored_bytes(portal_server.database_url, receipt["sha256"])
    folder = tmp_path / "out"
    target = folder / "receipt.pdf"
    result = mcli("document", "download", receipt["id"], "--output-file", str(target))
    assert result.code == 1, (result.out, result.err)
    assert "sha256" in result.err
    assert sorted(p.name for p in folder.iterdir()) == []  # no file, no seal, no .part


def test_a_good_download_replaces_the_chosen_file_whole(mcli, tmp_path: Path) -> None:
    dossier = submitted_permit(mcli)
    target = tmp_path / "receipt.pdf"
    target.write_bytes(b"an older file")
    result = mcli(
        "document", "download", dossier["receipt_document_id"], "--output-file", str(target)
    )
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
