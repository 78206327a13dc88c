"""``monespace dossier …``: create, fill, validate, submit and follow dossiers.

One module per verb or group of verbs, as in gh's ``pkg/cmd/<noun>/<verb>/``:
:mod:`.new`, :mod:`.fill` (``fill``, ``validate``; with :mod:`.form_filler`,
:mod:`.editor` and :mod:`.data_input`), :mod:`.submit` (``submit``,
``withdraw``), :mod:`.show` (``list``, ``show``, ``history``), :mod:`.files`
(``attach``, ``download``) and :mod:`.watch`; what several of them share is
in :mod:`.options`. This module only builds the noun's app and adds the
verbs, in the order ``--help`` lists them (:mod:`~monespace_cli.commands._shared.verbs`).

Thin commands: parse → call :mod:`monespace_cli.client` → render with the
shared printer. Portal errors are not caught here: :mod:`monespace_cli.errors`
maps them (404 → exit 4, 422 → exit 5 with the field list, 401 → exit 3).
Verb modules are imported with the noun (to register their commands), so
at module level they import only what ``dossier --help`` loads anyway; what a
verb needs only when it runs (the HTTP client, YAML, temporary files) is
imported inside it.
"""

from __future__ import annotations

from monespace_cli.app import noun_app
from monespace_cli.commands._shared.verbs import add_verbs
from monespace_cli.commands.dossier import files, fill, new, show, submit, watch
from monespace_cli.i18n import _

app = noun_app(_("Create, fill, submit and follow your dossiers."))
add_verbs(app, new.verbs, fill.verbs, submit.verbs, show.verbs, files.verbs, watch.verbs)
