"""Official documents the portal files in a vault: receipts and decisions.

Why the portal writes the acknowledgement of receipt itself: it is the
applicant's proof that the dossier arrived complete on a given date — the
date from which the legal processing time runs. It is a PDF anyone can open,
sealed by the portal (see seal.py) so it can be checked offline years later.
The document goes to the *applicant's* vault (the organisation, when filed
for one), not to the staff member who clicked submit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal import pdf
from portal.domain.dossiers import record_event
from portal.models import Document, Dossier, Person, Procedure, ProcedureVersion, Service, new_id
from portal.services.blobs import store_blob
from portal.services.periphery import context_of
from portal.services.seal import seal_document

BRUSSELS = ZoneInfo("Europe/Brussels")
PORTAL_HEADER = "Mon Espace — Service public de Wallonie (sandbox)"


def _local(moment: dt.datetime) -> str:
    local = moment.astimezone(BRUSSELS)
    return f"{local:%d/%m/%Y %H:%M:%S} (heure de Bruxelles / Brussels time)"


def _procedure(db: Session, dossier: Dossier) -> tuple[dict[str, Any], Service | None]:
    version = db.get(ProcedureVersion, (dossier.procedure_code, dossier.procedure_version))
    definition = version.definition if version is not None else {}
    procedure = db.get(Procedure, dossier.procedure_code)
    service = db.get(Service, procedure.service_code) if procedure is not None else None
    return definition, service


def receipt_lines(db: Session, dossier: Dossier) -> list[pdf.PdfLine | str]:
    """The text of the acknowledgement of receipt (French first, English after)."""
    definition, service = _procedure(db, dossier)
    titles = definition.get("title") or {}
    creator = db.get(Person, dossier.created_by)
    received = dossier.submitted_at or dossier.updated_at
    service_name = (service.name.get("fr") or service.code) if service is not None else "—"
    legal_days = definition.get("legal_days")
    applicant_ref = "NRN" if dossier.applicant_kind == "person" else "BCE"
    return [
        pdf.PdfLine(PORTAL_HEADER, bold=True),
        "",
        pdf.PdfLine("Accusé de réception", bold=True, size=pdf.TITLE_SIZE),
        pdf.PdfLine("Acknowledgement of receipt", size=13),
        "",
        pdf.PdfLine(f"Dossier : {dossier.public_id}", bold=True),
        f"Démarche / Procedure : {titles.get('fr', dossier.title)} ({dossier.procedure_code},"
        f" version {dossier.procedure_version})",
        f"    {titles.get('en', '')}",
        f"Demandeur / Applicant : {dossier.applicant_name}"
        f" ({applicant_ref} {dossier.applicant_id})",
        f"Introduit par / Filed by : {creator.name if creator else dossier.created_by}",
        f"Reçu le / Received on : {_local(received)}",
        f"    UTC : {received.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}",
        "Délai légal de traitement / Legal processing time : "
        + (f"{legal_days} jours / days" if legal_days is not None else "non précisé / not stated"),
        f"Service traitant / Handling service : {service_name}",
        "",
        "Le délai de traitement court à partir de la date de réception d'un dossier complet."
        " Si des pièces manquent, le service vous demandera un complément par un message"
        " dans Mon Espace.",
        "The processing time runs from the receipt of a complete dossier. If anything is"
        " missing, the service will ask for it through a message in Mon Espace.",
        "",
        "Ce document est scellé électroniquement par le portail (sceau détaché)."
        " Vérification hors ligne : monespace document verify.",
    ]


def file_document(
    db: Session,
    dossier: Dossier,
    *,
    kind: str,
    title: str,
    filename: str,
    lines: list[pdf.PdfLine | str],
    actor_nrn: str,
    acting_as: str,
) -> Document:
    """Render, store, seal and file one PDF in the applicant's vault (no commit)."""
    content = pdf.render(lines, title=title)
    document_id = new_id("doc")
    seal = seal_document(context_of(db).seal_credentials(), document_id, content)
    document = Document(
        id=document_id,
        owner_kind=dossier.applicant_kind,
        owner_id=dossier.applicant_id,
        dossier_id=dossier.id,
        kind=kind,
        title=title,
        filename=filename,
        content_type="application/pdf",
        sha256=store_blob(db, content),
        seal=seal,
    )
    db.add(document)
    db.flush()  # the document row exists before its event refers to it
    record_event(
        db,
        dossier,
        "document",
        actor_nrn=actor_nrn,
        acting_as=acting_as,
        new=kind,
        detail=document_id,
    )
    return document


