"""Sizes for people in the CLI and the portal: units, not raw byte counts."""

from __future__ import annotations

import pytest

from monespace_cli.sizes import human_size
from portal.messages import human_size as portal_size
from portal.messages import translate


@pytest.mark.parametrize(
    ("size", "text"),
    [(1, "1 byte"), (512, "512 bytes"), (1536, "1.5 KiB"), (20 * 1024 * 1024, "20 MiB")],
)
def test_cli_sizes(size: int, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "en")  # the decimal mark follows the language
    assert human_size(size) == text


def test_portal_413_reads_in_units_in_both_languages() -> None:
    detail = f"the request body exceeds {portal_size(20 * 1024 * 1024)}"
    assert detail == "the request body exceeds 20 MiB"
    assert translate(detail, "fr") == "le corps de la requête dépasse 20 Mio"
