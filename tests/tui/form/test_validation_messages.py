"""Every JSON Schema rule a value can break reads as a sentence, in English and French.

The sentences live in monespace_cli.schema_messages (shared with the CLI);
the form's checks (as you type, the whole form, the portal's errors) use them.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import monespace_cli.i18n as i18n
from monespace_cli import forms
from monespace_cli.schema_messages import SENTENCES, human_message
from tui.forms.validation import form_errors, humanise

#: One value breaking each keyword (schema, value).
BROKEN: dict[str, tuple[dict[str, Any], Any]] = {
    "type": ({"type": "integer"}, "douze"),
    "enum": ({"enum": ["a", "b"]}, "c"),
    "const": ({"const": True}, False),
    "pattern": ({"pattern": "^[0-9]{4}$"}, "500"),
    "minLength": ({"minLength": 2}, "x"),
    "maxLength": ({"maxLength": 5}, "Jean Dupont"),
    "minimum": ({"minimum": 1}, 0),
    "maximum": ({"maximum": 10.5}, 11),
    "exclusiveMinimum": ({"exclusiveMinimum": 0}, 0),
    "exclusiveMaximum": ({"exclusiveMaximum": 3}, 3),
    "multipleOf": ({"multipleOf": 5}, 7),
    "minItems": ({"minItems": 1}, []),
    "maxItems": ({"maxItems": 1}, [1, 2]),
    "uniqueItems": ({"uniqueItems": True}, [1, 1]),
    "required": ({"required": ["a"]}, {}),
    "minProperties": ({"minProperties": 1}, {}),
    "maxProperties": ({"maxProperties": 0}, {"a": 1}),
    "additionalProperties": ({"additionalProperties": False}, {"a": 1}),
    "dependentRequired": ({"dependentRequired": {"a": ["b"]}}, {"a": 1}),
    "contains": ({"contains": {"const": 1}}, [2]),
    "not": ({"not": {"const": 1}}, 1),
    "anyOf": ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1.5),
    "oneOf": ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1),
    "format": ({"format": "iban"}, "BE00 0000"),
}


@pytest.fixture(params=["en", "fr"])
def language(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    catalogue = gettext.translation(
        i18n.DOMAIN, i18n.LOCALE_DIR, languages=[request.param], fallback=True
    )
    monkeypatch.setattr(i18n, "_translation", catalogue)
    monkeypatch.setenv("LANGUAGE", request.param)  # the forms' own texts (pick_language)
    yield request.param


def error_for(schema: dict[str, Any], value: Any) -> Any:
    validator = Draft202012Validator(schema, format_checker=forms.format_checker())
    return next(iter(validator.iter_errors(value)))


@pytest.mark.parametrize("keyword", sorted(BROKEN))
def test_every_keyword_has_a_human_sentence(keyword: str, language: str) -> None:
    schema, value = BROKEN[keyword]
    error = error_for(schema, value)
    assert error.validator == keyword
    message = human_message(error)
    assert message and message != error.message
    assert "'" not in message.replace("n'", "").replace("qu'", ""), message  # no quoted raw value
    assert "^[" not in message and "does not match" not in message and "is too long" not in message
    if language == "fr":
        assert message != human_message_in_english(error), message


def human_message_in_english(error: Any) -> str:
    saved = i18n._translation
    i18n._translation = gettext.NullTranslations()
    try:
        return human_message(error)
    finally:
        i18n._translation = saved


def test_the_sentence_table_covers_the_tested_keywords() -> None:
    assert set(BROKEN) - {"format"} <= set(SENTENCES)


def test_counted_sentences_follow_each_languages_plural_rule(language: str) -> None:
    one = human_message(error_for({"maxLength": 1}, "ab"))
    many = human_message(error_for({"maxLength": 5}, "abcdefg"))
    if language == "fr":
        assert one == "Tapez au plus 1 caractère." and many == "Tapez au plus 5 caractères."
    else:
        assert one == "Type at most 1 character." and many == "Type at most 5 characters."


def test_the_forms_own_message_wins(language: str) -> None:
    schema = {
        "pattern": "^[0-9]{4}$",
        "x-messages": {"pattern": {"fr": "Quatre chiffres.", "en": "Four digits."}},
    }
    message = human_message(error_for(schema, "500"))
    assert message == {"en": "Four digits.", "fr": "Quatre chiffres."}[language]


def test_the_portals_raw_errors_are_shown_in_the_persons_words(language: str) -> None:
    form = {
        "type": "object",
        "properties": {"postal_code": {"type": "string", "pattern": "^[0-9]{4}$"}},
    }
    data = {"postal_code": "500"}
    assert form_errors(form, data)[0]["message"] == human_message(
        error_for({"pattern": "^[0-9]{4}$"}, "500")
    )
    sent = [{"pointer": "/postal_code", "message": "'500' does not match '^[0-9]{4}$'"}]
    shown = humanise(form, data, sent)
    assert "does not match" not in shown[0]["message"]
    assert shown[0]["pointer"] == "/postal_code"
