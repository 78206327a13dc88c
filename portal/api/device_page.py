"""``/device``: the sandbox page where a login on another device is approved.

The verification address of RFC 8628 (portal/api/device.py). In the sandbox
a tester types (or scans) the user code, picks a sandbox person and
approves or refuses; in production the same address hands over to the
federal authentication service (portal/auth/verification.py), which is not
implemented here.

Plain HTML, no script. The form is protected against cross-site requests
by a double-submit token: a random value in a ``SameSite=Lax`` cookie
that must come back, equal, in the form. Wrong user codes count against
the caller's address (``MONESPACE_PORTAL_RATE_DEVICE_CODE_FAILURES``), so the
short code cannot be guessed by trying.
"""

from __future__ import annotations

import html
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from portal.api.auth import _address, _settings
from portal.auth import device
from portal.auth.deps import DbSession
from portal.auth.verification import Verifier, verifier_for
from portal.http import ratelimit
from portal.messages import negotiate, translate
from portal.models import DeviceAuthorization, Person
from portal.problems import Problem

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "monespace_device_csrf"
#: How many sandbox persons the page offers (the sandbox register is small).
MAX_PERSONS = 500

#: Every sentence of the page (translated through portal/locale/*.json).
TITLE = "Log in on another device"
INTRO = "Check that this code is the one shown in your terminal, then choose who approves."
CODE_LABEL = "Code"
PERSON_LABEL = "Sandbox person"
APPROVE = "Approve"
REFUSE = "Refuse"
APPROVED = "Approved: your terminal is now logged in. You may close this page."
REFUSED = "Refused: your terminal will not be logged in."
BAD_CODE = "This code is unknown or has expired: check it, or start the login again."
BAD_FORM = "The form has expired or comes from another site: reload this page and try again."
BAD_PERSON = "Choose a sandbox person."
TOO_MANY = "Too many wrong codes from this address: wait a few minutes."
SANDBOX_NOTE = "Sandbox: no real identity is checked."
CONTINUE = "Continue"
CALLBACK_PATH = "/device/callback"


