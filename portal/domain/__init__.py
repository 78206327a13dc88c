"""The portal's rules, callable without a request: dossiers, procedures, forms, who acts for whom.

``dossiers`` (life cycle, events and their listeners), ``catalog``
(procedures and their versions), ``forms`` (prefill and validation),
``states`` (the life cycle's transitions), ``authz`` (acting contexts and
the :class:`~portal.domain.authz.Actor`), ``accesslog`` (who read whose
data) and ``serialize`` (the JSON shapes of docs/api.md). Everything above
(services, back office, webhooks, streams, routers) builds on these; they
import only the models, the database helpers and the problems.
"""
