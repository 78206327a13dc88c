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
from portal.services.language import applicant_language, pick
from portal.services.periphery import context_of
from portal.services.seal import seal_document

BRUSSELS = ZoneInfo("Europe/Brussels")
PORTAL_HEADER = "Mon Espace — Service public de Wallonie (sandbox)"

#: The wording of receipts and decisions, by the applicant's language
#: (portal.services.language): the applicant's language first, then a second
#: one — English after French, French after German (the service's own
#: language, for the agent who reads the document back).
WORDING: dict[str, dict[str, str]] = {
    "fr": {
        "header": PORTAL_HEADER,
        "receipt": "Accusé de réception",
        "receipt_second": "Acknowledgement of receipt",
        "receipt_title": "Accusé de réception — {id}",
        "receipt_file": "accuse-de-reception-{id}.pdf",
        "dossier": "Dossier : {id}",
        "procedure": "Démarche / Procedure : {title} ({code}, version {version})",
        "procedure_short": "Démarche / Procedure : {title}",
        "applicant": "Demandeur / Applicant : {name}",
        "applicant_ref": "Demandeur / Applicant : {name} ({ref} {id})",
        "ref_person": "NRN",
        "ref_organisation": "BCE",
        "filed_by": "Introduit par / Filed by : {name}",
        "received": "Reçu le / Received on : {when}",
        "local_time": "{moment} (heure de Bruxelles / Brussels time)",
        "utc": "    UTC : {moment}",
        "legal_days": "Délai légal de traitement / Legal processing time : {days}",
        "days": "{n} jours / days",
        "one_day": "1 jour / day",
        "no_days": "non précisé / not stated",
        "service": "Service traitant / Handling service : {name}",
        "service_agent": "Service : {name} — agent : {agent}",
        "date": "Date : {when}",
        "explain": "Le délai de traitement court à partir de la date de réception d'un dossier"
        " complet. Si des pièces manquent, le service vous demandera un complément par un"
        " message dans Mon Espace.",
        "explain_second": "The processing time runs from the receipt of a complete dossier. If"
        " anything is missing, the service will ask for it through a message in Mon Espace.",
        "sealed": "Ce document est scellé électroniquement par le portail (sceau détaché)."
        " Vérification hors ligne : monespace document verify.",
        "accepted": "Décision favorable / Accepted",
        "refused": "Décision défavorable / Refused",
        "decision_title": "Décision — {id}",
        "decision_file": "decision-{id}.pdf",
        "motivation": "Motivation",
        "appeal": "Voies de recours / Appeal",
        "appeal_body": "Organe de recours / Appeal body : {body}",
        "appeal_days": "Délai / Time limit : {days} jours à compter de la notification"
        " de cette décision",
        "appeal_form": "Forme / Form : {form}",
        "ombudsman": "Saisir le Médiateur de la Wallonie et de la Fédération Wallonie-Bruxelles"
        " ne suspend pas ce délai, sauf pour un recours au Conseil d'État.",
    },
    "de": {
        "header": "Mon Espace — Öffentlicher Dienst der Wallonie (Sandbox)",
        "receipt": "Empfangsbestätigung",
        "receipt_second": "Accusé de réception",
        "receipt_title": "Empfangsbestätigung — {id}",
        "receipt_file": "empfangsbestaetigung-{id}.pdf",
        "dossier": "Akte: {id}",
        "procedure": "Verfahren / Démarche: {title} ({code}, Version {version})",
        "procedure_short": "Verfahren / Démarche: {title}",
        "applicant": "Antragsteller / Demandeur: {name}",
        "applicant_ref": "Antragsteller / Demandeur: {name} ({ref} {id})",
        "ref_person": "NRN",
        "ref_organisation": "ZDU",
        "filed_by": "Eingereicht von / Introduit par: {name}",
        "received": "Eingegangen am / Reçu le: {when}",
        "local_time": "{moment} (Brüsseler Zeit / heure de Bruxelles)",
        "utc": "    UTC: {moment}",
        "legal_days": "Gesetzliche Bearbeitungsfrist / Délai légal de traitement: {days}",
        "days": "{n} Tage / jours",
        "one_day": "1 Tag / jour",
        "no_days": "nicht angegeben / non précisé",
        "service": "Zuständiger Dienst / Service traitant: {name}",
        "service_agent": "Dienst / Service: {name} — Bediensteter / agent: {agent}",
        "date": "Datum / Date: {when}",
        "explain": "Die Bearbeitungsfrist läuft ab dem Eingang einer vollständigen Akte. Fehlen"
        " Unterlagen, fordert der Dienst sie über eine Nachricht in Mon Espace bei Ihnen an.",
        "explain_second": "Le délai de traitement court à partir de la date de réception d'un"
        " dossier complet. Si des pièces manquent, le service vous demandera un complément"
        " par un message dans Mon Espace.",
        "sealed": "Dieses Dokument ist vom Portal elektronisch versiegelt (separates Siegel)."
        " Prüfung ohne Internetverbindung: monespace document verify.",
        "accepted": "Positiver Bescheid / Décision favorable",
        "refused": "Negativer Bescheid / Décision défavorable",
        "decision_title": "Bescheid — {id}",
        "decision_file": "bescheid-{id}.pdf",
        "motivation": "Begründung / Motivation",
        "appeal": "Rechtsmittel / Voies de recours",
        "appeal_body": "Beschwerdeinstanz / Organe de recours: {body}",
        "appeal_days": "Frist / Délai: {days} Tage ab der Notifizierung dieses Bescheids",
        "appeal_form": "Form / Forme: {form}",
        "ombudsman": "Die Anrufung des Ombudsmanns der Wallonie und der Föderation"
        " Wallonie-Brüssel setzt diese Frist nicht aus, außer bei einer Klage vor dem Staatsrat.",
    },
}


