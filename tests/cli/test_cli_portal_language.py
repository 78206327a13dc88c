"""The portal answers problem details in the CLI's language (Accept-Language).

A French CLI used to print "Introuvable : dossier '…' not found": the title
was the CLI's, the detail the portal's English. The client now sends its
language and the portal translates title, detail and field messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from cli_helpers import cli_env, run_cli

CITIZEN = "74011920708"
#: The accountant of the Fiduciaire Meuse & Sambre, and a client company of theirs.
ACCOUNTANT = "91052314742"
CLIENT = "0641238591"


def test_french_cli_gets_french_details(portal_server: Any, login: Any, tmp_path: Path) -> None:
    token = login(portal_server.url, CITIZEN)
    env = cli_env(tmp_path, MONESPACE_PORTAL=portal_server.url, MONESPACE_TOKEN=token)
    french = run_cli(["dossier", "show", "MSP-2026-NOPE"], {**env, "LANGUAGE": "fr"})
    assert french.code == 4, french.err
    assert "introuvable" in french.err and "not found" not in french.err
    english = run_cli(["dossier", "show", "MSP-2026-NOPE"], env)
    assert english.code == 4
    assert "not found" in english.err


def test_portal_negotiates_and_keeps_programs_keys(portal_server: Any, login: Any) -> None:
    token = login(portal_server.url, CITIZEN)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers) as api:
        fr = api.get("/dossiers/MSP-2026-NOPE", headers={"Accept-Language": "fr-BE, en;q=0.5"})
        de = api.get("/dossiers/MSP-2026-NOPE", headers={"Accept-Language": "de"})
        bad = api.post("/dossiers", json={"nope": 1}, headers={"Accept-Language": "fr"})
    assert fr.status_code == 404
    assert fr.headers["content-language"] == "fr"
    assert fr.json()["title"] == "Introuvable"
    assert fr.json()["detail"] == "dossier 'MSP-2026-NOPE' introuvable"
    assert fr.json()["type"].endswith("/not-found")
    assert de.headers["content-language"] == "de"
    assert de.json()["detail"] == "Akte 'MSP-2026-NOPE' nicht gefunden"
    assert bad.status_code == 422
    assert bad.json()["title"] == "Données non valides"
    assert all("required" not in e["message"] for e in bad.json()["errors"]), bad.json()


def test_a_refused_submission_is_told_in_french(portal_server: Any, login: Any) -> None:
    """The commonest refusal (an incomplete draft) was 'problem(s) to fix' and
    'this attachment is required' inside a French answer; form checks too."""
    citizen = {"Authorization": f"Bearer {login(portal_server.url, CITIZEN)}"}
    wrong = httpx.post(
        portal_server.url + "/api/v1/dossiers",
        json={"procedure": "SESAM"},
        headers={**citizen, "Accept-Language": "fr"},
    )
    assert wrong.status_code == 403
    assert (
        wrong.json()["detail"] == "procédure SESAM est réservée aux entreprises, pas à Luc Mathieu"
    )
    token = login(portal_server.url, ACCOUNTANT)
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept-Language": "fr-BE",
        "X-Acting-As": CLIENT,
    }
    with httpx.Client(base_url=portal_server.url + "/api/v1", headers=headers) as api:
        made = api.post("/dossiers", json={"procedure": "SESAM"})
        assert made.status_code == 201, made.text
        dossier = made.json()["id"]
        data = {"workers": [{"working_time": 0.5000000001, "surname": "x" * 500}], "iban": 5}
        patched = api.put(f"/dossiers/{dossier}/data", json=data, headers={"If-Match": '"1"'})
        assert patched.status_code == 200, patched.text
        refused = api.post(f"/dossiers/{dossier}/submit", headers={"Idempotency-Key": dossier})
        wrong_method = api.patch(f"/dossiers/{dossier}", json={})
    assert wrong_method.json()["detail"] == "Méthode non permise", wrong_method.text
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["detail"].startswith("le dossier ne peut pas être déposé"), body
    english = ("problem", "required", "is not", "is too", "multiple of", "attachment")
    leaks = [e["message"] for e in body["errors"] if any(w in e["message"] for w in english)]
    assert not leaks, leaks
    assert any("multiple de" in e["message"] for e in body["errors"]), body


def test_acting_without_a_role_is_refused_in_french(portal_server: Any, login: Any) -> None:
    """The refusal every accountant meets (a client whose mandate is not active)."""
    headers = {
        "Authorization": f"Bearer {login(portal_server.url, ACCOUNTANT)}",
        "Accept-Language": "fr",
        "X-Acting-As": "0477620377",
    }
    refused = httpx.get(portal_server.url + "/api/v1/dossiers", headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == (
        "vous n'avez aucun rôle qui vous permette d'agir pour l'organisation 0477620377"
    )
    stale = httpx.get(
        portal_server.url + "/api/v1/dossiers",
        headers={"Authorization": "Bearer nope", "Accept-Language": "fr"},
    )
    assert stale.json()["detail"] == "le jeton de session n'est pas valide", stale.text
