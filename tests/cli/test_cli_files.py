"""The file-name rule (monespace_cli.files) on a real file system: 255 bytes, visible, new."""

from __future__ import annotations

from pathlib import Path

from monespace_cli.files import (
    NAME_MAX,
    SEAL_SUFFIX,
    fit_name,
    numbered,
    part_file,
    safe_name,
    safe_target,
    with_suffix_added,
)

EMOJI = "🎉" * 120 + ".pdf"


def size(name: str) -> int:
    return len(name.encode("utf-8"))


def test_a_long_name_is_cut_in_bytes_on_a_character_boundary_keeping_its_extension() -> None:
    name = safe_name(EMOJI)
    assert size(name) <= NAME_MAX and name.endswith(".pdf")
    assert set(name[:-4]) == {"🎉"}  # no half character
    assert size(fit_name("é" * 300)) <= NAME_MAX  # no extension: cut all the same
    assert fit_name("short.pdf") == "short.pdf"


def test_an_overlong_extension_is_not_kept_whole() -> None:
    name = safe_name("a." + "x" * 400)
    assert size(name) == NAME_MAX and name.startswith("a.x")


def test_folders_controls_and_bidirectional_characters_go() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\evil.txt") == "evil.txt"
    assert safe_name("facture\u202egpj.exe") == "facturegpj.exe"
    assert safe_name("a\u2066b\u200fc\x00d\x1b\n.txt") == "abcd.txt"
    assert safe_name("c:report.pdf") == "c_report.pdf"
    assert safe_name(".hidden") == "hidden"
    assert safe_name("\u202e\u202e") == "file"


def test_numbered_names_stay_within_the_limit() -> None:
    names = numbered(safe_name(EMOJI))
    first, second = next(names), next(names)
    assert second.endswith(" (2).pdf") and size(second) <= NAME_MAX
    assert first != second


def test_targets_and_temporary_names_can_be_created(tmp_path: Path) -> None:
    first = safe_target(tmp_path, EMOJI, reserve=len(SEAL_SUFFIX))
    first.write_bytes(b"1")
    second = safe_target(tmp_path, EMOJI, reserve=len(SEAL_SUFFIX))
    assert second != first and second.name.endswith(" (2).pdf")
    seal = with_suffix_added(first, SEAL_SUFFIX)
    seal.write_text("{}")  # fits: the name kept room for it
    assert seal.name == first.name + SEAL_SUFFIX
    longest = tmp_path / ("é" * 125 + ".pdf")  # 254 bytes: fine, but not with ".…part"
    with part_file(longest) as handle:
        handle.write(b"x")
    temp = Path(handle.name)
    assert temp.parent == tmp_path and temp.name.startswith(".é") and temp.name.endswith(".part")
    assert size(temp.name) <= NAME_MAX


def test_invisible_characters_and_lone_surrogates_go(tmp_path: Path) -> None:
    """A hostile portal's JSON may carry a lone surrogate (no file system can name it),
    tag characters, a soft hyphen or a zero-width space: all go, and the file is created."""
    import json

    hostile = json.loads('"\\ud800facture\\u00ad\\u200b\\udc00.pdf"') + "\U000e0041"
    assert safe_name(hostile) == "facture.pdf"
    assert safe_target(tmp_path, hostile).name == "facture.pdf"
    assert safe_name("\ud83d") == "file"


def test_a_target_whose_seal_name_is_taken_is_not_chosen(tmp_path: Path) -> None:
    """``document download``: a free NAME whose NAME.seal.json exists would overwrite that seal."""
    (tmp_path / "receipt.pdf.seal.json").write_text("{}")
    target = safe_target(tmp_path, "receipt.pdf", reserve=len(SEAL_SUFFIX), companion=SEAL_SUFFIX)
    assert target.name == "receipt (2).pdf"
    assert safe_target(tmp_path, "receipt.pdf").name == "receipt.pdf"
