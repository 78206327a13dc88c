"""Sandbox-only endpoints (404 unless sandbox mode is on).

``POST /sandbox/cards`` builds the card image of a register person with the
sandbox PKI (``eid.virtual.personalise.build_card``), so the virtual
card of that person presents certificates the portal trusts.

``POST /sandbox/ocsp`` (RFC 6960 appendix A, POST form) is the sandbox
PKI's OCSP responder; the certificates of the cards built here name it in
their Authority Information Access, as real eID certificates name the
Belgian responder.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from portal.api.schemas import problems
from portal.auth.deps import DbSession
from portal.auth.trust import sandbox_pki
from portal.config import Settings
from portal.models import Person
from portal.problems import Problem, not_found
from portal.sandbox.cards import card_image

router = APIRouter(prefix="/sandbox", tags=["sandbox"])


class CardRequest(BaseModel):
    """Which person's card to build, for which applet, with which PIN."""

    nrn: Annotated[str, Field(pattern=r"^\d{11}$")]
    applet: Literal["1.7", "1.8"] = "1.8"
    pin: Annotated[str, Field(pattern=r"^\d{4,12}$", description="the card's PIN (sandbox only)")]


def require_sandbox(request: Request) -> Settings:
    """404 unless the portal runs in sandbox mode."""
    settings: Settings = request.app.state.settings
    if not settings.sandbox:
        raise Problem("not-found", "sandbox endpoints exist only in sandbox mode")
    return settings


@router.post(
    "/cards",
    status_code=201,
    summary="Build a virtual eID card image (sandbox)",
    responses=problems(404),
)
def build_card(request: Request, body: CardRequest, db: DbSession) -> dict[str, Any]:
    """The CardImage JSON of a register person, signed by the sandbox PKI."""
    settings = require_sandbox(request)
    person = db.get(Person, body.nrn)
    if person is None:
        raise not_found(f"person {body.nrn}")
    pki = sandbox_pki(settings.effective_pki_dir)
    if settings.public_origin or not pki.has_ocsp_url:
        # The first portal to build a card names itself; a configured public
        # origin always wins. Not re-set at every call: certificates naming
        # another responder are re-issued, and portals sharing a PKI directory
        # (tests, several processes) would re-issue them back and forth.
        pki.set_ocsp_url(ocsp_url(request, settings))
    return card_image(person, settings.effective_pki_dir, body.applet, body.pin)


def ocsp_url(request: Request, settings: Settings) -> str:
    """The address of this portal's OCSP responder (public origin, or as reached)."""
    origin = settings.public_origin or f"{request.url.scheme}://{request.url.netloc}"
    return f"{origin.rstrip('/')}{request.scope.get('root_path', '')}/api/v1/sandbox/ocsp"


#: An OCSP request for one certificate is about 100 bytes.
MAX_OCSP_REQUEST = 4096
OCSP_RESPONSE_TYPE = "application/ocsp-response"


def _answer(settings: Settings, der: bytes) -> Response:
    answer = sandbox_pki(settings.effective_pki_dir).ocsp_response(der)
    return Response(answer, media_type=OCSP_RESPONSE_TYPE, headers={"Cache-Control": "no-store"})


@router.post(
    "/ocsp",
    summary="OCSP responder of the sandbox PKI",
    response_class=Response,
    responses={200: {"content": {OCSP_RESPONSE_TYPE: {}}}, **problems(404, 413)},
)
async def ocsp_post(request: Request) -> Response:
    """Answer a DER OCSP request (``application/ocsp-request``), RFC 6960."""
    settings = require_sandbox(request)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_OCSP_REQUEST:
            raise Problem("too-large", "an OCSP request is at most 4096 bytes")
    return await run_in_threadpool(_answer, settings, body)  # signing: off the event loop
