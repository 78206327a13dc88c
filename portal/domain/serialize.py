"""JSON representations shared by the routers (field names of docs/api.md).

One place for each representation, so a Person or Dossier looks the same in
every answer that embeds it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.models import Attachment, Dossier, Person


def rfc3339(value: dt.datetime | None) -> str | None:
    """``2026-11-23T13:45:00Z`` (UTC, seconds precision), or None."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def address_json(address: dict[str, Any]) -> dict[str, Any]:
    """An Address with exactly the contract's fields."""
    keys = ("street", "number", "box", "postal_code", "municipality", "country")
    return {k: address.get(k) for k in keys if k != "box" or address.get("box")}


def person_json(person: Person) -> dict[str, Any]:
    """``Person`` of docs/api.md."""
    return {
        "nrn": person.nrn,
        "given_names": person.given_names,
        "surname": person.surname,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "nationality": person.nationality,
        "language": person.language,
        "address": address_json(person.address),
    }


def actor_json(person: Person) -> dict[str, str]:
    """``{"nrn", "name"}`` used for created_by / actor / author."""
    return {"nrn": person.nrn, "name": person.name}


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    """``Attachment`` of docs/api.md."""
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": rfc3339(attachment.created_at),
    }


def applicant_json(dossier: Dossier) -> dict[str, Any]:
    """The dossier's ``applicant`` (docs/api.md): the same in the API, the queue and webhooks."""
    return {
        "kind": dossier.applicant_kind,
        "id": dossier.applicant_id,
        "name": dossier.applicant_name,
    }


def dossier_json(
    dossier: Dossier,
    *,
    creator: Person,
    attachments: list[Attachment] | None = None,
    with_data: bool = True,
) -> dict[str, Any]:
    """``Dossier`` of docs/api.md (lists omit ``data``)."""
    body: dict[str, Any] = {
        "id": dossier.public_id,
        "procedure": dossier.procedure_code,
        "procedure_version": dossier.procedure_version,
        "title": dossier.title,
        "status": dossier.status,
        "applicant": applicant_json(dossier),
        "created_by": actor_json(creator),
        "acting_as": dossier.acting_as,
    }
    if with_data:
        body["data"] = dossier.data
    body["prefilled"] = dossier.prefilled
    body["attachments"] = [attachment_json(a) for a in attachments or []]
    body["version"] = dossier.version
    body["created_at"] = rfc3339(dossier.created_at)
    body["updated_at"] = rfc3339(dossier.updated_at)
    optional = {
        "submitted_at": rfc3339(dossier.submitted_at),
        "decided_at": rfc3339(dossier.decided_at),
        "due_at": rfc3339(dossier.due_at),
        "receipt_document_id": dossier.receipt_document_id,
        "payment_id": dossier.payment_id,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return body
