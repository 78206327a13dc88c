"""The single exception → sentence + exit code mapping."""

from __future__ import annotations

import io

import pytest

from eid import errors as eid_errors
from monespace_cli.client import _exceptions as client_errors
from monespace_cli.errors import CliError, ExitCode, UsageProblem, explain, report


def problem(status: int, **extra: object) -> dict[str, object]:
    return {
        "type": "about:blank",
        "title": "t",
        "status": status,
        "detail": "what happened",
        **extra,
    }


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (client_errors.AuthenticationRequired("x", status=401, problem=problem(401)), 3),
        (client_errors.Forbidden("x", status=403, problem=problem(403)), 3),
        (client_errors.NotFound("x", status=404, problem=problem(404)), 4),
        (client_errors.ValidationFailed("x", status=422, problem=problem(422)), 5),
        (client_errors.Conflict("x", status=409, problem=problem(409)), 5),
        (client_errors.StaleVersion("x", status=412, problem=problem(412)), 5),
        (client_errors.BadRequest("x", status=400, problem=problem(400)), 5),
        (client_errors.RateLimited("x", problem=problem(429), retry_after=3), 1),
        (client_errors.PortalUnavailable("x", problem=problem(503)), 1),
        (client_errors.PortalError("x", status=500, problem=problem(500, error_id="e-42")), 1),
        (eid_errors.NoReader("no reader"), 6),
        (eid_errors.NoCard("no card"), 6),
        (eid_errors.PcscUnavailable("pcscd down"), 6),
        (eid_errors.WrongPin(2), 3),
        (eid_errors.PinBlocked(), 6),
        (eid_errors.InvalidPinFormat(), 5),
        (UsageProblem("bad"), 2),
        (KeyboardInterrupt(), 130),
    ],
)
def test_exit_codes(exc: BaseException, code: int) -> None:
    err = io.StringIO()
    assert report(exc, stderr=err) == code
    text = err.getvalue()
    assert text.startswith("error: ")
    assert "Traceback" not in text


def test_field_errors_are_listed() -> None:
    exc = client_errors.ValidationFailed(
        "invalid",
        status=422,
        problem=problem(422, errors=[{"pointer": "/applicant/iban", "message": "not an IBAN"}]),
    )
    err = io.StringIO()
    report(exc, stderr=err)
    assert "  /applicant/iban: not an IBAN" in err.getvalue()


def test_server_error_quotes_the_error_id() -> None:
    err = io.StringIO()
    report(
        client_errors.PortalError("boom", status=500, problem=problem(500, error_id="e-42")),
        stderr=err,
    )
    assert "e-42" in err.getvalue()


def test_eid_fix_is_the_hint() -> None:
    err = io.StringIO()
    report(eid_errors.PcscUnavailable("The PC/SC service is not running."), stderr=err)
    assert "systemctl start pcscd" in err.getvalue()


def test_unknown_exception_asks_for_debug_and_hides_the_traceback() -> None:
    err = io.StringIO()
    assert report(ZeroDivisionError("x"), stderr=err) == ExitCode.FAILURE
    assert "--debug" in err.getvalue() and "Traceback" not in err.getvalue()
    err = io.StringIO()
    try:
        _ = 1 / 0
    except ZeroDivisionError as exc:
        report(exc, stderr=err, debug=True)
    assert "Traceback" in err.getvalue()


def test_pin_never_appears_in_messages() -> None:
    err = io.StringIO()
    report(eid_errors.WrongPin(1), stderr=err)
    assert "1234" not in err.getvalue()
    assert explain(CliError("x")) is not None