def _lang(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def _page(
    lang: str, body: str, status: int = 200, csrf: str | None = None, *, sandbox: bool = True
) -> HTMLResponse:
    """A whole page; with ``csrf`` the form's token cookie is (re)set.

    The cookie is ``SameSite=Lax``, not Strict: the federal authentication
    service sends the person back to the callback by a cross-site redirect,
    which must carry it. A forged cross-site POST still lacks it (Lax) and
    the form's copy of the token, which another site cannot read.
    """
    title = html.escape(translate(TITLE, lang))
    note = f"<p><small>{html.escape(translate(SANDBOX_NOTE, lang))}</small></p>" if sandbox else ""
    document = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1>{body}{note}</main></body></html>"
    )
    response = HTMLResponse(document, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if csrf is not None:
        response.set_cookie(
            CSRF_COOKIE, csrf, httponly=True, samesite="lax", path="/device", max_age=3600
        )
    return response


def _message(lang: str, text: str, status: int) -> HTMLResponse:
    return _page(lang, f'<p role="status">{html.escape(translate(text, lang))}</p>', status)


def _form(
    request: Request, db: DbSession, user_code: str, lang: str, verifier: Verifier
) -> HTMLResponse:
    csrf = secrets.token_urlsafe(32)
    if verifier.name != "sandbox":  # the code only; the provider says who the person is
        body = (
            f"<p>{html.escape(translate(INTRO, lang))}</p>"
            '<form method="post" action="/device">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<p><label for="user_code">{html.escape(translate(CODE_LABEL, lang))}</label> '
            f'<input id="user_code" name="user_code" value="{html.escape(user_code)}" '
            'autocomplete="off" required maxlength="20"></p>'
            '<p><button type="submit" name="decision" value="approve">'
            f"{html.escape(translate(CONTINUE, lang))}</button></p></form>"
        )
        return _page(lang, body, csrf=csrf, sandbox=False)
    by_name = select(Person).order_by(Person.surname, Person.given_names)
    persons = db.scalars(by_name.limit(MAX_PERSONS)).all()
    options = "".join(
        f'<option value="{p.nrn}">{html.escape(p.name)} ({p.nrn})</option>' for p in persons
    )
    body = (
        f"<p>{html.escape(translate(INTRO, lang))}</p>"
        '<form method="post" action="/device">'
        f'<input type="hidden" name="csrf" value="{csrf}">'
        f'<p><label for="user_code">{html.escape(translate(CODE_LABEL, lang))}</label> '
        f'<input id="user_code" name="user_code" value="{html.escape(user_code)}" '
        'autocomplete="off" required maxlength="20"></p>'
        f'<p><label for="person">{html.escape(translate(PERSON_LABEL, lang))}</label> '
        f'<select id="person" name="person">{options}</select></p>'
        f'<p><button type="submit" name="decision" value="approve">'
        f"{html.escape(translate(APPROVE, lang))}</button> "
        f'<button type="submit" name="decision" value="refuse">'
        f"{html.escape(translate(REFUSE, lang))}</button></p></form>"
    )
    return _page(lang, body, csrf=csrf)


@router.get("/device")
def show(request: Request, db: DbSession, user_code: str = "") -> HTMLResponse:
    """The form, with the code of ``verification_uri_complete`` already filled in."""
    verifier = verifier_for(_settings(request))  # 503 when device login is not configured
    return _form(request, db, user_code[:20], _lang(request), verifier)


@router.post("/device", response_model=None)
def decide(
    request: Request,
    db: DbSession,
    csrf: Annotated[str, Form(max_length=100)] = "",
    user_code: Annotated[str, Form(max_length=20)] = "",
    person: Annotated[str, Form(max_length=20)] = "",
    decision: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse | RedirectResponse:
    """Sandbox: approve or refuse in the chosen person's name; else hand over to the provider."""
    settings = _settings(request)
    verifier = verifier_for(settings)
    lang = _lang(request)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf or not secrets.compare_digest(cookie, csrf):
        return _message(lang, BAD_FORM, 403)
    key = f"device-code-failure:{_address(request)}"
    try:
        ratelimit.enforce(db, key, settings.device_code_failure_rate, "wrong device codes")
    except Problem:
        return _message(lang, TOO_MANY, 429)
    code = device.normalise_user_code(user_code)
    row = device.find_pending(db, code) if code else None
    if row is None:
        ratelimit.hit(db, key, settings.device_code_failure_rate)
        return _message(lang, BAD_CODE, 400)
    if verifier.name != "sandbox":
        # The state names the authorization and is bound to this browser (its cookie).
        target = verifier.hand_over(f"{row.id}.{csrf}", _callback_uri(request))
        if target is not None:
            return RedirectResponse(target, status_code=303)
    who = db.get(Person, person) if person else None
    if who is None or decision not in {"approve", "refuse"}:
        return _message(lang, BAD_PERSON, 422)
    device.decide(row, who, approve=decision == "approve")
    db.commit()
    return _message(lang, APPROVED if decision == "approve" else REFUSED, 200)


def _callback_uri(request: Request) -> str:
    from portal.api.device import public_origin

    return public_origin(request) + CALLBACK_PATH


@router.get(CALLBACK_PATH)
def callback(request: Request, db: DbSession, code: str = "", state: str = "") -> HTMLResponse:
    """The provider's redirect back: who the person is, then the approval in their name.

    The state must be the one this browser was sent with (its cookie), so a
    callback replayed in another browser approves nothing.
    """
    verifier = verifier_for(_settings(request))
    lang = _lang(request)
    row_id, _dot, token = state.partition(".")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not row_id.isdigit() or not cookie or not secrets.compare_digest(cookie, token):
        return _message(lang, BAD_FORM, 403)
    row = db.get(DeviceAuthorization, int(row_id))
    if row is None or device.find_pending_row(row) is None:
        return _message(lang, BAD_CODE, 400)
    nrn = verifier.person_of(code[:2000], _callback_uri(request))
    who = db.get(Person, nrn)
    if who is None:
        return _message(lang, BAD_PERSON, 422)
    device.decide(row, who, approve=True)
    db.commit()
    return _message(lang, APPROVED, 200)
