"""Rows from records (CSV and JSON Lines), the dry run's form check, the retry rule."""

from __future__ import annotations

import asyncio
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from monespace_cli.bulk.mapping import Mapping, plan_columns
from monespace_cli.bulk.progress import Progress
from monespace_cli.bulk.retry import GaveUp, RetryPolicy, Stopped, call_with_retries
from monespace_cli.bulk.rows import build_row, validate_row, without_prefilled_requirements
from monespace_cli.bulk.sheet import read_jsonl_text, read_sheet
from monespace_cli.client import PortalUnavailable, RateLimited, ValidationFailed

SESAM = json.loads(
    (Path(__file__).resolve().parents[3] / "portal/sandbox/procedures/SESAM.json").read_text()
)
FORM = SESAM["form"]


def test_json_lines_rows_keep_their_types_and_type_strings(tmp_path: Path) -> None:
    text = "\n".join(
        [
            json.dumps(
                {
                    "bce": "0641.238.591",
                    "/is_sme": True,
                    "/workers/0/working_time": 0.5,
                    "/workers/0/start_date": "01/09/2026",
                    "/iban": "be33 3631 9024 6746",
                }
            ),
            "",
            json.dumps({"bce": "0712394031", "/is_sme": "oui"}),
        ]
    )
    sheet = read_jsonl_text(text, "utf-8")
    plan = plan_columns(sheet.columns, Mapping())
    first, second = (build_row(r, plan, FORM, tmp_path) for r in sheet.records)
    assert first.bce == "0641238591" and not first.errors
    assert first.data == {
        "is_sme": True,
        "workers": [{"working_time": 0.5, "start_date": "2026-09-01"}],
        "iban": "BE33363190246746",
    }
    assert (second.row, second.data) == (3, {"is_sme": True})


def test_jsonl_file_by_extension(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"bce": "0641238591"}\n', encoding="utf-8")
    assert read_sheet(path).kind == "jsonl"
    path.write_text('{"bce": \n', encoding="utf-8")
    with pytest.raises(ValueError, match="Line 1"):
        read_sheet(path)


def test_prefilled_fields_are_not_required_in_the_dry_run(tmp_path: Path) -> None:
    relaxed = without_prefilled_requirements(FORM)
    assert "enterprise" not in relaxed["required"]  # the portal fills it from the BCE
    assert "contact" not in relaxed["required"]  # ... and from the register
    assert "iban" in relaxed["required"]
    assert FORM["required"][0] == "enterprise"  # the original is untouched
    sheet = read_jsonl_text(json.dumps({"bce": "0641238591", "/iban": "BE00"}), "utf-8")
    plan = plan_columns(sheet.columns, Mapping())
    row = build_row(sheet.records[0], plan, FORM, tmp_path)
    problems = {(e.column, e.reason) for e in validate_row(row, FORM, plan)}
    assert ("/iban", "Not a valid IBAN (check the digits).") in problems
    assert ("/workers", "this field is required") in problems
    assert not any(column.startswith("/enterprise") for column, _ in problems)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_retries_honour_retry_after_and_give_up() -> None:
    calls: list[float] = []

    async def flaky() -> str:
        calls.append(asyncio.get_running_loop().time())
        if len(calls) < 3:
            raise RateLimited("slow down", status=429, retry_after=0.2)
        return "ok"

    policy = RetryPolicy(attempts=5, base=0.01, cap=0.05)
    result = run(call_with_retries(flaky, policy, stopping=lambda: False, rng=random.Random(1)))
    assert result == "ok" and len(calls) == 3
    assert calls[1] - calls[0] >= 0.2 and calls[2] - calls[1] >= 0.2

    async def down() -> str:
        raise PortalUnavailable("down", status=503)

    with pytest.raises(GaveUp):
        run(call_with_retries(down, policy, stopping=lambda: False, rng=random.Random(1)))


def test_refusals_are_not_retried_and_stop_interrupts_a_wait() -> None:
    attempts = 0

    async def refused() -> str:
        nonlocal attempts
        attempts += 1
        raise ValidationFailed("bad", status=422)

    policy = RetryPolicy(attempts=5, base=5.0, cap=5.0)
    with pytest.raises(ValidationFailed):
        run(call_with_retries(refused, policy, stopping=lambda: False, rng=random.Random(1)))
    assert attempts == 1

    async def down() -> str:
        raise PortalUnavailable("down", status=503)

    with pytest.raises(Stopped):
        run(call_with_retries(down, policy, stopping=lambda: True, rng=random.Random(1)))


def test_an_upload_that_reached_the_portal_is_not_repeated() -> None:
    uploads = 0

    async def upload() -> str:
        nonlocal uploads
        uploads += 1
        raise PortalUnavailable("the portal did not answer in time", status=None)

    async def already() -> str | None:
        return "there"

    policy = RetryPolicy(attempts=5, base=0.01, cap=0.01)
    got = run(
        call_with_retries(
            upload, policy, stopping=lambda: False, rng=random.Random(1), done_already=already
        )
    )
    assert (got, uploads) == ("there", 1)


def test_progress_bar_only_when_asked() -> None:
    quiet = io.StringIO()
    Progress(quiet, enabled=False, total=3, done=0).update({"submitted": 1})
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    bar = Progress(shown, enabled=True, total=3, done=0)
    bar.update({"submitted": 2, "rejected": 1})
    bar.close()
    assert "2 submitted, 1 rejected" in shown.getvalue() and "3/3" in shown.getvalue()


def test_the_reads_before_a_run_are_retried_too() -> None:
    """A 503 on the procedure read must not end a run before its first row (CI found it)."""
    from monespace_cli.bulk.retry import RetryPolicy, call_sync_with_retries
    from monespace_cli.client import NotFound

    answers: list[Any] = [PortalUnavailable("down", status=503)] * 2 + [{"code": "SESAM"}]

    def read() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    fast = RetryPolicy(attempts=5, base=0.001, cap=0.01)
    assert call_sync_with_retries(read, fast) == {"code": "SESAM"}

    def missing() -> Any:
        raise NotFound("no such procedure", status=404)

    with pytest.raises(NotFound):
        call_sync_with_retries(missing, fast)
