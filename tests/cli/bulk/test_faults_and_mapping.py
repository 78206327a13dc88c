"""The portal's fault-injection switch, and the mapping file (pure parts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monespace_cli.bulk.mapping import Mapping, MappingError, load_mapping, plan_columns
from portal.config import ConfigError, from_env
from portal.http import faults


def test_fault_plan_syntax() -> None:
    plan = faults.parse("503=0.1, 429=0.2,delay=0.05:0.5")
    assert plan == faults.FaultPlan(0.1, 0.2, (0.05, 0.5))
    for bad in ("503=2", "500=0.1", "delay=3:1", "503=0.7,429=0.7", "nonsense"):
        with pytest.raises(ConfigError, match="MONESPACE_PORTAL_FAULTS"):
            faults.parse(bad)


def test_faults_only_in_sandbox_mode() -> None:
    assert faults.plan_for("503=0.5", sandbox=False) is None
    assert faults.plan_for("503=0.5", sandbox=True) == faults.FaultPlan(0.5, 0.0, None)
    settings = from_env({"MONESPACE_PORTAL_FAULTS": "429=1", "MONESPACE_PORTAL_FAULTS_SEED": "7"})
    assert (settings.faults, settings.faults_seed) == ("429=1", 7)


def test_faulted_answers_in_process(
    pki_dir: Path, sandbox_database_template: Path, tmp_path
) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from portal.app import create_app
    from tests.conftest import make_settings

    db = tmp_path / "p.sqlite3"
    shutil.copyfile(sandbox_database_template, db)
    app = create_app(make_settings(f"sqlite:///{db}", pki_dir, faults="429=1"))
    with TestClient(app) as client:
        answer = client.get("/api/v1/procedures")
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
        assert answer.json()["type"].endswith("/rate-limited")
        assert client.get("/healthz").status_code == 200  # outside /api/v1: never faulted
    app = create_app(make_settings(f"sqlite:///{db}", pki_dir, faults="503=1", sandbox=False))
    with TestClient(app) as client:
        assert client.get("/api/v1/procedures").status_code == 200  # ignored outside sandbox


def test_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        'beneficiary = "N° entreprise"\n[columns]\n"IBAN" = "/iban"\n'
        '[attachments]\n"PME" = "sme_check"\n[constants]\n"/is_sme" = true\n',
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    plan = plan_columns(["N° entreprise", "IBAN", "PME", "/contact/phone", "Notes"], mapping)
    assert plan.beneficiary == "N° entreprise"
    assert plan.fields == {"IBAN": "/iban", "/contact/phone": "/contact/phone"}
    assert plan.attachments == {"PME": "sme_check"}
    assert plan.constants == {"/is_sme": True}
    assert plan.ignored == ["Notes"]
    assert plan.column_of("/iban") == "IBAN"
    with pytest.raises(MappingError, match="does not have"):
        plan_columns(["N° entreprise"], mapping)
    with pytest.raises(MappingError, match="beneficiary"):
        plan_columns(["/iban"], Mapping())
    path.write_text('[columns]\n"IBAN" = "iban"\n')
    with pytest.raises(MappingError, match="JSON pointer"):
        load_mapping(path)
