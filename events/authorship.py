"""Who wrote each character of a paragraph, kept as runs and moved along by every operation.

A paragraph's `authors` is a tuple of runs (author, length in code points) whose lengths add
up to the length of its text. Each text operation carries its author: what it inserts is
theirs, what it deletes leaves the runs, and what it retains keeps its earlier authors. So
the editor can colour text by author and history can name the author of every word.
"""

from collections.abc import Iterable

from events.model import AuthorRun
from events.text_ops import Delete, Op


def _merged(runs: Iterable[AuthorRun]) -> tuple[AuthorRun, ...]:
    merged: list[AuthorRun] = []
    for run in runs:
        if run.length <= 0:
            continue
        if merged and merged[-1].author == run.author:
            merged[-1] = AuthorRun(run.author, merged[-1].length + run.length)
        else:
            merged.append(run)
    return tuple(merged)


def _deleted(component: Delete) -> int:
    return component.d if isinstance(component.d, int) else len(component.d)


def written_by(author: str, length: int) -> tuple[AuthorRun, ...]:
    return _merged([AuthorRun(author, length)])


def _take(runs: list[AuthorRun], length: int) -> list[AuthorRun]:
    """Remove the first `length` code points from `runs` (in place) and return them."""
    taken: list[AuthorRun] = []
    while length > 0 and runs:
        first = runs[0]
        if first.length <= length:
            taken.append(runs.pop(0))
            length -= first.length
        else:
            taken.append(AuthorRun(first.author, length))
            runs[0] = AuthorRun(first.author, first.length - length)
            length = 0
    return taken


def apply_to_runs(runs: tuple[AuthorRun, ...], op: Op, author: str) -> tuple[AuthorRun, ...]:
    remaining = list(runs)
    result: list[AuthorRun] = []
    for component in op:
        if isinstance(component, int):
            result.extend(_take(remaining, component))
        elif isinstance(component, str):
            result.append(AuthorRun(author, len(component)))
        else:
            _take(remaining, _deleted(component))
    result.extend(remaining)
    return _merged(result)
