"""Login on another device (RFC 8628): the waiting rule the CLI and the TUI share.

The portal gives a user code and an address (:meth:`PortalClient.start_device_login`);
the person approves on a phone or another computer; meanwhile this side asks
for the session at the portal's interval. Why one module: both front-ends
must wait the same way — never faster than the interval, 5 s slower for
good after ``slow_down`` (RFC 8628 §3.5), giving up at the code's expiry —
and report refusal and expiry the same way.

``sleep`` and ``clock`` are parameters so the TUI can wait on a cancellable
event instead of ``time.sleep``; nothing else differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monespace_cli.client import DeviceAuthorization, PortalClient, Session

#: RFC 8628 §3.5: how much a ``slow_down`` adds to the interval.
SLOW_DOWN_STEP = 5


class DeviceLoginEnded(Exception):
    """The login will not happen: refused on the other device, or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: ``access_denied`` or ``expired_token`` (RFC 8628), or ``cancelled``.
        self.reason = reason


def wait_for_session(
    client: PortalClient,
    started: DeviceAuthorization,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_slow_down: Callable[[int], object] | None = None,
) -> Session:
    """Poll until approved; :class:`DeviceLoginEnded` when refused or expired.

    ``sleep`` returning True means "stop waiting" (the TUI's cancel button):
    :class:`DeviceLoginEnded` with reason ``cancelled``.
    """
    from monespace_cli.client import BadRequest

    interval = max(1, int(started["interval"]))
    deadline = clock() + int(started["expires_in"])
    while True:
        if clock() + interval > deadline:
            raise DeviceLoginEnded("expired_token")
        if sleep(interval) is True:
            raise DeviceLoginEnded("cancelled")
        try:
            return client.poll_device_login(started["device_code"])
        except BadRequest as exc:
            error = str(exc.problem.get("error") or "")
            if error == "authorization_pending":
                continue
            if error == "slow_down":
                interval = int(exc.problem.get("interval") or interval + SLOW_DOWN_STEP)
                if on_slow_down is not None:
                    on_slow_down(interval)
                continue
            if error in ("access_denied", "expired_token"):
                raise DeviceLoginEnded(error) from None
            raise
