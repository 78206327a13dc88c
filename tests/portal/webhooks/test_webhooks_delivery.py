"""End to end: a real portal process delivers to a real receiver on loopback.

The portal runs with a short retry schedule (0.2 s, 0.4 s, 0.8 s) so that
retries, dead-lettering and replay happen within seconds. The receiver
verifies every delivery with `portal.webhooks.signing.verify`, as a business
application would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import PortalServer

from .conftest import ANNE, BOULANGERIE, JULIEN, MARIE, MAXIME, User, submit_sesam
from .receiver import Receiver


@pytest.fixture(scope="module")
def http(webhook_portal: PortalServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=webhook_portal.url, timeout=30) as client:
        yield client


@pytest.fixture
def people(http: httpx.Client, login: Callable[..., str]) -> Callable[..., User]:
    def make(nrn: str, acting_as: str | None = None) -> User:
        return User(http, login(http, nrn), acting_as)

    return make


@pytest.fixture
def endpoint_for(people: Callable[..., User]) -> Iterator[Callable[[Receiver], dict[str, Any]]]:
    """Register the receiver for ``dossier.submitted`` as Anne; deleted after the test."""
    anne = people(ANNE)
    made: list[str] = []

    def register(receiver: Receiver) -> dict[str, Any]:
        endpoint = anne.register(receiver.url, ["dossier.submitted"])
        receiver.secret = endpoint["secret"]
        made.append(endpoint["id"])
        return endpoint

    yield register
    for endpoint_id in made:
        anne.delete(f"/agent/webhooks/{endpoint_id}")


def deliveries(user: User, endpoint_id: str) -> list[dict[str, Any]]:
    answer = user.get(f"/agent/webhooks/{endpoint_id}/deliveries")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def wait_for_status(user: User, endpoint_id: str, status: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = deliveries(user, endpoint_id)
        if items and items[0]["status"] == status:
            return items[0]
        time.sleep(0.1)
    raise AssertionError(f"not {status} after {timeout} s: {deliveries(user, endpoint_id)}")


def test_a_submitted_dossier_arrives_signed(
    people: Callable[..., User], endpoint_for: Callable[..., dict[str, Any]], receiver: Receiver
) -> None:
    endpoint = endpoint_for(receiver)
    started = time.monotonic()
    dossier = submit_sesam(people(JULIEN, BOULANGERIE))
    receiver.wait_for(1, timeout=10)
    latency = time.monotonic() - started
    [arrived] = receiver.deliveries
    assert receiver.refused == []
    assert arrived.headers["content-type"] == "application/json"
    assert arrived.headers["webhook-id"].startswith("msg_")
    assert abs(int(arrived.headers["webhook-timestamp"]) - time.time()) < 60
    assert arrived.json["type"] == "dossier.submitted"
    assert arrived.json["data"]["dossier"]["id"] == dossier["id"]
    assert arrived.json["data"]["dossier"]["status"] == "submitted"
    item = wait_for_status(people(ANNE), endpoint["id"], "delivered")
    assert item["message_id"] == arrived.headers["webhook-id"]
    assert item["attempts"] == 1 and item["last_status_code"] == 200
    assert [a["status_code"] for a in item["attempt_log"]] == [200]
    print(f"submit → delivery arrived in {latency:.2f} s (includes the submit itself)")


def test_failures_are_retried_until_delivered(
    people: Callable[..., User], endpoint_for: Callable[..., dict[str, Any]], receiver: Receiver
) -> None:
    receiver.answers = [500, 500]
    endpoint = endpoint_for(receiver)
    submit_sesam(people(JULIEN, BOULANGERIE))
    receiver.wait_for(1, timeout=15)
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1, "same message id"
    item = wait_for_status(people(ANNE), endpoint["id"], "delivered")
    assert item["attempts"] == 3
    assert [a["status_code"] for a in item["attempt_log"]] == [500, 500, 200]
    assert item["attempt_log"][0]["error"] == "HTTP 500"


def test_dead_after_the_schedule_then_replayed(
    people: Callable[..., User], endpoint_for: Callable[..., dict[str, Any]], receiver: Receiver
) -> None:
    receiver.default = 500
    endpoint = endpoint_for(receiver)
    submit_sesam(people(JULIEN, BOULANGERIE))
    anne = people(ANNE)
    dead = wait_for_status(anne, endpoint["id"], "dead")
    assert dead["attempts"] == 4, "one try and three retries (0.2, 0.4, 0.8 s)"
    assert [a["status_code"] for a in dead["attempt_log"]] == [500] * 4
    assert dead["next_attempt_at"] is None and dead["delivered_at"] is None
    assert receiver.deliveries == []

    maxime, marie = people(MAXIME), people(MARIE)
    assert maxime.post(f"/agent/webhooks/deliveries/{dead['id']}/replay").status_code == 403
    assert marie.post(f"/agent/webhooks/deliveries/{dead['id']}/replay").status_code == 404
    assert deliveries(maxime, endpoint["id"])[0]["status"] == "dead", "agents read the log"

    receiver.default = 200  # the business application is fixed
    replayed = anne.post(f"/agent/webhooks/deliveries/{dead['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["status"] == "pending" and replayed.json()["attempts"] == 0
    receiver.wait_for(1, timeout=10)
    assert receiver.deliveries[0].headers["webhook-id"] == dead["message_id"]
    done = wait_for_status(anne, endpoint["id"], "delivered")
    assert [a["status_code"] for a in done["attempt_log"]] == [500] * 4 + [200]
    dead_only = anne.get(f"/agent/webhooks/{endpoint['id']}/deliveries", params={"status": "dead"})
    assert dead_only.json()["items"] == []


def test_a_receiver_with_the_wrong_secret_refuses(
    people: Callable[..., User], endpoint_for: Callable[..., dict[str, Any]], receiver: Receiver
) -> None:
    endpoint = endpoint_for(receiver)
    receiver.secret = "whsec_" + "A" * 32  # not the endpoint's secret
    submit_sesam(people(JULIEN, BOULANGERIE))
    receiver.wait_for(1, timeout=10, all_requests=True)
    assert receiver.deliveries == [] and receiver.refused == ["no valid v1 signature"]
    people(ANNE).delete(f"/agent/webhooks/{endpoint['id']}")  # stop the retries
