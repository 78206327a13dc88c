"""The interactive filler, driven by scripted answers (the schema decides the questions)."""

from __future__ import annotations

from collections.abc import Iterator

from monespace_cli.commands.dossier.form_filler import FormFiller

FORM = {
    "type": "object",
    "required": ["applicant", "start", "kind", "works"],
    "x-ui": {"order": ["applicant", "kind", "start", "works", "owner", "note"]},
    "properties": {
        "note": {"type": "string", "title": "Note"},
        "owner": {"type": "boolean", "title": "Owner"},
        "start": {"type": "string", "format": "date", "title": "Start"},
        "kind": {"enum": ["roof", "windows"], "title": "Kind"},
        "applicant": {
            "type": "object",
            "title": "Applicant",
            "required": ["name", "iban"],
            "properties": {
                "name": {"type": "string", "title": "Name"},
                "iban": {"type": "string", "pattern": "^BE[0-9]{14}$", "title": "IBAN"},
            },
        },
        "works": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["amount"],
                "properties": {
                    "amount": {"type": "string", "pattern": r"^\d+\.\d{2}$", "title": "Amount"}
                },
            },
        },
    },
}


def run(
    answers: list[str], data: dict, prefilled: dict | None = None
) -> tuple[dict, list[str], list[str]]:
    feed: Iterator[str] = iter(answers)
    questions: list[str] = []
    said: list[str] = []

    def ask(question: str, default: str | None) -> str:
        questions.append(f"{question} [{default}]")
        answer = next(feed)
        return answer or (default or "")

    filler = FormFiller(FORM, prefilled or {}, ask=ask, say=said.append)
    result = filler.fill(data)
    assert next(feed, None) is None, "not every answer was used"
    return result, questions, said


def test_fills_in_x_ui_order_with_prefill_default_and_retries() -> None:
    answers = [
        "",  # applicant name: keep the prefilled value
        "FR123",  # bad IBAN → asked again
        "BE68539007547034",
        "3",  # enum index out of range → asked again
        "2",  # windows
        "2026-02-30",  # invalid date → asked again
        "2026-03-01",
        "x",  # how many works: not a number
        "1",
        "12.5",  # bad amount
        "1250.00",
        "oui",
        "",  # note: optional, left empty
    ]
    result, questions, said = run(
        answers, {"applicant": {"name": "Marie Dubois"}}, {"/applicant/name": "rn"}
    )
    assert result == {
        "applicant": {"name": "Marie Dubois", "iban": "BE68539007547034"},
        "kind": "windows",
        "start": "2026-03-01",
        "works": [{"amount": "1250.00"}],
        "owner": True,
    }
    assert questions[0].startswith("Name *") and "prefilled from rn" in questions[0]
    assert "[Marie Dubois]" in questions[0]
    assert any("YYYY-MM-DD" in q for q in questions)
    assert sum("not in the expected form" in s for s in said) == 2  # IBAN and amount, in words
    assert any("date" in s for s in said)


def test_required_field_cannot_be_skipped_and_optional_can_be_cleared() -> None:
    answers = ["", "Jean", "BE68539007547034", "roof", "2026-01-01", "1", "1.00", "no", "-"]
    result, _q, said = run(answers, {"note": "old"})
    assert "note" not in result
    assert result["owner"] is False
    assert any("required" in s for s in said)


def test_sandbox_style_ranks_titles_labels_and_checkboxes() -> None:
    form = {
        "type": "object",
        "required": ["permit", "topics"],
        "properties": {
            "topics": {
                "type": "array",
                "title": "Thèmes",
                "x-title-en": "Topics",
                "items": {"type": "string", "enum": ["it", "languages", "safety"]},
                "minItems": 1,
                "x-ui": {"widget": "checkboxes", "order": 2},
            },
            "iban": {
                "type": "string",
                "pattern": "^BE[0-9]{14}$",
                "x-ui": {"widget": "iban", "order": 3},
            },
            "permit": {
                "type": "string",
                "enum": ["A", "B"],
                "title": "Type de permis",
                "x-title-en": "Permit type",
                "x-ui": {"order": 1, "labels": {"A": {"fr": "Permis A", "en": "Permit A"}}},
            },
        },
    }
    answers = iter(["A", "9, it", "1,languages", "be68 5390 0754 7034"])
    questions: list[str] = []
    said: list[str] = []

    def ask(question: str, default: str | None) -> str:
        questions.append(question)
        return next(answers)

    result = FormFiller(form, {}, ask=ask, say=said.append).fill({})
    assert result == {"permit": "A", "topics": ["it", "languages"], "iban": "BE68539007547034"}
    assert questions[0].startswith("Permit type")
    assert "  1) A – Permit A" in said
    assert any("Unknown choice" in s and "9" in s for s in said)
