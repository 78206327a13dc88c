"""Fail on any import cycle between the project's modules.

Why: two modules that import each other cannot be read, tested or moved one
without the other, and the usual way to keep such a pair loading — an import
tucked inside a function — hides the dependency from the reader and lets it
break at run time, far from the change that broke it. import-linter checks
the directions *between* packages; this checks that no group of modules,
anywhere in eid, portal, monespace_cli, tui and be_identifiers, depends on
itself.

What counts as a cycle here: modules A1 → A2 → … → A1 where each arrow is an
``import`` statement of the module on its left naming the module on its right
(``import x.y``, ``from x.y import z``, ``from x import y`` for a submodule
``y``), whether the statement sits at the top of the file or inside a
function: grimp reads both. Two kinds of import are deliberately not arrows:

- The implicit import of a package's ``__init__`` when one of its submodules
  loads: that is Python's loading order, not a dependency the submodule
  chose. So a package ``__init__`` that imports its own submodules (eagerly,
  or lazily in a PEP 562 ``__getattr__`` such as ``eid/__init__.py``) is in
  no cycle with them — unless a submodule imports the package back
  (``from eid import EidCard`` inside ``eid.session``): then the submodule
  depends on a facade that depends on it, and that is reported.
- Imports under ``if TYPE_CHECKING:``: they never run, so they cannot break
  loading, and they are how a seam is typed without a run-time dependency
  (a screen's typed ``host``, a factory's typed client).

Each cycle is printed as a chain of modules, with the file, line and text of
every import that makes each link. A strongly connected group of modules
holds every cycle through them; each elementary cycle (no module twice) is
listed on its own, so fixing one link makes exactly the cycles through it go.

``ALLOWED_CYCLES`` lists the cycles that existed outside eid when this check
came in; other branches are removing them. A listed cycle that no longer
exists is an error too, so the list only shrinks: delete its entry.

Usage: ``python scripts/check_import_cycles.py`` checks the project against
``ALLOWED_CYCLES``. ``python scripts/check_import_cycles.py PKG... [--allow
"a.b a.c"]`` checks other packages (importable from ``sys.path``) against the
cycles given with ``--allow`` only. Exit status 0 when clean, 1 when a cycle
is not allowed or an allowed one is gone, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import grimp

PROJECT_PACKAGES = ("eid", "portal", "monespace_cli", "tui", "be_identifiers")

#: The cycles outside eid when this check came in: each entry one elementary
#: cycle, written as the check prints it (from its alphabetically first module,
#: in import order). Delete an entry when its cycle is gone (the check says
#: which); never add one.
ALLOWED_CYCLES: tuple[tuple[str, ...], ...] = ()

#: Enumerating elementary cycles is exponential in the worst case; past this
#: many steps a group is reported whole instead.
_MAX_STEPS = 200_000

Graph = Mapping[str, frozenset[str]]
Cycle = tuple[str, ...]


def import_graph(packages: Sequence[str]) -> grimp.ImportGraph:
    """The run-time import graph of ``packages`` (see the module docstring)."""
    return grimp.build_graph(
        *packages,
        include_external_packages=False,
        exclude_type_checking_imports=True,
        cache_dir=None,
    )


def strongly_connected(graph: Graph) -> list[frozenset[str]]:
    """The groups of two or more modules that all reach each other (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(frozenset(group))
    return sorted(groups, key=sorted)


def elementary_cycles(group: frozenset[str], graph: Graph) -> list[Cycle] | None:
    """Every cycle inside ``group``, each from its first module; None if too many."""
    order = sorted(group)
    rank = {module: i for i, module in enumerate(order)}
    cycles: list[Cycle] = []
    steps = 0
    for start in order:
        path = [start]
        work = [iter(sorted(graph[start] & group))]
        while work:
            steps += 1
            if steps > _MAX_STEPS:
                return None
            for nxt in work[-1]:
                if nxt == start:
                    cycles.append(tuple(path))
                elif rank[nxt] > rank[start] and nxt not in path:
                    path.append(nxt)
                    work.append(iter(sorted(graph[nxt] & group)))
                    break
            else:
                work.pop()
                path.pop()
    return cycles


def find_cycles(graph: grimp.ImportGraph) -> tuple[list[Cycle], list[frozenset[str]]]:
    """The elementary cycles, and the groups with too many to list."""
    adjacency = {m: frozenset(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    cycles: list[Cycle] = []
    too_many: list[frozenset[str]] = []
    for group in strongly_connected(adjacency):
        found = elementary_cycles(group, adjacency)
        if found is None:
            too_many.append(group)
        else:
            cycles.extend(found)
    return sorted(cycles), too_many


def _where(module: str) -> str:
    """``module``'s file, found from its top package without importing anything."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or spec.origin is None:
        return module
    base = Path(spec.origin).parent.joinpath(*rest)
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def describe(cycle: Cycle, graph: grimp.ImportGraph) -> str:
    """The chain ``a -> b -> a`` and, under it, each import making a link."""
    lines = [" -> ".join((*cycle, cycle[0]))]
    for importer, imported in zip(cycle, (*cycle[1:], cycle[0]), strict=True):
        for detail in graph.get_import_details(importer=importer, imported=imported):
            lines.append(
                f"    {_where(importer)}:{detail['line_number']}: {detail['line_contents']}"
            )
    return "\n".join(lines)


def check(packages: Sequence[str], allowed: Iterable[Cycle]) -> tuple[list[str], int]:
    """The error paragraphs for ``packages`` and how many allowed cycles remain."""
    graph = import_graph(packages)
    cycles, too_many = find_cycles(graph)
    allowed_set = {tuple(c) for c in allowed}
    found = set(cycles)
    errors = [
        "import cycle (break one of its links):\n" + describe(c, graph)
        for c in cycles
        if c not in allowed_set
    ]
    errors += [
        "a group of modules that import each other in too many cycles to list:\n    "
        + "\n    ".join(sorted(group))
        for group in too_many
    ]
    errors += [
        "allowed cycle no longer exists, delete its entry from ALLOWED_CYCLES in "
        f"scripts/check_import_cycles.py:\n{' -> '.join((*c, c[0]))}"
        for c in sorted(allowed_set - found)
    ]
    return errors, len(allowed_set & found)


def main(argv: Sequence[str] | None = None) -> int:
    """Check, print what is wrong, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", help="packages to check (default: the project's)")
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="'MODULE MODULE...'",
        help="a cycle to allow, from its alphabetically first module (with PACKAGES only)",
    )
    args = parser.parse_args(argv)
    if args.allow and not args.packages:
        parser.error("--allow goes with PACKAGES; the project's cycles are in ALLOWED_CYCLES")
    packages = args.packages or list(PROJECT_PACKAGES)
    allowed = [tuple(a.split()) for a in args.allow] if args.packages else list(ALLOWED_CYCLES)
    errors, remaining = check(packages, allowed)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"{len(errors)} import-cycle problem(s) in {', '.join(packages)}", file=sys.stderr)
        return 1
    note = f" ({remaining} allowed cycle(s) still to remove)" if remaining else ""
    print(f"no import cycles in {', '.join(packages)}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
