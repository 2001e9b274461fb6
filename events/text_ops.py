"""Operations on the text of a paragraph, in the format of ShareDB's text type `ot-text-unicode` v4.

Two drafters who edit a paragraph at once each send an op made against the text they saw; the
server transforms the second past the first, and so does the browser, with the library itself
(`client/web/vendor/ot-text-unicode.js`). Both must agree to the last component, so this module
follows the library step by step; `tests/vectors/text_ops.json`, written by it, holds them to it.

An op walks the text from its start. Its components are:

- a positive int: retain (skip) that many characters;
- a non-empty str: insert it here;
- `Delete(n)`: delete the next n characters; `Delete("text")` deletes as many and remembers
  them, which makes the op invertible. Only `invert_with_doc` makes that form (`compose` and
  `transform` keep it where their inputs had it), as in the library.

Characters are Unicode code points, never UTF-16 units: "𝒜" and "😅" count 1, as Python's
`len` counts them. What follows the last component is left as it is, so an op never ends
with a retain. Every function here is pure: it never changes the ops it is given.
"""

from collections.abc import Sequence
from typing import Literal, TypeGuard

import msgspec


class Delete(msgspec.Struct, frozen=True, gc=False):
    """Delete `d` characters, given by their number or by the text they spell: `{"d": 3}`.

    Untracked by the garbage collector (it holds an int or a str, so no cycle): a message
    of a million bytes holds 88,000 of them, which took a third of its decoding time."""

    d: int | str


Component = int | str | Delete
Op = list[Component]


def component_length(component: Component) -> int:
    """The characters a component retains, inserts or deletes (also of a delete's `d` alone)."""
    if isinstance(component, Delete):
        component = component.d
    return component if isinstance(component, int) else len(component)


def _is_retain(component: object) -> TypeGuard[int]:
    return isinstance(component, int) and not isinstance(component, bool)


def _problem(component: object, allow_empty: bool) -> str | None:
    """Why `component` is not one an op may hold, or None (empty ones only if `allow_empty`)."""
    if _is_retain(component):
        return None if component > 0 or (allow_empty and component == 0) else "a retain must be positive"
    if isinstance(component, str):
        return None if component or allow_empty else "an insert must not be empty"
    if isinstance(component, Delete):
        d = component.d
        if not (_is_retain(d) or isinstance(d, str)):
            return "a delete holds a count or the deleted text"
        return None if component_length(d) > 0 or (allow_empty and not d) else "a delete must be of at least one character"
    return "a component is a retain (int), an insert (str) or a Delete"


def _single_insert(op: object) -> tuple[int, str] | None:
    """(position, text) when `op` is one valid insert, `[n, "text"]` or `["text"]`: what
    typing sends, and what every keystroke goes through several times on the server, so
    checked, normalized and applied without the general walk (which gives the same)."""
    if type(op) is not list:
        return None
    if len(op) == 2:
        position, text = op
        if type(position) is int and position > 0 and type(text) is str and text:
            return position, text
    elif len(op) == 1 and type(op[0]) is str and op[0]:
        return 0, op[0]
    return None


def check(op: Op) -> None:
    """Raise ValueError, saying which component and why, unless `op` is one the library accepts.

    Like the library's `checkOp`: no empty or negative component, no two retains in a row, no
    trailing retain. Adjacent inserts or deletes are tolerated, as there.
    """
    if _single_insert(op) is not None:
        return
    if not isinstance(op, list):
        raise ValueError(f"an op is a list of components, not {type(op).__name__}")
    for index, component in enumerate(op):
        if problem := _problem(component, allow_empty=False):
            raise ValueError(f"invalid component {component!r} at {index}: {problem}")
        if index and _is_retain(component) and _is_retain(op[index - 1]):
            raise ValueError(f"invalid component {component!r} at {index}: adjacent retains must be merged")
    if op and _is_retain(op[-1]):
        raise ValueError("an op must not end with a retain: the rest of the text is kept anyway")


def _append(op: Op, component: Component | None) -> None:
    """Add `component` to the op being built, dropping empty ones and merging with its like.

    Two deletes that both remember their text keep it; otherwise only the count survives.
    """
    if component is None or component_length(component) == 0:
        return
    last = op[-1] if op else None
    if isinstance(component, Delete) and isinstance(last, Delete):
        if isinstance(last.d, str) and isinstance(component.d, str):
            op[-1] = Delete(last.d + component.d)
        else:
            op[-1] = Delete(component_length(last.d) + component_length(component.d))
    elif type(component) is type(last) and not isinstance(component, Delete):
        op[-1] = last + component  # type: ignore[operator]
    else:
        op.append(component)


def _trim(op: Op) -> Op:
    if op and _is_retain(op[-1]):
        op.pop()
    return op