def file_receipt(session: Session, dossier: Dossier) -> Document:
    """File the sealed acknowledgement of receipt of a just-submitted dossier."""
    document = file_document(
        session,
        dossier,
        kind="receipt",
        title=f"Accusé de réception — {dossier.public_id}",
        filename=f"accuse-de-reception-{dossier.public_id}.pdf",
        lines=receipt_lines(session, dossier),
        actor_nrn=dossier.created_by,
        acting_as=dossier.acting_as,
    )
    dossier.receipt_document_id = document.id
    return document


#: The appeal route of a Walloon administrative decision when the procedure
#: names no other: an action for annulment before the Conseil d'État. A
#: decision must state the body, the time limit and the form of the appeal.
DEFAULT_APPEAL = {
    "body": "Conseil d'État, rue de la Science 33, 1040 Bruxelles",
    "days": 60,
    "form": (
        "requête en annulation, signée par un avocat, adressée par pli recommandé"
        " ou par la procédure électronique du Conseil d'État"
    ),
}


def appeal_text(definition: dict[str, Any]) -> str:
    """The appeal information of a decision: the procedure's ``appeal`` or the default.

    A procedure definition may carry ``"appeal": {"body", "days", "form"}``
    (e.g. a permit appealed to the Gouvernement wallon within 30 days).
    """
    appeal = {**DEFAULT_APPEAL, **(definition.get("appeal") or {})}
    return "\n".join(
        [
            f"Organe de recours / Appeal body : {appeal['body']}",
            f"Délai / Time limit : {appeal['days']} jours à compter de la notification"
            " de cette décision",
            f"Forme / Form : {appeal['form']}",
            "Saisir le Médiateur de la Wallonie et de la Fédération Wallonie-Bruxelles ne"
            " suspend pas ce délai, sauf pour un recours au Conseil d'État.",
        ]
    )


def file_decision(
    session: Session,
    dossier: Dossier,
    *,
    accepted: bool,
    text: str,
    agent: Person,
    appeal: str | None = None,
) -> Document:
    """File the sealed decision letter: outcome, motivation (``text``), appeal route.

    ``appeal`` replaces the procedure's (or the default) appeal information.
    """
    definition, service = _procedure(session, dossier)
    verdict = "Décision favorable / Accepted" if accepted else "Décision défavorable / Refused"
    service_name = (service.name.get("fr") or service.code) if service is not None else "—"
    lines: list[pdf.PdfLine | str] = [
        pdf.PdfLine(PORTAL_HEADER, bold=True),
        "",
        pdf.PdfLine(verdict, bold=True, size=pdf.TITLE_SIZE),
        "",
        pdf.PdfLine(f"Dossier : {dossier.public_id}", bold=True),
        f"Démarche / Procedure : {(definition.get('title') or {}).get('fr', dossier.title)}",
        f"Demandeur / Applicant : {dossier.applicant_name}",
        f"Service : {service_name} — agent : {agent.name}",
        f"Date : {_local(dossier.decided_at or dt.datetime.now(dt.UTC))}",
        "",
        pdf.PdfLine("Motivation", bold=True),
        *text.splitlines(),
        "",
        pdf.PdfLine("Voies de recours / Appeal", bold=True),
        *(appeal or appeal_text(definition)).splitlines(),
    ]
    return file_document(
        session,
        dossier,
        kind="decision",
        title=f"Décision — {dossier.public_id}",
        filename=f"decision-{dossier.public_id}.pdf",
        lines=lines,
        actor_nrn=agent.nrn,
        acting_as="me",
    )
