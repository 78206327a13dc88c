"""message, document, payment, mydata and live watch, end to end against the real portal."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monespace_cli.forms import display_iban


def submitted_permit(mcli) -> dict:
    made = mcli(
        "dossier",
        "new",
        "PERMIS-PECHE",
        "--set",
        "permit_type=B",
        "--set",
        "year=2027",
        "-o",
        "json",
    )
    assert made.code == 0, made.err
    dossier_id = json.loads(made.out)["id"]
    done = mcli("dossier", "submit", dossier_id, "-o", "json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_messages(mcli, pdf_file: Path) -> None:
    dossier = submitted_permit(mcli)
    sent = mcli("message", "send", dossier["id"], "Bonjour, une question.", "-o", "json")
    assert sent.code == 0, sent.err
    assert json.loads(sent.out)["body"] == "Bonjour, une question."
    with_file = mcli(
        "message", "send", dossier["id"], "-", "--attach", str(pdf_file), input="Voici la pièce."
    )
    assert with_file.code == 0, with_file.err
    listed = json.loads(mcli("message", "list", dossier["id"], "-o", "json").out)
    assert [m["body"] for m in listed][-2:] == ["Bonjour, une question.", "Voici la pièce."]
    assert listed[-1]["attachments"][0]["filename"] == pdf_file.name
    table = mcli("message", "list", dossier["id"])
    assert "Voici la pièce." in table.out
    assert mcli("message", "send", dossier["id"], "   ").code == 2
    assert mcli("message", "list", "MSP-1999-999999").code == 4


def test_receipt_download_and_offline_verify(mcli, tmp_path: Path, portal_server) -> None:
    dossier = submitted_permit(mcli)
    docs = json.loads(mcli("document", "list", "-o", "json").out)
    receipt = next(d for d in docs if d["id"] == dossier["receipt_document_id"])
    assert receipt["kind"] == "receipt"
    target = tmp_path / "receipt.pdf"
    result = mcli("document", "download", receipt["id"], "--output-file", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(b"%PDF")
    assert (
        json.loads((tmp_path / "receipt.pdf.seal.json").read_text())["document_id"] == receipt["id"]
    )

    # Offline: the portal is unreachable, the cached trust anchor is enough.
    offline = mcli("document", "verify", str(target), MONESPACE_PORTAL="http://127.0.0.1:9")
    assert offline.code != 0  # another portal origin: no anchor cached for it
    cached = next((Path(mcli.env["MONESPACE_CONFIG_DIR"]) / "seal-trust").glob("*.json"))
    offline = mcli(
        "document",
        "verify",
        str(target),
        "--trust",
        str(cached),
        MONESPACE_PORTAL="http://127.0.0.1:9",
    )
    assert offline.code == 0, offline.err  # no portal needed at all
    ok = mcli("document", "verify", str(target))
    assert ok.code == 0, ok.err
    assert "Valid seal" in ok.err
    as_json = json.loads(mcli("document", "verify", str(target), "-o", "json").out)
    assert as_json["valid"] is True and as_json["document_id"] == receipt["id"]

    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(target.read_bytes() + b"\n% changed")
    seal = tmp_path / "receipt.pdf.seal.json"
    bad = mcli("document", "verify", str(tampered), "--seal", str(seal))
    assert bad.code == 1
    assert "does NOT hold" in bad.err and "SHA-256" in bad.err
    forged = json.loads(seal.read_text())
    forged["signed_at"] = "2020-01-01T00:00:00Z"
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    bad = mcli("document", "verify", str(target), "--seal", str(tmp_path / "forged.json"))
    assert bad.code == 1 and "signature" in bad.err
    missing = mcli("document", "verify", str(tmp_path / "nope.pdf"))
    assert missing.code == 2

    # dossier download: the documents come with their seals, side by side.
    saved = mcli("dossier", "download", dossier["id"], "--dir", str(tmp_path / "all"), "-o", "json")
    assert saved.code == 0, saved.err
    documents = [Path(s["path"]) for s in json.loads(saved.out) if s["kind"] == "document"]
    assert documents and all(Path(str(d) + ".seal.json").exists() for d in documents)
    assert mcli("document", "verify", str(documents[0])).code == 0


def test_verify_with_an_explicit_foreign_trust_anchor_fails(mcli, tmp_path: Path) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    dossier = submitted_permit(mcli)
    target = tmp_path / "r.pdf"
    assert (
        mcli(
            "document", "download", dossier["receipt_document_id"], "--output-file", str(target)
        ).code
        == 0
    )
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rogue root")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA384())
    )
    anchor = tmp_path / "rogue.pem"
    anchor.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    result = mcli("document", "verify", str(target), "--trust", str(anchor))
    assert result.code == 1
    assert "does NOT hold" in result.err


def test_payment_show_with_qr_and_png(mcli, tmp_path: Path) -> None:
    dossier = submitted_permit(mcli)
    payments = json.loads(mcli("payment", "list", "-o", "json").out)
    payment = next(p for p in payments if p["id"] == dossier["payment_id"])
    assert payment["amount"] == "12.39" and payment["status"] == "pending"
    shown = mcli("payment", "show", payment["id"])
    assert shown.code == 0, shown.err
    assert payment["structured_ref"] in shown.out
    assert display_iban(payment["iban"]) in shown.out  # BE34 0912 …: as people copy it
    assert "█" in shown.out or "▀" in shown.out  # the QR code, drawn with blocks
    png = tmp_path / "qr.png"
    result = mcli("payment", "show", payment["id"], "--qr", str(png), "-o", "json")
    assert result.code == 0, result.err
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert json.loads(result.out)["epc_qr"].startswith("BCD")
    assert mcli("payment", "show", "pay_nope").code == 4
    csv_out = mcli("payment", "list", "-o", "csv").out
    assert csv_out.splitlines()[0].startswith("id,")


def test_mydata_and_access_log(mcli) -> None:
    submitted_permit(mcli)  # its prefill read the national register
    shown = mcli("mydata", "show", "-o", "json")
    assert shown.code == 0, shown.err
    data = json.loads(shown.out)
    assert data["source"] == "rn"
    table = mcli("mydata", "show")
    assert "Lambert" in table.out
    log = json.loads(mcli("mydata", "access-log", "-o", "json").out)
    assert log and {"at", "accessor", "data", "purpose"} <= set(log[0])
    assert mcli("mydata", "access-log", "--limit", "1", "-o", "jsonl").out.count("\n") == 1


@pytest.mark.slow
def test_watch_follows_live_events_until_decided(mcli) -> None:
    made = mcli("dossier", "new", "PERMIS-PECHE", "-o", "json")
    dossier_id = json.loads(made.out)["id"]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monespace_cli",
            "dossier",
            "watch",
            dossier_id,
            "--until-decided",
            "-o",
            "jsonl",
        ],
        env=mcli.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2.0)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert mcli("dossier", "withdraw", dossier_id, "--yes").code == 0
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["type"] == "status_changed" and events[-1]["new"] == "withdrawn"
    assert all(e["dossier_id"] == dossier_id for e in events)
