"""Sandbox-only endpoints (404 unless sandbox mode is on).

``POST /sandbox/cards`` builds the card image of a register person with the
sandbox PKI (H1's ``eid.virtual.personalise.build_card``), so the virtual
card of that person presents certificates the portal trusts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from portal.api.schemas import problems
from portal.auth.deps import DbSession
from portal.config import Settings
from portal.models import Person
from portal.problems import Problem, not_found

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
    from portal.sandbox.cards import card_image

    return card_image(person, settings.effective_pki_dir, body.applet, body.pin)
