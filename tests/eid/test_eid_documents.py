"""Document types, special statuses and mentions: every code of the specifications.

The expected codes are read from the specification texts themselves
(beidsdk_card_data "Document_Type", "ID and Address file contents" v5.0
tag 16), so a code the documents add and we forget fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eid import documents
from monespace_cli.i18n_compile import parse_po

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "belpic"
FR_PO = Path(documents.__file__).parents[1] / "monespace_cli/locale/fr/LC_MESSAGES/monespace.po"


def _spec_document_codes() -> set[str]:
    text = (SPEC / "beidsdk_card_data.txt").read_text()
    block = text[text.index('"Document_Type"') : text.index("parsed data from the address file")]
    return set(re.findall(r"^\s*(\d+):", block, re.MULTILINE))


@pytest.mark.skipif(not SPEC.exists(), reason="specification texts not available")
def test_every_document_type_of_the_spec_has_a_label() -> None:
    codes = _spec_document_codes()
    assert len(codes) >= 34
    assert codes <= set(documents.DOCUMENT_TYPES)


@pytest.mark.skipif(not SPEC.exists(), reason="specification texts not available")
def test_every_special_status_of_the_spec_has_a_label() -> None:
    text = (SPEC / "ID_ADRESSE_File_applet1_8_v5.txt").read_text()
    block = text[text.index("Special status:") : text.index("Hash of EF(Photo)")]
    codes = set(re.findall(r"(\d): ", block))
    assert codes == set(documents.SPECIAL_STATUSES) == {"0", "1", "2", "3", "4", "5"}


def test_labels_are_translated_to_french() -> None:
    catalog = parse_po(FR_PO.read_text())
    tables = (
        documents.DOCUMENT_TYPES,
        documents.SPECIAL_STATUSES,
        documents.SPECIAL_ORGANISATIONS,
        documents.MENTIONS,
    )
    for table in tables:
        for label in table.values():
            assert catalog.get(label), label


@pytest.mark.parametrize("code", ["1", "01", " 6", "61", "69"])
def test_codes_with_padding_or_leading_zero(code: str) -> None:
    assert documents.document_type_label(code)


@pytest.mark.parametrize("code", ["99", "2", "abc", ""])
def test_unknown_document_type_is_said_unknown(code: str) -> None:
    with pytest.raises(documents.UnknownCode):
        documents.document_type_label(code)


def test_mentions_are_letters_or_digits() -> None:
    assert documents.mention_label("d") == "student"
    assert documents.mention_label("7") == "labour market: unlimited"
    with pytest.raises(documents.UnknownCode):
        documents.mention_label("Z")


def test_eid_read_says_an_unknown_code_is_unknown() -> None:
    """``eid read`` shows a code the specifications do not define as such, never a guess."""
    from monespace_cli.commands.eid import _coded

    render = _coded(documents.document_type_label)
    assert render("99") == "99 (unknown code: not in the eID specifications)"
    assert render("31") == "31 (EU citizen card)"
    assert render("") == ""
