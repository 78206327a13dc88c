"""Uploading and downloading attachments through the real app."""

from __future__ import annotations

import hashlib

from . import files


def test_good_files_are_stored_and_come_back_identical(citizen):
    dossier = citizen.new_dossier("DOGID")
    for name, data, ctype in [
        ("certificat.pdf", files.pdf_file("Certificat vétérinaire"), "application/pdf"),
        ("photo.png", files.png(), "image/png"),
        ("photo.jpeg", files.jpeg(), "image/jpeg"),
    ]:
        answer = citizen.upload(dossier["id"], "vet_certificate", name, data, ctype)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["size"] == len(data) and body["content_type"] == ctype
        download = citizen.get(f"/attachments/{body['id']}/content")
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
        assert download.headers["content-type"] == ctype
        assert download.headers["x-content-type-options"] == "nosniff"
    listed = citizen.get(f"/dossiers/{dossier['id']}").json()["attachments"]
    assert [a["filename"] for a in listed] == ["certificat.pdf", "photo.png", "photo.jpg"]


def test_oversized_upload_is_413_and_nothing_is_stored(make_portal, as_user):
    client = make_portal(max_upload=50_000)
    user = as_user(client, "68031412135")
    dossier = user.new_dossier("DOGID")
    big = files.pdf_file() + b"%" + b"x" * 60_000 + b"\n%%EOF\n"
    answer = user.upload(dossier["id"], "vet_certificate", "big.pdf", big, "application/pdf")
    assert answer.status_code == 413, answer.text
    assert answer.json()["type"].endswith("/too-large")
    assert user.get(f"/dossiers/{dossier['id']}").json()["attachments"] == []


def test_disguised_files_are_415(citizen):
    dossier = citizen.new_dossier("DOGID")
    for name, data, ctype in [
        ("contract.pdf", files.zip_file(), "application/pdf"),
        ("cat.png", files.HTML, "image/png"),
        ("glued.pdf", b"%PDF-1.7\n" + files.zip_file(), "application/pdf"),
    ]:
        answer = citizen.upload(dossier["id"], "vet_certificate", name, data, ctype)
        assert answer.status_code == 415, (name, answer.text)
        assert answer.json()["type"].endswith("/unsupported-media-type")


def test_a_real_png_where_only_pdf_is_accepted_is_415(citizen):
    dossier = citizen.new_dossier("PERMIS-PECHE")
    answer = citizen.upload(dossier["id"], "other", "x.png", files.png(), "image/png")
    assert answer.status_code == 201  # "other" accepts the three types
    dossier = citizen.new_dossier("ENV-DECL-CL3")
    answer = citizen.upload(dossier["id"], "site_plan", "plan.pdf", files.png(), "image/png")
    assert answer.status_code == 415


def test_names_are_sanitised(citizen):
    dossier = citizen.new_dossier("DOGID")
    data = files.pdf_file()
    for raw, expected in [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\evil.pdf", "evil.pdf"),
        ("a" * 400 + ".pdf", "a" * 116 + ".pdf"),
        ("rapport\u202efdp.exe", "rapportfdp.pdf"),
    ]:
        answer = citizen.upload(dossier["id"], "vet_certificate", raw, data, "application/pdf")
        assert answer.status_code == 201, answer.text
        assert answer.json()["filename"] == expected


def test_unknown_kind_and_malformed_bodies(citizen):
    dossier = citizen.new_dossier("DOGID")
    answer = citizen.upload(dossier["id"], "passport", "x.pdf", files.pdf_file(), "application/pdf")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/kind"
    answer = citizen.post(f"/dossiers/{dossier['id']}/attachments", json={"kind": "x"})
    assert answer.status_code in (400, 415, 422)
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_another_persons_dossier_and_attachment_are_404(citizen, other):
    dossier = citizen.new_dossier("DOGID")
    data = files.pdf_file()
    mine = citizen.upload(dossier["id"], "vet_certificate", "a.pdf", data, "application/pdf")
    answer = other.upload(dossier["id"], "vet_certificate", "b.pdf", data, "application/pdf")
    assert answer.status_code == 404
    assert other.get(f"/attachments/{mine.json()['id']}/content").status_code == 404
    assert other.get("/attachments/att_doesnotexist/content").status_code == 404


def test_anonymous_upload_is_refused_before_reading(portal):
    answer = portal.post(
        "/api/v1/dossiers/MSP-2026-000001/attachments",
        data={"kind": "x"},
        files={"file": ("a.pdf", files.pdf_file(), "application/pdf")},
    )
    assert answer.status_code == 401