def normalize(op: Op) -> Op:
    """The same op without empty components, with neighbours of one kind merged and no trailing retain.

    Idempotent. Raises ValueError for a component no op may hold (negative, unknown).
    """
    if _single_insert(op) is not None:
        return list(op)
    normal: Op = []
    for index, component in enumerate(op):
        if problem := _problem(component, allow_empty=True):
            raise ValueError(f"invalid component {component!r} at {index}: {problem}")
        _append(normal, component)
    return _trim(normal)


def base_length(op: Op) -> int:
    """The fewest characters a text must have for `op` to apply to it."""
    return sum(component_length(c) for c in op if not isinstance(c, str))


def target_length(op: Op) -> int:
    """The length of the result of `op` applied to a text of exactly `base_length(op)` characters."""
    return sum(component_length(c) for c in op if not isinstance(c, Delete))


def apply(text: str, op: Op) -> str:
    """The text after `op`. Raises ValueError if `op` is invalid or reaches past the end of `text`.

    A `Delete("text")` removes as many characters as it holds without comparing them, as the
    library does, so that server and browser accept exactly the same ops.
    """
    insert = _single_insert(op)
    if insert is not None:
        position, inserted = insert
        if position > len(text):
            raise ValueError(f"the op reaches character {position} of a text of {len(text)}")
        return text[:position] + inserted + text[position:]
    check(op)
    if base_length(op) > len(text):
        raise ValueError(f"the op reaches character {base_length(op)} of a text of {len(text)}")
    pieces: list[str] = []
    position = 0
    for component in op:
        if isinstance(component, str):
            pieces.append(component)
            continue
        length = component_length(component)
        if _is_retain(component):
            pieces.append(text[position : position + length])
        position += length
    pieces.append(text[position:])
    return "".join(pieces)


class _Reader:
    """Reads an op front to back in pieces of a requested length, like the library's `take`.

    Components of the kind `whole` are never split. Past the end the op retains forever.
    """

    def __init__(self, op: Op, whole: type) -> None:
        self.op, self.whole, self.index, self.offset = op, whole, 0, 0

    def peek(self) -> Component | None:
        return self.op[self.index] if self.index < len(self.op) else None

    def take(self, length: int | None = None) -> Component | None:
        """The next piece of at most `length` characters; the rest of the component if None."""
        if self.index == len(self.op):
            return length
        component, start = self.op[self.index], self.offset
        if length is None or isinstance(component, self.whole) or component_length(component) - start <= length:
            self.index, self.offset = self.index + 1, 0
            return _slice(component, start, None)
        self.offset += length
        return _slice(component, start, start + length)


def _slice(component: Component, start: int, end: int | None) -> Component:
    if isinstance(component, Delete):
        d = component.d
        return Delete(d[start:end] if isinstance(d, str) else (d if end is None else min(d, end)) - start)
    if isinstance(component, str):
        return component[start:end]
    return (component if end is None else min(component, end)) - start


def compose(a: Op, b: Op) -> Op:
    """One op with the effect of `a` then `b` (`b` is made against the result of `a`)."""
    check(a)
    check(b)
    composed: Op = []
    reader = _Reader(a, whole=Delete)
    for component in b:
        if isinstance(component, str):
            _append(composed, component)
        elif isinstance(component, Delete):
            length, done = component_length(component.d), 0
            while done < length:
                piece = reader.take(length - done)
                if isinstance(piece, Delete):
                    _append(composed, piece)
                elif isinstance(piece, str):
                    done += len(piece)
                else:
                    _append(composed, _slice(component, done, done + piece))
                    done += piece
        else:
            remaining = component
            while remaining > 0:
                piece = reader.take(remaining)
                _append(composed, piece)
                if not isinstance(piece, Delete):
                    remaining -= component_length(piece)
    while (piece := reader.take()) is not None:
        _append(composed, piece)
    return _trim(composed)


