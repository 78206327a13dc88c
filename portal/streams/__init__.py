"""Live event delivery: one event source per process, fanned out to its streams.

- ``changes``: what a committed transaction changed that streams care about
  (new dossier events, rights), told to this process's hub and, on
  PostgreSQL, to every process through ``NOTIFY`` sent by that transaction;
- ``rights``: who a stream delivers to, re-checked on each delivery;
- ``hub``: the per-process reader, fan-out, keep-alives and caps.

This package's ``__init__`` imports nothing: ``portal.db`` imports
``changes`` to register its hooks, and must not pull in the hub.
"""
