"""What the agents' queue search compares: a dossier's text, folded.

Why a stored, folded copy (``dossiers.search_key``) rather than ILIKE on the
columns: agents type "wery" for "Wéry" and "societe" for "Société", and
neither SQLite's LIKE nor PostgreSQL's ILIKE ignores accents (SQLite's does
not even fold case beyond ASCII). Folding once, when the dossier is written,
lets both backends compare with a plain LIKE on text already in lower case
without accents, and lets one trigram index serve it
(:mod:`portal.search_index`). The applicant's name and id and the title do
not change after creation, so the key is written once.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

#: Between the parts: a character nobody types, so that a search never
#: matches across two of them ("SA Chèques" is not the end of a name and the
#: start of a title).
SEPARATOR = "\x1f"


def fold(text: str) -> str:
    """Lower case without accents: ``"Société Wéry"`` → ``"societe wery"``.

    ``casefold`` lowers every script, NFKD splits a letter from its accents
    (and ligatures into letters), the accents are dropped. The TUI folds
    the same way (``tui.format.fold``) when it narrows loaded rows.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def search_key(applicant_name: str, applicant_id: str, title: str) -> str:
    """The folded text of a dossier that ``q`` is looked for in."""
    return SEPARATOR.join(fold(part or "") for part in (applicant_name, applicant_id, title))


def default_search_key(context: Any) -> str:
    """Column default: the key from the row being inserted (any insert through SQLAlchemy)."""
    row = context.get_current_parameters()
    return search_key(
        str(row.get("applicant_name") or ""),
        str(row.get("applicant_id") or ""),
        str(row.get("title") or ""),
    )
