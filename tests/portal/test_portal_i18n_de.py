"""German on the portal side: problem details, the catalogue, a German-speaking
person's notifications, e-mails, receipt and decision — against the real portal.

The sandbox has five German-speaking persons (``"language": "de"`` in
persons.json, living in Eupen, Kelmis, Sankt Vith, Bütgenbach). What they read
from the portal must be German; what a French or English caller reads must not
change.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from periphery.smtp_sink import SmtpSink
from problem_sentences import missing, sentences

from portal.messages import LANGUAGES, LOCALE_DIR, translate

GERMAN = "84081911271"  # Anna Pauels, Eupen
FRENCH = "68031412135"  # Philippe Lambert
AGENT = "98070305621"  # an agent of SPW-ARNE, which handles fishing permits
SANDBOX = Path(__file__).resolve().parents[2] / "portal" / "sandbox"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: English words that must not appear in a German or French answer.
ENGLISH = re.compile(r"\b(not found|required|invalid|must|the|is not|too long)\b")


def _catalogue(lang: str) -> dict[str, str]:
    return json.loads((LOCALE_DIR / f"{lang}.json").read_text("utf-8"))


# --- the catalogues ------------------------------------------------------------


def test_the_portal_speaks_german() -> None:
    assert "de" in LANGUAGES


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_every_sentence_the_portal_can_answer_is_translated(lang: str) -> None:
    """Read from the portal's source (tests/portal/problem_sentences.py): a new
    ``raise Problem(...)`` fails here until fr.json and de.json have it."""
    assert len(sentences()) > 200  # the reader still finds the raise sites
    lacking = [f"{s.where}: {s.text}" for s in missing(lang)]
    assert lacking == [], "\n".join(lacking)


def test_german_has_every_french_entry_with_the_same_placeholders() -> None:
    french, german = _catalogue("fr"), _catalogue("de")
    assert set(german) == set(french)
    for lang, entries in (("fr", french), ("de", german)):
        for source, text in entries.items():
            assert text.strip(), (lang, source)
            wanted = set(PLACEHOLDER.findall(source))
            assert set(PLACEHOLDER.findall(text)) == wanted, (lang, source, text)


def test_a_fragment_does_not_swallow_a_sentence() -> None:
    """ "dossier {id}" (a fragment for "{what} not found") must not match a whole
    sentence that starts with "dossier": that sentence has its own entry."""
    sentence = "dossier MSP-2026-000001 is draft: its thread is closed"
    assert translate(sentence, "de").startswith("die Akte MSP-2026-000001 hat den Status")
    assert translate("dossier 'MSP-X' not found", "de") == "Akte 'MSP-X' nicht gefunden"


# --- problem details from the real portal --------------------------------------


def test_problem_details_in_german_by_accept_language(portal_server: Any, login: Any) -> None:
    headers = {"Authorization": f"Bearer {login(portal_server.url, FRENCH)}"}
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers) as api:
        de = api.get("/dossiers/MSP-2026-NOPE", headers={"Accept-Language": "de-BE, fr;q=0.5"})
        bad = api.post("/dossiers", json={"nope": 1}, headers={"Accept-Language": "de"})
        fr = api.get("/dossiers/MSP-2026-NOPE", headers={"Accept-Language": "fr-BE"})
        en = api.get("/dossiers/MSP-2026-NOPE")
    assert de.status_code == 404
    assert de.headers["content-language"] == "de"
    assert de.json()["title"] == "Nicht gefunden"
    assert de.json()["detail"] == "Akte 'MSP-2026-NOPE' nicht gefunden"
    assert de.json()["type"].endswith("/not-found")  # programs key on the type
    assert bad.status_code == 422
    assert bad.json()["title"] == "Ungültige Daten"
    assert bad.json()["detail"].startswith("die Anfrage hat")
    messages = [e["message"] for e in bad.json()["errors"]]
    assert messages and not [m for m in messages if ENGLISH.search(m)], messages
    assert fr.json()["detail"] == "dossier 'MSP-2026-NOPE' introuvable"
    assert en.headers["content-language"] == "en"
    assert en.json()["detail"] == "dossier 'MSP-2026-NOPE' not found"


def test_the_validation_report_is_in_the_callers_language(portal_server: Any, login: Any) -> None:
    """``dossier fill`` shows this report under "still to do": it is read by the applicant."""
    headers = {"Authorization": f"Bearer {login(portal_server.url, GERMAN)}"}
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers) as api:
        dossier = api.post("/dossiers", json={"procedure": "DOGID"}).json()
        bad = {"keeper": {"nrn": "78100309569"}, "dog": {"birth_date": "2020-02-31"}}
        put = api.put(
            f"/dossiers/{dossier['id']}/data",
            json=bad,
            headers={"If-Match": f'"{dossier["version"]}"'},
        )
        assert put.status_code == 200, put.text
        url = f"/dossiers/{dossier['id']}/validate"
        de = api.post(url, headers={"Accept-Language": "de-BE"}).json()["errors"]
        fr = api.post(url, headers={"Accept-Language": "fr-BE"}).json()["errors"]
        en = api.post(url, headers={"Accept-Language": "en"}).json()["errors"]
    german = {e["pointer"]: e["message"] for e in de}
    assert german["/keeper/nrn"] == "keine gültige Nationalregisternummer"
    assert german["/dog/birth_date"] == "kein gültiges Datum"
    assert german["/event"] == "dieses Feld ist erforderlich"
    assert not [m for m in german.values() if ENGLISH.search(m)], german
    assert {e["pointer"]: e["message"] for e in fr}["/keeper/nrn"] == (
        "numéro de registre national non valide"
    )
    assert {e["pointer"]: e["message"] for e in en}["/keeper/nrn"] == "not a valid be-nrn"


def test_a_german_speaking_person_gets_german_without_accept_language(
    portal_server: Any, login: Any
) -> None:
    german = {"Authorization": f"Bearer {login(portal_server.url, GERMAN)}"}
    french = {"Authorization": f"Bearer {login(portal_server.url, FRENCH)}"}
    url = portal_server.url + "/api/v1/dossiers/MSP-2026-NOPE"
    default = httpx.get(url, headers=german)
    chosen = httpx.get(url, headers={**german, "Accept-Language": "en"})
    others = httpx.get(url, headers=french)
    anonymous = httpx.get(portal_server.url + "/api/v1/dossiers")
    assert default.headers["content-language"] == "de", default.text
    assert default.json()["detail"] == "Akte 'MSP-2026-NOPE' nicht gefunden"
    assert chosen.json()["detail"] == "dossier 'MSP-2026-NOPE' not found"
    assert others.headers["content-language"] == "en"
    # before the login is known, nothing says the caller speaks German
    assert anonymous.status_code == 401 and anonymous.headers["content-language"] == "en"


# --- the catalogue --------------------------------------------------------------


def _titles(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if isinstance(schema.get("title"), str):
            yield schema
        for value in schema.values():
            yield from _titles(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _titles(value)


def test_the_catalogue_is_in_german(portal_server: Any) -> None:
    """The API gives every language of each text (the client picks its own)."""
    with httpx.Client(base_url=portal_server.url + "/api/v1") as api:
        listing = api.get("/procedures", params={"limit": 100}).json()["items"]
        found = api.get("/procedures", params={"q": "Angelschein"}).json()["items"]
        permit = api.get("/procedures/PERMIS-PECHE").json()
    assert len(listing) >= 13
    for item in listing:
        assert item["title"]["de"] and item["summary"]["de"], item["code"]
        assert item["service"]["name"]["de"], item["code"]
        assert all(kind["title"]["de"] for kind in item["attachment_kinds"]), item["code"]
    assert [p["code"] for p in found] == ["PERMIS-PECHE"]
    assert permit["title"]["de"] == "Angelschein erwerben"
    assert permit["service"]["name"]["de"] == "ÖDW Landwirtschaft, Naturschätze und Umwelt"
    fields = list(_titles(permit["form"]))
    assert fields and all(f.get("x-title-de") for f in fields)
    permit_type = permit["form"]["properties"]["permit_type"]
    labels = permit_type["x-ui"]["labels"]
    assert labels["T"]["de"] == "Touristenschein – 25,00 € (14 Tage)"


# --- a German-speaking person's dossier: notifications, e-mail, receipt, decision


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def mailing_portal(portal_server: Any, smtp: SmtpSink, tmp_path_factory: Any) -> Iterator[str]:
    """A second real portal on the same database that sends its e-mails to ``smtp``."""
    from tests.conftest import PortalServer

    server = PortalServer(
        portal_server.database_url,
        portal_server.pki_dir,
        tmp_path_factory.mktemp("mailing") / "server.log",
        extra_env={"MONESPACE_PORTAL_SMTP_URL": smtp.url},
    )
    server.start()
    yield server.url
    server.stop()


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content), strict=True)
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def german_dossier(mailing_portal: str, login: Any) -> dict[str, Any]:
    """A fishing permit filed and submitted by Anna Pauels (Eupen)."""
    example = json.loads((SANDBOX / "procedures" / "PERMIS-PECHE.json").read_text("utf-8"))
    headers = {"Authorization": f"Bearer {login(mailing_portal, GERMAN)}"}
    with httpx.Client(base_url=mailing_portal + "/api/v1", headers=headers) as api:
        made = api.post(
            "/dossiers", json={"procedure": "PERMIS-PECHE", "data": example["example_data"]}
        )
        assert made.status_code == 201, made.text
        dossier = made.json()["id"]
        submitted = api.post(f"/dossiers/{dossier}/submit", headers={"Idempotency-Key": dossier})
        assert submitted.status_code == 200, submitted.text
    return {**submitted.json(), "headers": headers}


def test_the_receipt_of_a_german_speaking_person_is_in_german(
    mailing_portal: str, german_dossier: dict[str, Any]
) -> None:
    headers = german_dossier["headers"]
    with httpx.Client(base_url=mailing_portal + "/api/v1", headers=headers) as api:
        document_id = german_dossier["receipt_document_id"]
        listed = {d["id"]: d for d in api.get("/documents").json()["items"]}
        content = api.get(f"/documents/{document_id}/content").content
    assert listed[document_id]["title"] == f"Empfangsbestätigung — {german_dossier['id']}"
    text = _pdf_text(content)
    for needle in (
        "Empfangsbestätigung",
        f"Akte: {german_dossier['id']}",
        "Verfahren / Démarche: Angelschein erwerben",
        "Antragsteller / Demandeur: Anna Pauels",
        "Brüsseler Zeit",
        "Gesetzliche Bearbeitungsfrist / Délai légal de traitement: 1 Tag / jour",
        "Zuständiger Dienst / Service traitant: ÖDW Landwirtschaft",
        "Die Bearbeitungsfrist läuft ab dem Eingang einer vollständigen Akte",
        "elektronisch versiegelt",
    ):
        assert needle in text, (needle, text)
    assert "Acknowledgement" not in text and "Received on" not in text


def _mails_of(smtp: SmtpSink, dossier: str) -> list[Any]:
    return [m for m in smtp.messages if dossier in str(m["Subject"])]


def test_a_german_speaking_person_is_notified_in_german(
    mailing_portal: str, german_dossier: dict[str, Any], smtp: SmtpSink
) -> None:
    dossier = german_dossier["id"]
    with httpx.Client(base_url=mailing_portal + "/api/v1") as api:
        paid = api.post(
            f"/sandbox/payments/{german_dossier['payment_id']}/pay",
            headers=german_dossier["headers"],
        )
        assert paid.status_code == 200, paid.text
        notes = api.get("/notifications", headers=german_dossier["headers"]).json()["items"]
    titles = {n["title"] for n in notes if n["dossier_id"] == dossier}
    assert {
        f"Akte {dossier}: eingereicht",
        f"Neues Dokument in Ihrem Tresor ({dossier})",
        f"Zahlung der Akte {dossier}: ausstehend",
        f"Zahlung der Akte {dossier}: bezahlt",
    } <= titles, titles
    with smtp.arrived:  # submitted, document, payment pending, payment paid
        smtp.arrived.wait_for(lambda: len(_mails_of(smtp, dossier)) >= 4, 10.0)
    mails = _mails_of(smtp, dossier)
    assert mails and all(m["To"] == "anna.pauels@example.be" for m in mails)
    assert f"Akte {dossier}: eingereicht" in {str(m["Subject"]) for m in mails}
    body = mails[0].get_body().get_content()
    assert f"Einzelheiten in Mon Espace: monespace dossier show {dossier}" in body


def test_the_decision_for_a_german_speaking_person_is_in_german(
    mailing_portal: str, german_dossier: dict[str, Any], login: Any
) -> None:
    dossier = german_dossier["id"]
    agent = {"Authorization": f"Bearer {login(mailing_portal, AGENT)}"}
    with httpx.Client(base_url=mailing_portal + "/api/v1") as api:
        claimed = api.post(f"/agent/dossiers/{dossier}/claim", headers=agent)
        assert claimed.status_code == 200, claimed.text
        decided = api.post(
            f"/agent/dossiers/{dossier}/decision",
            headers=agent,
            json={"outcome": "accept", "motivation": "Der Angelschein wird erteilt."},
        )
        assert decided.status_code == 200, decided.text
        document_id = decided.json()["decision_document_id"]
        applicant = german_dossier["headers"]
        listed = {d["id"]: d for d in api.get("/documents", headers=applicant).json()["items"]}
        content = api.get(f"/documents/{document_id}/content", headers=applicant).content
        notes = api.get("/notifications", headers=applicant).json()["items"]
    assert listed[document_id]["title"] == f"Bescheid — {dossier}"
    text = _pdf_text(content)
    for needle in (
        "Positiver Bescheid / Décision favorable",
        "Verfahren / Démarche: Angelschein erwerben",
        "Begründung / Motivation",
        "Der Angelschein wird erteilt.",
        "Rechtsmittel / Voies de recours",
        "Staatsrat, Rue de la Science 33, 1040 Brüssel",
        "60 Tage ab der Notifizierung",
        "Ombudsmanns der Wallonie",
    ):
        assert needle in text, (needle, text)
    assert "Conseil d'État" not in text
    titles = {n["title"] for n in notes if n["dossier_id"] == dossier}
    assert f"Akte {dossier}: positiver Bescheid" in titles, titles


def test_who_is_written_to_in_german() -> None:
    """A person by their registered language; an organisation by its seat."""
    from portal.models import Organisation, Person
    from portal.services.language import in_german_area, organisation_language, person_language

    assert [in_german_area(c) for c in ("4700", "4791", "4780", 4720)] == [True] * 4
    # Malmedy and Waimes (French-language area with facilities), Liège, nothing
    assert [in_german_area(c) for c in ("4960", "4950", "4000", None, "47xx")] == [False] * 5
    eupen = Organisation(bce="0820146777", seat={"postal_code": "4700"})
    namur = Organisation(bce="0856712314", seat={"postal_code": "5000"})
    assert organisation_language(eupen) == "de" and organisation_language(namur) == "fr"
    assert person_language(Person(language="de")) == "de"
    assert person_language(Person(language="nl")) == "fr"  # no Dutch documents
    assert person_language(None) == "fr"
