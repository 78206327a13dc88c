"""Loads the sandbox JSON files once for the sandbox tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SANDBOX = Path(__file__).resolve().parents[3] / "portal" / "sandbox"


@cache
def load(name: str) -> Any:
    """Parsed content of portal/sandbox/<name>."""
    return json.loads((SANDBOX / name).read_text(encoding="utf-8"))


@cache
def procedures() -> dict[str, dict[str, Any]]:
    """Every procedure file, by code."""
    files = sorted((SANDBOX / "procedures").glob("*.json"))
    return {p["code"]: p for p in (json.loads(f.read_text(encoding="utf-8")) for f in files)}


def persons_by_nrn() -> dict[str, dict[str, Any]]:
    return {p["nrn"]: p for p in load("persons.json")}


def organisations_by_bce() -> dict[str, dict[str, Any]]:
    return {o["bce"]: o for o in load("organisations.json")}