def _wording(language: str) -> dict[str, str]:
    return WORDING.get(language, WORDING["fr"])


def _local(moment: dt.datetime, language: str = "fr") -> str:
    local = moment.astimezone(BRUSSELS)
    return _wording(language)["local_time"].format(moment=f"{local:%d/%m/%Y %H:%M:%S}")


def _procedure(db: Session, dossier: Dossier) -> tuple[dict[str, Any], Service | None]:
    version = db.get(ProcedureVersion, (dossier.procedure_code, dossier.procedure_version))
    definition = version.definition if version is not None else {}
    procedure = db.get(Procedure, dossier.procedure_code)
    service = db.get(Service, procedure.service_code) if procedure is not None else None
    return definition, service


def _service_name(service: Service | None, language: str) -> str:
    return pick(service.name, language, service.code) if service is not None else "—"


def receipt_lines(db: Session, dossier: Dossier) -> list[pdf.PdfLine | str]:
    """The text of the acknowledgement of receipt, in the applicant's language first."""
    language = applicant_language(db, dossier)
    words = _wording(language)
    second = "en" if language == "fr" else "fr"
    definition, service = _procedure(db, dossier)
    titles = definition.get("title") or {}
    creator = db.get(Person, dossier.created_by)
    received = dossier.submitted_at or dossier.updated_at
    legal_days = definition.get("legal_days")
    kind = "person" if dossier.applicant_kind == "person" else "organisation"
    return [
        pdf.PdfLine(words["header"], bold=True),
        "",
        pdf.PdfLine(words["receipt"], bold=True, size=pdf.TITLE_SIZE),
        pdf.PdfLine(words["receipt_second"], size=13),
        "",
        pdf.PdfLine(words["dossier"].format(id=dossier.public_id), bold=True),
        words["procedure"].format(
            title=pick(titles, language, dossier.title),
            code=dossier.procedure_code,
            version=dossier.procedure_version,
        ),
        f"    {titles.get(second, '')}",
        words["applicant_ref"].format(
            name=dossier.applicant_name, ref=words[f"ref_{kind}"], id=dossier.applicant_id
        ),
        words["filed_by"].format(name=creator.name if creator else dossier.created_by),
        words["received"].format(when=_local(received, language)),
        words["utc"].format(moment=f"{received.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"),
        words["legal_days"].format(
            days=words["no_days"]
            if legal_days is None
            else words["one_day"]
            if legal_days == 1
            else words["days"].format(n=legal_days)
        ),
        words["service"].format(name=_service_name(service, language)),
        "",
        words["explain"],
        words["explain_second"],
        "",
        words["sealed"],
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
    words = _wording(applicant_language(session, dossier))
    document = file_document(
        session,
        dossier,
        kind="receipt",
        title=words["receipt_title"].format(id=dossier.public_id),
        filename=words["receipt_file"].format(id=dossier.public_id),
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
#: The same in German (the Staatsrat's own German wording: Nichtigkeitsklage,
#: Antragschrift, per Einschreiben).
DEFAULT_APPEAL_DE = {
    "body": "Staatsrat, Rue de la Science 33, 1040 Brüssel",
    "days": 60,
    "form": (
        "Nichtigkeitsklage (Antragschrift), von einem Rechtsanwalt unterzeichnet, per"
        " Einschreiben oder über das elektronische Verfahren des Staatsrates eingereicht"
    ),
}


def appeal_text(definition: dict[str, Any], language: str = "fr") -> str:
    """The appeal information of a decision: the procedure's ``appeal`` or the default.

    A procedure definition may carry ``"appeal": {"body", "days", "form"}``
    (e.g. a permit appealed to the Gouvernement wallon within 30 days), and
    ``"appeal_de"`` with the same keys for its German wording.
    """
    words = _wording(language)
    default, own_key = (
        (DEFAULT_APPEAL_DE, "appeal_de") if language == "de" else (DEFAULT_APPEAL, "appeal")
    )
    appeal = {**default, **(definition.get(own_key) or definition.get("appeal") or {})}
    return "\n".join(
        [
            words["appeal_body"].format(body=appeal["body"]),
            words["appeal_days"].format(days=appeal["days"]),
            words["appeal_form"].format(form=appeal["form"]),
            words["ombudsman"],
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

    Written in the applicant's language (the motivation is the agent's own
    text). ``appeal`` replaces the procedure's (or the default) appeal information.
    """
    language = applicant_language(session, dossier)
    words = _wording(language)
    definition, service = _procedure(session, dossier)
    lines: list[pdf.PdfLine | str] = [
        pdf.PdfLine(words["header"], bold=True),
        "",
        pdf.PdfLine(words["accepted" if accepted else "refused"], bold=True, size=pdf.TITLE_SIZE),
        "",
        pdf.PdfLine(words["dossier"].format(id=dossier.public_id), bold=True),
        words["procedure_short"].format(
            title=pick(definition.get("title"), language, dossier.title)
        ),
        words["applicant"].format(name=dossier.applicant_name),
        words["service_agent"].format(name=_service_name(service, language), agent=agent.name),
        words["date"].format(when=_local(dossier.decided_at or dt.datetime.now(dt.UTC), language)),
        "",
        pdf.PdfLine(words["motivation"], bold=True),
        *text.splitlines(),
        "",
        pdf.PdfLine(words["appeal"], bold=True),
        *(appeal or appeal_text(definition, language)).splitlines(),
    ]
    return file_document(
        session,
        dossier,
        kind="decision",
        title=words["decision_title"].format(id=dossier.public_id),
        filename=words["decision_file"].format(id=dossier.public_id),
        lines=lines,
        actor_nrn=agent.nrn,
        acting_as="me",
    )
