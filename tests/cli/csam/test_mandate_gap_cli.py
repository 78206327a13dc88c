"""``monespace mandate`` and ``monespace gap`` through the real portal."""

from __future__ import annotations

import json
from pathlib import Path

from csam_support import (
    ARDENNE,
    BOULANGERIE,
    FIDUCIAIRE,
    KEVIN,
    LUC,
    SOPHIE,
    TREMPLIN,
    TREMPLIN_GAP,
)


def _state(cli, mandate_id: str, org: str) -> str:
    result = cli("mandate", "list", "--org", org, "-o", "json")
    assert result.code == 0, result.err
    return next(m["state"] for m in json.loads(result.out) if str(m["id"]) == mandate_id)


def test_propose_accept_revoke_round_trip(cli_as) -> None:
    sophie, tremplin = cli_as(SOPHIE), cli_as(TREMPLIN_GAP)
    proposed = sophie(
        "mandate",
        "propose",
        "--beneficiary",
        TREMPLIN,
        "--mandataire",
        FIDUCIAIRE,
        "--domain",
        "non_profit",
        "--domain",
        "employment",
        "--until",
        "2030-12-31",
        "-o",
        "json",
    )
    assert proposed.code == 0, proposed.err
    mandate_id = str(json.loads(proposed.out)["id"])
    assert _state(tremplin, mandate_id, TREMPLIN) == "proposed"
    # The proposing side cannot accept its own proposal.
    assert sophie("mandate", "accept", mandate_id).code == 3
    accepted = tremplin("mandate", "accept", mandate_id)
    assert accepted.code == 0, accepted.err
    assert _state(sophie, mandate_id, FIDUCIAIRE) == "active"
    revoked = sophie("mandate", "revoke", mandate_id)
    assert revoked.code == 0, revoked.err
    assert _state(tremplin, mandate_id, TREMPLIN) == "revoked"
    assert tremplin("mandate", "refuse", mandate_id).code == 5  # no longer proposed
    assert sophie("mandate", "accept", "999999").code == 4


def test_import_reports_proposed_skipped_rejected(cli_as, tmp_path: Path) -> None:
    sophie = cli_as(SOPHIE)
    csv = tmp_path / "clients.csv"
    csv.write_text(
        "\ufeffbce;domains;valid_from;valid_until\n"
        "0453066412;employment,economy;;2030-12-31\n"
        f"{BOULANGERIE};employment;;\n"
        f"{ARDENNE};space;;\n"
        "1234567890;economy;;\n",
        encoding="utf-8",
    )
    result = sophie("mandate", "import", str(csv), "--mandataire", FIDUCIAIRE, "-o", "json")
    assert result.code == 7, result.err
    report = {row["line"]: row for row in json.loads(result.out)}
    assert [report[n]["result"] for n in (2, 3, 4, 5)] == [
        "proposed",
        "skipped",
        "rejected",
        "rejected",
    ]
    assert "space" in report[4]["detail"] and "BCE" in report[5]["detail"]
    assert "1 proposed, 1 skipped, 2 rejected." in result.err
    again = sophie("mandate", "import", str(csv), "--mandataire", FIDUCIAIRE)
    assert again.code == 7 and "0 proposed, 2 skipped, 2 rejected." in again.err
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{ARDENNE},space,,\n")
    assert sophie("mandate", "import", str(bad), "--mandataire", FIDUCIAIRE).code == 5
    # Kevin is no GAP of the fiduciaire: the portal refuses each row.
    kevin = cli_as(KEVIN)
    other = tmp_path / "other.csv"
    other.write_text(f"{TREMPLIN};economy;;\n")
    refused = kevin("mandate", "import", str(other), "--mandataire", FIDUCIAIRE)
    assert refused.code in (4, 5), refused.err
    assert "Traceback" not in refused.err


def test_import_all_ok_exits_0_and_a_rerun_skips(cli_as, tmp_path: Path) -> None:
    sophie = cli_as(SOPHIE)
    csv = tmp_path / "one.csv"
    csv.write_text("1004821515,economy|employment,2026-01-01,2029-12-31\n", encoding="utf-8")
    first = sophie("mandate", "import", str(csv), "--mandataire", FIDUCIAIRE)
    assert first.code == 0, first.err
    assert "1 proposed, 0 skipped, 0 rejected." in first.err
    second = sophie("mandate", "import", str(csv), "--mandataire", FIDUCIAIRE)
    assert second.code == 0 and "0 proposed, 1 skipped, 0 rejected." in second.err


def test_gap_designate_list_remove(cli_as) -> None:
    luc = cli_as(LUC)
    listed = luc("gap", "list", "--org", BOULANGERIE, "-o", "json")
    assert listed.code == 0, listed.err
    assert LUC in listed.out
    added = luc("gap", "designate", SOPHIE, "--org", BOULANGERIE)
    assert added.code == 0, added.err
    assert SOPHIE in luc("gap", "list", "--org", BOULANGERIE, "-o", "json").out
    removed = luc("gap", "remove", SOPHIE, "--org", BOULANGERIE)
    assert removed.code == 0, removed.err
    assert SOPHIE not in luc("gap", "list", "--org", BOULANGERIE, "-o", "json").out
    # Kevin is GAP of Ardenne Digital but not its legal representative.
    assert cli_as(KEVIN)("gap", "list", "--org", ARDENNE).code == 3
    assert luc("gap", "list", "--org", ARDENNE).code == 4
    assert luc("gap", "designate", "74011920709", "--org", BOULANGERIE).code == 5


def test_import_reads_excels_unicode_text_export(cli_as, tmp_path: Path) -> None:
    """Excel's "Texte Unicode" (UTF-16 with BOM, tabs, CRLF) is read as bulk reads it."""
    sophie = cli_as(SOPHIE)
    export = tmp_path / "mandats.txt"
    text = "bce\tdomains\tvalid_from\tvalid_until\r\n0893.450.271\tspace\t01/03/2027\t\r\n"
    export.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = sophie("mandate", "import", str(export), "--mandataire", FIDUCIAIRE, "-o", "json")
    assert result.code == 5, result.err
    [row] = json.loads(result.out)
    assert row["result"] == "rejected" and "space" in row["detail"], row
