"""Webhooks to the services' business applications (docs/api.md "Webhooks").

- ``endpoints``: who may register which URL, and the endpoint operations;
- ``outbox``: one delivery row per event and subscribed endpoint, written in
  the dossier's transaction (hooked into `portal.domain.dossiers.record_event`);
- ``signing``: Standard Webhooks signatures, and ``verify`` for receivers;
- ``dispatcher``: the per-process loop that sends, retries and dead-letters;
- ``deliveries``: the delivery log and replay.

:func:`install` wires the dispatcher into an app built by
`portal.app.create_app`: it runs for the app's lifespan (unless
``MONESPACE_PORTAL_WEBHOOKS=off``), and sessions of the app carry its
wake-up function so a commit that queued deliveries sends them at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from portal.webhooks.dispatcher import Dispatcher
from portal.webhooks.outbox import WAKE_KEY

__all__ = ["Dispatcher", "install"]


def install(app: Any) -> Dispatcher | None:
    """Run a dispatcher during ``app``'s lifespan; None when webhooks are off here."""
    settings = app.state.settings
    if not settings.webhooks_enabled:
        return None
    maker = app.state.sessionmaker
    # Woken by the event hub (portal.streams.hub) for every new event or queued
    # delivery, of this process or (PostgreSQL) any other: the poll is only a
    # safety net, and the sleep until the next retry is due is kept.
    poll = float(settings.extra.get("webhook_poll_seconds", settings.streams.safety_poll_seconds))
    dispatcher = Dispatcher(
        maker, backoff=settings.webhook_backoff, sandbox=settings.sandbox, poll_interval=poll
    )
    app.state.webhook_dispatcher = dispatcher
    maker.configure(info={**(maker.kw.get("info") or {}), WAKE_KEY: dispatcher.wake})
    app.router.lifespan_context = _with_dispatcher(app.router.lifespan_context, dispatcher)
    return dispatcher


def _with_dispatcher(
    inner: Callable[[Any], AbstractAsyncContextManager[Any]], dispatcher: Dispatcher
) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
    """The app's lifespan, with the dispatcher running inside it."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with inner(app) as state:
            dispatcher.start()
            try:
                yield state
            finally:
                await dispatcher.stop()

    return lifespan
