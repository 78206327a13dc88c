"""What the app adds around the routers: middleware and per-request HTTP concerns.

Overload (in-flight limit), rate limits, idempotency keys, fault injection and
files over HTTP. The routers (``portal.api``) and the app factory
(``portal.app``) use these; nothing below the routers does, so the domain,
the services and the back office stay callable without a request.
"""
