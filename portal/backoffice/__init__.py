"""The back office: what agents of a service do with the dossiers it handles.

One concept a module: ``access`` (who is an agent of which service, and the
404 rule), ``queue`` (filters, counts, keyset pages), ``actions`` (claim,
release, assign, complement, notes, decision — one conditional update each),
``bulk`` (the same actions over many dossiers, with a dry run), ``export``
(CSV / JSON Lines streamed). The HTTP layer is ``portal.api.agent``.
"""
