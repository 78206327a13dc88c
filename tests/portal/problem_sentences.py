"""Every sentence the portal can put in a problem detail, read from its source.

Why read the source rather than list the sentences by hand: a list by hand
is out of date the day someone adds a ``raise Problem(...)``; the catalogue
test (test_portal_i18n_de.py) must fail on that new sentence until it has
its French and German. The portal builds its messages in a few shapes, all
found here with :mod:`ast`:

- the detail of ``Problem(kind, detail)`` and of its helpers (``conflict``,
  ``validation_failed``, ``not_found`` — which wraps its argument in
  ``"{what} not found"`` —, ``_failed``, ``busy``, ``_busy``);
- the message of ``FieldError(pointer, message)`` and of ``{"pointer": …,
  "message": …}`` dicts;
- a string put in a variable named ``message``/``detail``/``unknown``/``what``
  (passed on to one of the above), returned by a ``*_problem`` function, or
  given to an exception whose text becomes a detail (``TransitionNotAllowed``,
  ``MalformedUpload``).

An f-string becomes a sample sentence with each ``{expression}`` replaced by
a neutral value; the catalogue's templates (``{placeholder}`` = any text)
must match it. Run this file to print the sentences a language lacks::

    .venv/bin/python tests/portal/problem_sentences.py de
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"

#: call name → index of the message argument (keyword ``detail``/``message`` too)
MESSAGE_ARG = {
    "Problem": 1,
    "conflict": 0,
    "validation_failed": 0,
    "FieldError": 1,
    "_failed": 0,
    "busy": 0,
    "_busy": 0,
    "not_found": 0,
    "TransitionNotAllowed": 0,
    "MalformedUpload": 0,
}
MESSAGE_VARIABLES = {"message", "detail", "unknown", "what"}
#: Samples that are only the first step of a sentence finished elsewhere
#: (their finished forms are in LIBRARY_SENTENCES).
BUILT_FURTHER = {
    "X1 parameter: X1",
    "the card certificate of this session has been X1",
    "procedure X1 is for X1, not for X1",
}
#: What a ``{expression}`` of an f-string stands for in the sample sentence.
SAMPLE = "X1"
#: Sentences the portal answers that its own source does not spell out: the
#: libraries' (pydantic for query/header/body checks, jsonschema for forms,
#: Starlette for routing), and fragments built in two steps (the transport
#: of a parameter error, a certificate's revocation).
LIBRARY_SENTENCES = (
    "Not Found",
    "Method Not Allowed",
    "Field required",
    "Extra inputs are not permitted",
    "Input should be a valid string",
    "Input should be a valid integer",
    "Input should be a valid integer, unable to parse string as an integer",
    "Input should be a valid boolean",
    "Input should be a valid boolean, unable to interpret input",
    "Input should be a valid date",
    "Input should be a valid number",
    "Input should be a valid number, unable to parse string as a number",
    "Input should be a valid dictionary",
    "Input should be a valid list",
    "Input should be a valid dictionary or object to extract fields from",
    "Input should be 'citizen', 'enterprise' or 'non_profit'",
    "Input should be greater than or equal to 1",
    "Input should be less than or equal to 200",
    "Input should be greater than 0",
    "String should have at most 200 characters",
    "String should have at least 1 character",
    "String should have at least 2 characters",
    "query parameter: Field required",
    "header parameter: Field required",
    "path parameter: String should have at most 200 characters",
    "the card certificate of this session has been revoked on 2026-12-07 18:20 UTC (OCSP)",
    "the card certificate of this session has been revoked (CRL)",
    *(
        f"procedure CU1 is for {audience}, not for Luc Mathieu"
        for audience in (
            "citizen",
            "enterprise",
            "non_profit",
            "citizen, enterprise",
            "citizen, non_profit",
            "enterprise, non_profit",
        )
    ),
    "[] should be non-empty",
    "'' should be non-empty",
    "[1, 1] has non-unique elements",
    "'a' was expected",
    "1.5 is not valid under any of the given schemas",
    "'abc' is too long",
    "[1] is too short",
    "0.5000000001 is not a multiple of 0.01",
    "Additional properties are not allowed ('a' was unexpected)",
    "Additional properties are not allowed ('a', 'b' were unexpected)",
    "5 is not of type 'string'",
    "'x' does not match '^[0-9]{4}$'",
    "-1 is less than the minimum of 0",
    "not a valid be-nrn",
    "must be one of: A, B",
)


@dataclass(frozen=True)
class Sentence:
    """One sentence (a sample of it when it has placeholders) and where it is built."""

    text: str
    where: str


def _sample(node: ast.expr) -> list[str]:
    """The sample sentences an expression can produce (none when not literal)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append(f"'{SAMPLE}'" if value.conversion == ord("r") else SAMPLE)
                choices = _sample(value.value) if isinstance(value.value, ast.IfExp) else []
                if choices:  # f"field{'s' if n != 1 else ''}": one sentence per branch
                    head = "".join(parts[:-1])
                    tails = _sample(ast.JoinedStr(values=node.values[len(parts) :]))
                    return [head + c + t for c in choices for t in tails]
        return ["".join(parts)]
    if isinstance(node, ast.IfExp):
        return _sample(node.body) + _sample(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        if left and right:
            return [a + b for a in left for b in right]
        if left:
            return [a + SAMPLE for a in left]
    return []


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _what_parameters(trees: list[ast.AST]) -> dict[str, int]:
    """Functions taking a ``what`` (a fragment put in a sentence): name → argument index."""
    found: dict[str, int] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
                if "what" in names and node.name not in MESSAGE_ARG:
                    found[node.name] = names.index("what")
    return found


def _message_nodes(tree: ast.AST, fragments: dict[str, int]) -> Iterator[tuple[ast.expr, bool]]:
    """(expression, wrapped in "{what} not found") for every message site."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in fragments:
                if len(node.args) > fragments[name]:
                    yield node.args[fragments[name]], False
                yield from ((k.value, False) for k in node.keywords if k.arg == "what")
            if name not in MESSAGE_ARG:
                continue
            index = MESSAGE_ARG[name]
            if len(node.args) > index:
                yield node.args[index], name == "not_found"
            for keyword in node.keywords:
                if keyword.arg in ("detail", "message"):
                    yield keyword.value, False
        elif isinstance(node, ast.Dict):
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if "pointer" in keys and "message" in keys:
                yield node.values[keys.index("message")], False
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(t in MESSAGE_VARIABLES for t in targets):
                yield node.value, "what" in targets
        elif isinstance(node, ast.FunctionDef) and node.name.endswith("_problem"):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and sub.value is not None:
                    yield sub.value, False


def sentences() -> list[Sentence]:
    """Every (sample) sentence of the portal's problem details, in source order."""
    found: dict[str, Sentence] = {}
    paths = [p for p in sorted(PORTAL.rglob("*.py")) if "migrations" not in p.parts]
    trees = [ast.parse(path.read_text("utf-8")) for path in paths]
    fragments = _what_parameters(trees)
    for path, tree in zip(paths, trees, strict=True):
        where = str(path.relative_to(ROOT))
        for node, wrapped in _message_nodes(tree, fragments):
            for text in _sample(node):
                if not text.strip():
                    continue
                for sentence in (text, f"{text} not found") if wrapped else (text,):
                    found.setdefault(sentence, Sentence(sentence, f"{where}:{node.lineno}"))
    for text in LIBRARY_SENTENCES:
        found.setdefault(text, Sentence(text, "library or two-step"))
    return [s for s in found.values() if s.text not in BUILT_FURTHER]


def missing(lang: str) -> list[Sentence]:
    """The sentences the ``lang`` catalogue does not know."""
    from portal.messages import known

    return [s for s in sentences() if not known(s.text, lang)]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for sentence in missing(sys.argv[1] if len(sys.argv) > 1 else "fr"):
        print(f"{sentence.where}\t{sentence.text}")
