"""``monespace document list|download|verify``: the vault of official documents.

``download`` saves ``NAME`` and ``NAME.seal.json`` side by side and caches
the portal's seal trust anchor, so ``verify`` later needs no network: it
checks the file's SHA-256, the seal's signature over its canonical JSON and
the certificate chain up to that anchor (or to ``--trust FILE``). The check
lives in :mod:`monespace_cli.client._seal` and shares no code with the portal.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from monespace_cli.app import noun_app
from monespace_cli.context import Factory, current
from monespace_cli.errors import CliError, UsageProblem
from monespace_cli.i18n import _
from monespace_cli.output import Column

if TYPE_CHECKING:
    from monespace_cli.client import PortalClient
    from monespace_cli.commands._shared.file_saver import Fetch

app = noun_app(_("Your official documents: list, download, verify."))

TRUST_DIR = "seal-trust"


# -- trust anchor cache ---------------------------------------------------------


def _trust_cache(f: Factory) -> Path:
    """One cached anchor per portal, named after its origin."""
    from monespace_cli.client import portal_origin

    name = portal_origin(f.portal_url).replace("://", "_").replace(":", "_").replace("/", "_")
    return f.config_dir / TRUST_DIR / f"{name}.json"


def cache_trust_anchor(f: Factory, client: PortalClient) -> bytes:
    """Fetch the anchor from ``GET /seal/certificates`` and keep it in the config dir."""
    answer = client.seal_certificates()
    anchor = str(answer["trust_anchor"])
    path = _trust_cache(f)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "portal": f.portal_url,
        "trust_anchor": anchor,
        "fetched_at": datetime.now(UTC).isoformat(),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return base64.b64decode(anchor)


def _cached_anchor(f: Factory) -> bytes | None:
    path = _trust_cache(f)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return base64.b64decode(record["trust_anchor"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_trust_file(path: Path) -> bytes:
    """A trust anchor from a file: DER, PEM, base64 text, or a /seal/certificates answer."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise UsageProblem(_("Cannot read the trust anchor {path}.").format(path=path)) from None
    text = raw.strip()
    if text.startswith(b"{"):
        try:
            return base64.b64decode(json.loads(text)["trust_anchor"])
        except (ValueError, KeyError, TypeError):
            raise UsageProblem(_("{path} has no trust_anchor field.").format(path=path)) from None
    if text.startswith(b"-----BEGIN"):
        return raw
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return raw


# -- commands -------------------------------------------------------------------


@app.command("list")
def list_() -> None:
    """The documents in your vault (or the organisation's you act for)."""
    f = current()
    with f.client() as client:
        documents = list(client.iter_documents())
    columns = [
        Column("id", _("ID")),
        Column("kind", _("KIND")),
        Column("dossier_id", _("DOSSIER")),
        Column("created_at", _("CREATED")),
        Column("filename", _("FILE")),
        Column("title", _("TITLE")),
    ]
    from monespace_cli.client import Document
    from monespace_cli.output import fields_of

    f.printer.list(
        documents,
        columns,
        empty=_("Your vault is empty."),
        show_context=True,
        fields=fields_of(Document),
    )


@app.command("download")
def download(
    document_id: Annotated[
        str, typer.Argument(help=_("Document id (see: monespace document list)."), metavar="ID")
    ],
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output-file", help=_("Save as this file (the seal goes next to it)."), metavar="FILE"
        ),
    ] = None,
) -> None:
    """Save a document and its seal (NAME and NAME.seal.json)."""
    from monespace_cli.files import SEAL_SUFFIX, with_suffix_added

    f = current()
    with f.client() as client:
        seal = client.get_seal(document_id)
        meta = client.get_document(document_id)
        name = str(meta.get("filename") or f"{document_id}.pdf")
        target = _save(
            output_file,
            name,
            meta.get("sha256"),
            partial(client.download_document, document_id),
        )
        size = target.stat().st_size
        seal_path = with_suffix_added(target, SEAL_SUFFIX)
        seal_path.write_text(json.dumps(seal, indent=2) + "\n", encoding="utf-8")
        cache_trust_anchor(f, client)
    result = {"id": document_id, "path": str(target), "seal": str(seal_path), "size": size}
    if f.printer.human:
        from monespace_cli.sizes import human_size

        message = _("Saved {path} ({size}) and its seal {seal}.")
        f.io.success(message.format(**{**result, "size": human_size(int(size))}))
    else:
        f.printer.object(result)


def _save(output_file: Path | None, name: str, sha256: str | None, fetch: Fetch) -> Path:
    """Save through the shared atomic writer (temporary file, sha256 check, rename).

    ``--output-file`` is the person's choice and is replaced; otherwise a new
    name in the current folder whose ``.seal.json`` is free too.
    """
    from monespace_cli.commands._shared.file_saver import write_new
    from monespace_cli.files import SEAL_SUFFIX, safe_target

    if output_file is not None:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        write_new(output_file, sha256, fetch, replace=True)
        return output_file
    while True:  # a file that appeared meanwhile under the chosen name: the next one
        target = safe_target(Path.cwd(), name, reserve=len(SEAL_SUFFIX), companion=SEAL_SUFFIX)
        if write_new(target, sha256, fetch, replace=False):
            return target


@app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help=_("The downloaded document."), metavar="FILE")],
    seal: Annotated[
        Path | None,
        typer.Option(
            "--seal", help=_("Seal file (default: FILE.seal.json)."), metavar="FILE.seal.json"
        ),
    ] = None,
    trust: Annotated[
        Path | None,
        typer.Option(
            "--trust",
            help=_("Trust anchor (DER/PEM certificate) instead of the cached one."),
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Check a document's seal offline: file hash, signature, chain to the trust anchor."""
    from monespace_cli.client import SealInvalid, verify_seal

    f = current()
    seal_path = seal or file.with_name(file.name + ".seal.json")
    content = _read(file)
    seal_obj = _read_seal(seal_path)
    anchor = read_trust_file(trust) if trust is not None else _anchor_for(f)
    try:
        report = verify_seal(content, seal_obj, anchor)
    except SealInvalid as exc:
        raise CliError(_("The seal does NOT hold: {detail}").format(detail=exc)) from None
    result = {"valid": True, "file": str(file), **report.__dict__}
    if f.printer.human:
        f.io.success(
            _("Valid seal: {file} is document {id}, sealed on {at} by {signer}.").format(
                file=file, id=report.document_id, at=report.signed_at, signer=report.signer
            )
        )
    else:
        f.printer.object(result)


def _anchor_for(f: Factory) -> bytes:
    """The cached anchor; fetched once (the only online step) when there is none."""
    anchor = _cached_anchor(f)
    if anchor is not None:
        return anchor
    f.io.info(
        _("No cached trust anchor for {portal}: fetching it once.").format(portal=f.portal_url)
    )
    with f.client(auth="optional") as client:
        return cache_trust_anchor(f, client)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageProblem(_("No such file: {path}").format(path=path)) from None
    except OSError as exc:
        raise UsageProblem(
            _("Cannot read {path}: {detail}").format(path=path, detail=exc)
        ) from None


def _read_seal(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(_read(path))
    except ValueError:
        raise CliError(_("The seal file {path} is not JSON.").format(path=path)) from None
    if not isinstance(value, dict):
        raise CliError(_("The seal file {path} is not a seal.").format(path=path))
    return value
