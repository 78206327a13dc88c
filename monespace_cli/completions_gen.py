"""Write the committed completion scripts: ``python -m monespace_cli.completions_gen DIR``.

``make completions`` runs it; ``tests/cli/test_completion.py`` fails when the
files under ``completions/`` differ from what this would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

from monespace_cli.commands.completion import SHELLS, completion_script

FILE_NAMES = {"bash": "monespace.bash", "zsh": "_monespace", "fish": "monespace.fish"}


def generate(directory: Path) -> list[Path]:
    """Write one script per shell into ``directory``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for shell in SHELLS:
        path = directory / FILE_NAMES[shell]
        path.write_text(completion_script(shell), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "completions")
    for written_path in generate(target):
        print(written_path)
