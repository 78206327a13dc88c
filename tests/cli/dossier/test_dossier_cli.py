"""``monespace dossier …`` end to end: real CLI subprocess → real portal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

CITIZEN = "68031412135"  # the citizen of conftest.py (Philippe Jean Lambert)


def new_permit(mcli, *extra: str) -> dict:
    result = mcli(
        "dossier",
        "new",
        "PERMIS-PECHE",
        "--set",
        "permit_type=B",
        "--set",
        "year=2027",
        "-o",
        "json",
        *extra,
    )
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_new_applies_prefill_and_typed_set_values(mcli) -> None:
    dossier = new_permit(mcli)
    assert dossier["status"] == "draft"
    assert dossier["procedure"] == "PERMIS-PECHE"
    assert dossier["data"]["permit_type"] == "B"
    assert dossier["data"]["year"] == 2027  # an integer: typed from the form's schema
    assert dossier["data"]["holder"]["nrn"] == CITIZEN
    assert any(p.startswith("/holder") for p in dossier["prefilled"])


def test_new_shows_prefilled_fields_as_such(mcli) -> None:
    result = mcli("dossier", "new", "PERMIS-PECHE", "--set", "permit_type=A")
    assert result.code == 0, result.err
    assert "/holder/surname" in result.out
    assert "prefilled from the national register" in result.out
    assert "/permit_type" in result.out
    line = next(line for line in result.out.splitlines() if "/permit_type" in line)
    assert "prefilled" not in line


def test_new_from_data_file_and_stdin(mcli, tmp_path: Path) -> None:
    data = tmp_path / "data.yaml"
    data.write_text("permit_type: T\nyear: 2027\nstart_date: 2027-04-01\n")
    result = mcli("dossier", "new", "PERMIS-PECHE", "--data", str(data), "-o", "json")
    assert result.code == 0, result.err
    body = json.loads(result.out)["data"]
    assert body["start_date"] == "2027-04-01"  # YAML dates stay strings
    result = mcli(
        "dossier", "new", "PERMIS-PECHE", "--data", "-", "-o", "json", input='{"permit_type": "A"}'
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["data"]["permit_type"] == "A"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "year=next"], "'next' is not accepted. Type a whole number."),
        (["--set", "noequals"], "path=value"),
        (["--data", "/nonexistent/data.json"], "No such file"),
        (["--attach", "quote=/nonexistent/q.pdf"], "No such file"),
        (["--attach", "nokind"], "kind=FILE"),
    ],
)
def test_new_bad_input_is_a_usage_error(mcli, args: list[str], message: str) -> None:
    result = mcli("dossier", "new", "PERMIS-PECHE", *args)
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err


def test_unknown_procedure_is_not_found(mcli) -> None:
    result = mcli("dossier", "new", "NO-SUCH-PROCEDURE")
    assert result.code == 4
    assert "Traceback" not in result.err


def test_validate_lists_missing_fields_then_passes(mcli) -> None:
    draft = json.loads(mcli("dossier", "new", "PERMIS-PECHE", "-o", "json").out)
    result = mcli("dossier", "validate", draft["id"])
    assert result.code == 5
    assert "/permit_type" in result.err
    fixed = mcli(
        "dossier", "fill", draft["id"], "--set", "permit_type=B", "--set", "year=2027", "-o", "json"
    )
    assert fixed.code == 0, fixed.err
    assert json.loads(fixed.out)["version"] > draft["version"]
    result = mcli("dossier", "validate", draft["id"])
    assert result.code == 0, result.err
    result = mcli("dossier", "validate", draft["id"], "-o", "json")
    assert json.loads(result.out)["valid"] is True


def test_submit_shows_receipt_and_payment_and_is_final(mcli) -> None:
    draft = new_permit(mcli)
    result = mcli("dossier", "submit", draft["id"])
    assert result.code == 0, result.err
    assert "receipt" in result.out.lower()
    assert "+++" in result.out  # the structured communication of the fee
    again = mcli("dossier", "submit", draft["id"], "-o", "json")
    assert again.code == 5  # 409: already submitted
    shown = json.loads(mcli("dossier", "show", draft["id"], "-o", "json").out)
    assert shown["status"] == "submitted"
    assert shown["receipt_document_id"] and shown["payment_id"]


def test_submit_with_the_same_key_is_idempotent(mcli) -> None:
    draft = new_permit(mcli)
    first = mcli(
        "dossier", "submit", draft["id"], "--idempotency-key", "k-" + draft["id"], "-o", "json"
    )
    second = mcli(
        "dossier", "submit", draft["id"], "--idempotency-key", "k-" + draft["id"], "-o", "json"
    )
    assert first.code == 0 and second.code == 0, second.err
    assert json.loads(first.out)["submitted_at"] == json.loads(second.out)["submitted_at"]


def test_submit_incomplete_exits_5_with_the_field_list(mcli) -> None:
    draft = json.loads(mcli("dossier", "new", "PERMIS-PECHE", "-o", "json").out)
    result = mcli("dossier", "submit", draft["id"])
    assert result.code == 5
    assert "/permit_type" in result.err


def test_list_formats_and_filters(mcli) -> None:
    made = new_permit(mcli)
    table = mcli("dossier", "list")
    assert table.code == 0 and made["id"] in table.out
    rows = list(csv.DictReader(io.StringIO(mcli("dossier", "list", "-o", "csv").out)))
    assert made["id"] in [r["id"] for r in rows]
    assert "applicant.name" in rows[0]
    lines = mcli("dossier", "list", "-o", "jsonl").out.splitlines()
    assert all(json.loads(line)["id"] for line in lines)
    ids = mcli("dossier", "list", "--status", "draft", "--jq", ".[].id").out.split()
    assert made["id"] in ids
    none = mcli(
        "dossier", "list", "--status", "accepted", "--procedure", "PERMIS-PECHE", "-o", "json"
    )
    assert none.code == 0 and json.loads(none.out) == []
    bad = mcli("dossier", "list", "--status", "sleeping")
    assert bad.code == 2
    everywhere = mcli("dossier", "list", "--all-contexts", "-o", "json")
    assert everywhere.code == 0, everywhere.err
    assert made["id"] in [d["id"] for d in json.loads(everywhere.out)]


def test_show_history_and_unknown_ids(mcli) -> None:
    made = new_permit(mcli)
    shown = mcli("dossier", "show", made["id"])
    assert shown.code == 0 and made["id"] in shown.out
    history = json.loads(mcli("dossier", "history", made["id"], "-o", "json").out)
    assert history[0]["type"] == "created"
    for verb in ("show", "history", "validate", "submit", "withdraw", "download"):
        result = mcli("dossier", verb, "MSP-1999-999999", "--yes")
        assert result.code == 4, (verb, result.err)
        assert "Traceback" not in result.err


def test_another_persons_dossier_is_not_found(mcli, other_token: str) -> None:
    made = new_permit(mcli)
    result = mcli("dossier", "show", made["id"], MONESPACE_TOKEN=other_token)
    assert result.code == 4


def test_no_token_or_bad_token_exit_3(mcli) -> None:
    env_without = {k: v for k, v in mcli.env.items() if k != "MONESPACE_TOKEN"}
    from cli_helpers import run_cli

    assert run_cli(["dossier", "list"], env_without).code == 3
    result = mcli("dossier", "list", MONESPACE_TOKEN="not-a-real-token")
    assert result.code == 3
    assert "auth login" in result.err


def test_withdraw_needs_yes_without_a_terminal(mcli) -> None:
    made = new_permit(mcli)
    refused = mcli("dossier", "withdraw", made["id"])
    assert refused.code == 2
    assert "--yes" in refused.err
    done = mcli("dossier", "withdraw", made["id"], "--yes", "-o", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["status"] == "withdrawn"
    assert mcli("dossier", "withdraw", made["id"], "--yes").code == 5


def test_fill_never_prompts_without_a_terminal(mcli) -> None:
    made = new_permit(mcli)
    for extra in ([], ["--editor"]):
        result = mcli("dossier", "fill", made["id"], *extra)
        assert result.code == 2
        assert "--data" in result.err


def test_attach_and_download(mcli, pdf_file: Path, tmp_path: Path) -> None:
    made = json.loads(mcli("dossier", "new", "DOGID", "-o", "json").out)
    result = mcli("dossier", "attach", made["id"], "vet_certificate", str(pdf_file))
    assert result.code == 0, result.err
    shown = json.loads(mcli("dossier", "show", made["id"], "-o", "json").out)
    assert [a["kind"] for a in shown["attachments"]] == ["vet_certificate"]
    target = tmp_path / "dl"
    result = mcli("dossier", "download", made["id"], "--dir", str(target), "-o", "json")
    assert result.code == 0, result.err
    saved = json.loads(result.out)
    assert Path(saved[0]["path"]).read_bytes() == pdf_file.read_bytes()


def test_attach_refuses_disguised_and_missing_files(mcli, tmp_path: Path) -> None:
    made = json.loads(mcli("dossier", "new", "DOGID", "-o", "json").out)
    fake = tmp_path / "certificat.pdf"
    fake.write_text("<html>not a pdf</html>")
    result = mcli("dossier", "attach", made["id"], "vet_certificate", str(fake))
    assert result.code == 5
    result = mcli("dossier", "attach", made["id"], "vet_certificate", str(tmp_path / "missing.pdf"))
    assert result.code == 2
    assert "No such file" in result.err


def test_new_with_attachment(mcli, pdf_file: Path) -> None:
    result = mcli(
        "dossier", "new", "DOGID", "--attach", f"vet_certificate={pdf_file}", "-o", "json"
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["attachments"][0]["filename"] == pdf_file.name


def test_watch_until_decided_returns_for_a_decided_dossier(mcli) -> None:
    made = new_permit(mcli)
    assert mcli("dossier", "withdraw", made["id"], "--yes").code == 0
    result = mcli("dossier", "watch", made["id"], "--until-decided")
    assert result.code == 0, result.err
    assert "withdrawn" in result.err
    assert mcli("dossier", "watch", "--until-decided").code == 2


def test_portal_down_is_a_clear_failure(mcli) -> None:
    result = mcli("dossier", "list", MONESPACE_PORTAL="http://127.0.0.1:9")
    assert result.code == 1
    assert "cannot be reached" in result.err
    assert "Traceback" not in result.err


def test_interrupted_submit_says_how_to_retry_safely(mcli) -> None:
    result = mcli("dossier", "submit", "MSP-2026-000001", MONESPACE_PORTAL="http://127.0.0.1:9")
    assert result.code == 1
    assert "monespace dossier submit MSP-2026-000001 --idempotency-key monespace-" in result.err


def test_acting_for_an_organisation(mcli) -> None:
    firm = "0856712314"  # Fiduciaire Meuse & Sambre SRL: the citizen is its legal representative
    made = mcli("dossier", "new", "SESAM", "--as", firm, "-o", "json")
    assert made.code == 0, made.err
    dossier = json.loads(made.out)
    assert dossier["applicant"] == {
        "kind": "organisation",
        "id": firm,
        "name": dossier["applicant"]["name"],
    }
    mine = [d["id"] for d in json.loads(mcli("dossier", "list", "-o", "json").out)]
    assert dossier["id"] not in mine  # "me" sees only the person's own dossiers
    everywhere = json.loads(mcli("dossier", "list", "--all-contexts", "-o", "json").out)
    assert dossier["id"] in [d["id"] for d in everywhere]
    refused = mcli("dossier", "list", "--as", "0453066412")  # an ASBL where they hold no role
    assert refused.code == 3
    assert "context list" in refused.err


def test_set_takes_a_date_as_people_write_it(mcli) -> None:
    """``--set start_date=01/04/2027`` stores the ISO date the form wants."""
    dossier = new_permit(mcli, "--set", "start_date=01/04/2027")
    assert dossier["data"]["start_date"] == "2027-04-01"


def test_set_refuses_a_bad_date_or_yes_no_in_german(mcli) -> None:
    """Wrong input is said in the user's words, not a JSON Schema type name."""
    german = {"LANG": "de_BE.UTF-8"}
    bad_day = mcli("dossier", "new", "PERMIS-PECHE", "--set", "start_date=31/02/2027", **german)
    assert bad_day.code == 2, bad_day.err
    assert "/start_date: '31/02/2027' ist kein gültiges Kalenderdatum." in bad_day.err
    flag = mcli("dossier", "new", "DOGID", "--set", "dog.sterilised=vielleicht", **german)
    assert flag.code == 2, flag.err
    assert "'vielleicht' wird nicht angenommen. Antworten Sie mit Ja oder Nein." in flag.err
    assert "boolean" not in flag.err