def transform(op: Op, other: Op, side: Literal["left", "right"]) -> Op:
    """`op`, made against the same text as `other`, rewritten to apply after `other`.

    When both insert at the same place, `side` decides whose text comes first: "left" puts
    `op`'s insert first. The two drafters must pass opposite sides (the server's order decides),
    so that both end with the same text: apply(apply(s, a), transform(b, a, "right")) ==
    apply(apply(s, b), transform(a, b, "left")). Text both deleted is deleted once.
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    check(op)
    check(other)
    return _transformed(op, other, side)


class TooCostly(Exception):
    """Transforming would walk more components than the budget allows: nothing is returned."""


def transform_cost(op: Op, committed: Sequence[Op]) -> int:
    """The components `transform_past` walks to take `op` past `committed`, if `op` does not
    grow on the way: each step walks the op and one committed op once. Counted without
    walking anything, so that a costly merge is refused before any of it is done."""
    return len(op) * len(committed) + sum(map(len, committed))


def transform_past(op: Op, committed: Sequence[Op], side: Literal["left", "right"], budget: int | None = None) -> Op:
    """`op` transformed past each of the `committed` ops in turn (each made on the text the
    previous one left): what the server does with an edit made some revisions ago. `op` is
    checked; the committed ops are not again: each was checked when it was committed, and
    checking them at every step was most of the cost when many drafters type at once.

    With a `budget`, raises TooCostly rather than walk more components than that: at once
    when `transform_cost` is over it, or on the way if the op grows (a committed insert that
    falls inside one of its deletes splits it in two), so the walk never exceeds the budget.
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    check(op)
    if budget is not None and transform_cost(op, committed) > budget:
        raise TooCostly(f"merging {len(op)} components past {len(committed)} operations walks more than {budget}")
    spent = 0
    for other in committed:
        spent += len(op) + len(other)
        if budget is not None and spent > budget:
            raise TooCostly(f"the operation grew to {len(op)} components on the way, past the budget of {budget}")
        op = _transformed(op, other, side)
    return op


def carried(op: Op) -> int:
    """The characters of text `op` carries: those it inserts and those its deletes remember.
    Components that are neither are not counted here (`check` refuses them)."""
    characters = 0
    for component in op:
        if isinstance(component, str):
            characters += len(component)
        elif isinstance(component, Delete) and isinstance(component.d, str):
            characters += len(component.d)
    return characters


def weight(op: Op) -> int:
    """What keeping `op` costs, roughly in bytes: its components and the characters it carries."""
    return len(op) + carried(op)


def _transformed(op: Op, other: Op, side: Literal["left", "right"]) -> Op:
    if op and isinstance(op[-1], str) and (len(op) == 1 or (len(op) == 2 and isinstance(op[0], int))):
        return _transform_insert(op[0] if len(op) == 2 else 0, op[-1], other, side)  # type: ignore[arg-type]
    return _transform(op, other, side)


def _transform_insert(position: int, text: str, other: Op, side: Literal["left", "right"]) -> Op:
    """`transform` of one insert (what typing sends), without building pieces: where the
    insert lands once `other` is applied. Gives exactly what the general walk gives (a
    property test holds them equal), in a fraction of the time: the server transforms every
    keystroke past every concurrent one."""
    before = 0  # the text kept ahead of the insert, once `other` is applied
    left = position  # of the original text ahead of the insert, what `other` has not reached yet
    for component in other:
        if isinstance(component, str):  # their insert: after ours only if "left" and at ours
            if left == 0 and side == "left":
                break
            before += len(component)
            continue
        if left == 0:  # their retain or delete reaches the insert: it lands here
            break
        length = component_length(component)
        step = min(length, left)
        left -= step
        if not isinstance(component, Delete):
            before += step
        if length > step:  # the insert falls inside this component
            break
    before += left
    return [before, text] if before else [text]


def _transform(op: Op, other: Op, side: Literal["left", "right"]) -> Op:
    transformed: Op = []
    reader = _Reader(op, whole=str)
    for component in other:
        if isinstance(component, str):
            if side == "left" and isinstance(reader.peek(), str):
                _append(transformed, reader.take())
            _append(transformed, len(component))
            continue
        deleted, remaining = isinstance(component, Delete), component_length(component)
        while remaining > 0:
            piece = reader.take(remaining)
            if isinstance(piece, str) or not deleted:
                _append(transformed, piece)
            if not isinstance(piece, str):
                remaining -= component_length(piece)
    while (piece := reader.take()) is not None:
        _append(transformed, piece)
    return _trim(transformed)


def transform_position(cursor: int, op: Op) -> int:
    """Where a caret at `cursor` is once `op` is applied; text inserted right at it goes after it."""
    position = 0
    for component in op:
        if cursor <= position:
            break
        if isinstance(component, str):
            position += len(component)
            cursor += len(component)
        elif isinstance(component, Delete):
            cursor -= min(component_length(component.d), cursor - position)
        else:
            position += component
    return cursor


def invert_with_doc(op: Op, doc: str) -> Op:
    """The op that takes `apply(doc, op)` back to `doc`: what was inserted is deleted
    (remembering its text) and what was deleted is inserted again, read from `doc`.
    """
    check(op)
    if base_length(op) > len(doc):
        raise ValueError(f"the op reaches character {base_length(op)} of a text of {len(doc)}")
    inverse: Op = []
    position = 0
    for component in op:
        if isinstance(component, str):
            _append(inverse, Delete(component))
            continue
        length = component_length(component)
        if isinstance(component, Delete):
            d = component.d
            _append(inverse, d if isinstance(d, str) else doc[position : position + length])
        else:
            _append(inverse, component)
        position += length
    return _trim(inverse)
