"""``monespace agent …``: the back office of the administrations' agents.

Agents triage and decide dossiers of their services' procedures: a queue with
filters, claiming, assigning (supervisors), complement requests, private
notes, decisions, bulk runs and exports, and the webhooks that hand dossiers
over to business applications. Thin commands as everywhere in the CLI: parse
and check → :mod:`monespace_cli.client` (``AgentAPI``) → the shared printer;
portal errors go to :mod:`monespace_cli.errors` (404 → 4, 422/409 → 5), but
for a refusal the agent's own words (:mod:`.access`).

One module per verb or group of verbs, as in gh's ``pkg/cmd/<noun>/<verb>/``:
:mod:`.queue`, :mod:`.show`, :mod:`.download`, :mod:`.actions` (``claim``,
``release``, ``assign``, ``complement``, ``note``, ``notes``, ``decide``),
:mod:`.history`, :mod:`.bulk`, :mod:`.export` and the ``webhook`` group
(:mod:`.webhook`); the options they share are in :mod:`.options`. This
module only builds the noun's app and adds the verbs, in the order
``--help`` lists them (:mod:`~monespace_cli.commands._shared.verbs`).
"""

from __future__ import annotations

from monespace_cli.app import noun_app
from monespace_cli.commands._shared.verbs import add_verbs
from monespace_cli.commands.agent import (
    actions,
    bulk,
    download,
    export,
    history,
    queue,
    show,
    webhook,
)
from monespace_cli.i18n import _

app = noun_app(_("Back office for agents: queue, claim, complement, decide, bulk, export."))
add_verbs(
    app,
    queue.verbs,
    show.verbs,
    download.verbs,
    actions.verbs,
    history.verbs,
    bulk.verbs,
    export.verbs,
)
app.add_typer(webhook.webhook_app, name="webhook")