def test_money_and_context_read_as_german(mcli) -> None:
    """The decimal comma, an IBAN in groups of four, and no bare ``me``."""
    german = {"LANG": "de_BE.UTF-8"}
    dossier = new_permit(mcli)
    submitted = mcli("dossier", "submit", dossier["id"], **german)
    assert submitted.code == 0, submitted.err
    assert "Zu zahlen: 12,39 EUR auf BE" in submitted.out, submitted.out
    line = next(x for x in submitted.out.splitlines() if x.startswith("Zu zahlen"))
    iban = line.split(" auf ")[1].split(",")[0]
    assert len(iban.split(" ")) == 4, line  # BE34 0912 1050 5890
    payment = json.loads(mcli("payment", "list", "-o", "json").out)[0]
    shown = mcli("payment", "show", payment["id"], MONESPACE_FORCE_TTY="1", NO_COLOR="1", **german)
    assert shown.code == 0, shown.err
    assert "12,39 EUR" in shown.out and iban in shown.out, shown.out
    listed = mcli("payment", "list", MONESPACE_FORCE_TTY="1", NO_COLOR="1", **german)
    assert "Sie handeln in eigenem Namen" in listed.err, listed.err
    assert "Sie handeln für: me" not in listed.err


def test_show_says_status_and_context_in_german(mcli) -> None:
    """A person reads "Entwurf" and "in eigenem Namen", not ``draft`` and ``me``."""
    dossier = new_permit(mcli)
    tty = {"LANG": "de_BE.UTF-8", "MONESPACE_FORCE_TTY": "1", "NO_COLOR": "1", "COLUMNS": "100"}
    shown = mcli("dossier", "show", dossier["id"], **tty)
    assert shown.code == 0, shown.err
    lines = {line.split("  ")[0]: line.split("  ")[-1].strip() for line in shown.out.splitlines()}
    assert lines["Status"] == "Entwurf", shown.out
    assert lines["Handelt für"] == "in eigenem Namen", shown.out
    status = mcli("auth", "status", **tty)
    assert "in eigenem Namen" in status.out and " me\n" not in status.out, status.out
