"""``dossier fill --editor``: edit the data as YAML in $EDITOR, re-validate, loop.

Like ``git commit`` or ``kubectl edit``: the text stays in a file the person
owns until the portal accepts it. A YAML error or a validation problem
brings the editor back with the problems as comments at the top; giving up
keeps the file and says where it is, so no typing is ever lost.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from monespace_cli.commands.dossier.data_input import parse_data_text
from monespace_cli.errors import CliError, UsageProblem, field_lines
from monespace_cli.i18n import N_, _, plural

if TYPE_CHECKING:
    from monespace_cli.client import Dossier, PortalClient
    from monespace_cli.context import Factory

_HEADER = "# "


def dump_yaml(data: dict[str, Any]) -> str:
    import yaml  # loaded when data is read or edited, not on ``dossier --help``

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def _editor(environ: Any) -> list[str]:
    command = environ.get("VISUAL") or environ.get("EDITOR")
    if not command:
        raise UsageProblem(_("No editor: set $EDITOR (or $VISUAL), e.g. EDITOR=nano."))
    return shlex.split(command)


def _compose(body: str, problems: list[str], dossier_id: str) -> str:
    lines = [
        _HEADER
        + _("Data of dossier {id}. Save and close to send it to the portal.").format(id=dossier_id)
    ]
    lines.append(_HEADER + _("Delete everything to give up."))
    if problems:
        lines.append(_HEADER + _("Problems to fix:"))
        lines += [_HEADER + "  " + p for p in problems]
    return "\n".join(lines) + "\n" + _strip_header(body)


def _strip_header(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(_HEADER):
        lines.pop(0)
    return "".join(lines)


def edit_loop(f: Factory, client: PortalClient, dossier: Mapping[str, Any]) -> Dossier:
    """Edit until the portal accepts the data, or the person gives up (file kept)."""
    import tempfile  # ~8 ms: loaded when the editor opens, not on ``dossier --help``

    from monespace_cli.client import StaleVersion, ValidationFailed  # httpx: not on --help

    if not f.io.can_prompt():
        raise UsageProblem(
            _("--editor needs an interactive terminal: use --data FILE or --set path=value.")
        )
    command = _editor(f.environ)
    fd, name = tempfile.mkstemp(prefix=f"{dossier['id']}-", suffix=".yaml")
    os.close(fd)
    path = Path(name)
    text = _compose(dump_yaml(dossier.get("data") or {}), [], dossier["id"])
    while True:
        path.write_text(text, encoding="utf-8")
        subprocess.run([*command, str(path)], check=False)  # the person's own editor
        text = path.read_text(encoding="utf-8")
        body = _strip_header(text)
        if not body.strip():
            path.unlink(missing_ok=True)
            raise CliError(_("Nothing saved: the data was emptied."))
        problems: list[str] = []
        try:
            data = parse_data_text(body, str(path))
            saved = client.put_dossier_data(dossier["id"], data, version=dossier["version"])
        except UsageProblem as exc:
            problems = [exc.message]
        except StaleVersion:
            dossier = client.get_dossier(dossier["id"])
            problems = [
                _(
                    "The dossier changed meanwhile (now version {v}); "
                    "your text is kept: save again to overwrite."
                ).format(v=dossier["version"])
            ]
        except ValidationFailed as exc:
            problems = field_lines(exc.errors) or [str(exc)]
        else:
            result = client.validate_dossier(dossier["id"])
            problems = field_lines(cast(list[dict[str, str]], result.get("errors") or []))
            if not problems or not f.confirm(
                plural(
                    len(problems),
                    N_("The data is saved but still has {n} problem. Edit again?"),
                    N_("The data is saved but still has {n} problems. Edit again?"),
                ).format(n=len(problems)),
                default=True,
            ):
                path.unlink(missing_ok=True)
                return saved
            dossier = saved
        for line in problems:
            f.io.warn("  " + line)
        if not f.confirm(_("Edit again?"), default=True):
            raise CliError(
                _("Not saved. Your text is kept in {path}").format(path=path),
                hint=_("Send it later with: monespace dossier fill {id} --data {path}").format(
                    id=dossier["id"], path=path
                ),
            )
        text = _compose(body, problems, dossier["id"])
