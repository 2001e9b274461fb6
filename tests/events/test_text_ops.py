"""Text operations agree with ShareDB's `ot-text-unicode`, and two drafters' edits converge.

The vectors in tests/vectors/text_ops.json were written by the library itself
(tests/vectors/generate_text_ops.mjs); the browser's vendored copy passes the same file in
tests/js/. The properties below cover what a finite file cannot: any text, any pair of edits.
"""

from pathlib import Path
from typing import Any, Literal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import text_ops
from events.text_ops import (
    Delete,
    Op,
    apply,
    base_length,
    check,
    component_length,
    compose,
    invert_with_doc,
    normalize,
    target_length,
    transform,
    transform_position,
)

VECTORS = Path(__file__).parents[1] / "vectors"


class ApplyCase(msgspec.Struct):
    doc: str
    op: Op
    result: str
    note: str = ""


class ComposeCase(msgspec.Struct):
    doc: str
    a: Op
    b: Op
    result: Op
    note: str = ""


class TransformCase(msgspec.Struct):
    doc: str
    op: Op
    other: Op
    side: Literal["left", "right"]
    result: Op
    note: str = ""


class PositionCase(msgspec.Struct):
    doc: str
    op: Op
    cursor: int
    result: int
    note: str = ""


class InvertCase(msgspec.Struct):
    doc: str
    op: Op
    result: Op
    note: str = ""


class NormalizeCase(msgspec.Struct):
    op: Op
    result: Op
    note: str = ""


class CheckCase(msgspec.Struct):
    op: Any  # possibly not an op at all: decoded case by case, as the server would
    valid: bool
    note: str


class Vectors(msgspec.Struct):
    package: str
    version: str
    seed: int
    apply: list[ApplyCase]
    compose: list[ComposeCase]
    transform: list[TransformCase]
    transformPosition: list[PositionCase]  # the library's name, as in the JSON
    invert: list[InvertCase]
    normalize: list[NormalizeCase]
    check: list[CheckCase]


class PositionVectors(msgspec.Struct):
    package: str
    version: str
    cases: list[dict[str, Any]]


VECTOR = msgspec.json.decode((VECTORS / "text_ops.json").read_bytes(), type=Vectors)


def _cases(kind: str) -> Any:
    cases = getattr(VECTOR, kind)
    return pytest.mark.parametrize("case", cases, ids=[f"{i}-{c.note}" if c.note else str(i) for i, c in enumerate(cases)])


def test_vectors_come_from_ot_text_unicode_4() -> None:
    assert (VECTOR.package, VECTOR.version.split(".")[0]) == ("ot-text-unicode", "4")
    assert sum(len(getattr(VECTOR, kind)) for kind in ("apply", "compose", "transform", "invert")) > 500


@_cases("apply")
def test_op_applies_as_in_the_library(case: ApplyCase) -> None:
    assert apply(case.doc, case.op) == case.result


@_cases("compose")
def test_composed_op_is_the_library_s_and_does_both_edits(case: ComposeCase) -> None:
    composed = compose(case.a, case.b)
    assert composed == case.result
    assert apply(case.doc, composed) == apply(apply(case.doc, case.a), case.b)


@_cases("transform")
def test_concurrent_op_transforms_as_in_the_library(case: TransformCase) -> None:
    assert transform(case.op, case.other, case.side) == case.result


@_cases("transformPosition")
def test_caret_moves_as_in_the_library(case: PositionCase) -> None:
    assert transform_position(case.cursor, case.op) == case.result


@_cases("invert")
def test_inverse_is_the_library_s_and_restores_the_text(case: InvertCase) -> None:
    inverse = invert_with_doc(case.op, case.doc)
    assert inverse == case.result
    assert apply(apply(case.doc, case.op), inverse) == case.doc


@_cases("normalize")
def test_op_normalizes_as_in_the_library(case: NormalizeCase) -> None:
    assert normalize(case.op) == case.result


@_cases("check")
def test_op_is_accepted_or_refused_as_in_the_library(case: CheckCase) -> None:
    """An invalid op is refused either when decoded (not a component at all) or by `check`."""
    try:
        check(msgspec.convert(case.op, type=Op))
    except ValueError:
        assert not case.valid
    else:
        assert case.valid


def test_utf16_offsets_of_the_position_vectors_are_python_s_code_points() -> None:
    """The JavaScript helpers' vectors say the same as Python's own count of code points."""
    positions = msgspec.json.decode((VECTORS / "text_positions.json").read_bytes(), type=PositionVectors)
    assert any(len(case["text"].encode("utf-16-le")) > 2 * len(case["text"]) for case in positions.cases)
    for case in positions.cases:
        assert len(case["text"][: case["cp"]].encode("utf-16-le")) // 2 == case["cu"], case


def test_delete_decodes_from_json_in_both_forms_and_is_written_back_alike() -> None:
    wire = b'[2,"\xc2\xab x \xc2\xbb",{"d":3},{"d":"\xf0\x9d\x92\x9c"}]'
    op = msgspec.json.decode(wire, type=Op)
    assert op == [2, "« x »", Delete(3), Delete("𝒜")]
    assert msgspec.json.encode(op) == wire


def test_op_that_runs_past_the_end_of_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="reaches character 4"):
        apply("abc", [3, Delete(1)])
    with pytest.raises(ValueError, match="reaches character 5"):
        apply("𝒜bc", [5, "x"])
    with pytest.raises(ValueError):
        invert_with_doc([1, Delete(3)], "ab")


@pytest.mark.parametrize(
    ("op", "reason"),
    [
        ([0, "a"], "positive"),
        ([-2, "a"], "positive"),
        (["a", ""], "empty"),
        ([Delete(0)], "at least one"),
        ([Delete("")], "at least one"),
        ([True, "a"], "retain"),
        ([1.5, "a"], "retain"),
        ([{"d": 1}], "Delete"),
        ([2, 3, "a"], "adjacent"),
        (["a", 3], "end with a retain"),
        ("abc", "list"),
    ],
)
def test_check_says_why_an_op_is_refused(op: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check(op)


def test_side_decides_whose_insert_comes_first_at_the_same_place() -> None:
    mine, theirs = [3, "« mine »"], [3, "𝒜"]
    assert apply(apply("abc", theirs), transform(mine, theirs, "left")) == "abc« mine »𝒜"
    assert apply(apply("abc", theirs), transform(mine, theirs, "right")) == "abc𝒜« mine »"


def test_lengths_count_code_points() -> None:
    op = [1, "😅𝒜", Delete(2), 1, Delete("é")]
    assert (base_length(op), target_length(op)) == (5, 4)
    assert len(apply("abcdé", op)) == target_length(op)


# Properties, on texts drawn from French drafts and characters outside the BMP.

CHARACTERS = st.sampled_from([*"ab é«»’", "\u202f", "𝒜", "😅", "\U0001f1eb"])  # a regional indicator, half of a flag
TEXTS = st.text(CHARACTERS, max_size=12)
INSERTS = st.text(CHARACTERS, min_size=1, max_size=4)
PROPERTIES = settings(max_examples=150, deadline=None)


@st.composite
def edits(draw: st.DrawFn, doc: str) -> Op:
    """A valid op on `doc`; some deletes remember their text."""
    op: Op = []
    position = 0
    for _ in range(draw(st.integers(0, 6))):
        kind, room = draw(st.sampled_from(["retain", "insert", "delete"])), len(doc) - position
        if kind == "insert" or not room:
            op.append(draw(INSERTS))
            continue
        length = draw(st.integers(1, room))
        remembered = draw(st.booleans())
        op.append(length if kind == "retain" else Delete(doc[position : position + length] if remembered else length))
        position += length
    return normalize(op)


@st.composite
def texts_with_two_edits(draw: st.DrawFn, sequential: bool) -> tuple[str, Op, Op]:
    """A text and two ops: made one after the other if `sequential`, else both on the text."""
    doc = draw(TEXTS)
    first = draw(edits(doc))
    return doc, first, draw(edits(apply(doc, first) if sequential else doc))


@PROPERTIES
@given(texts_with_two_edits(sequential=False))
def test_two_drafters_who_edit_at_once_end_with_the_same_text(case: tuple[str, Op, Op]) -> None:
    doc, a, b = case
    assert apply(apply(doc, a), transform(b, a, "right")) == apply(apply(doc, b), transform(a, b, "left"))


@PROPERTIES
@given(texts_with_two_edits(sequential=True))
def test_composed_op_does_what_the_two_ops_do_in_turn(case: tuple[str, Op, Op]) -> None:
    doc, a, b = case
    assert apply(doc, compose(a, b)) == apply(apply(doc, a), b)


@PROPERTIES
@given(st.data())
def test_inverse_undoes_an_edit(data: st.DataObject) -> None:
    doc = data.draw(TEXTS)
    op = data.draw(edits(doc))
    assert apply(apply(doc, op), invert_with_doc(op, doc)) == doc


def _split(component: Any, at: int) -> list[Any]:
    """The component cut in two after `at` characters, in the same form."""
    if isinstance(component, Delete):
        d = component.d
        return [Delete(d[:at] if isinstance(d, str) else at), Delete(d[at:] if isinstance(d, str) else d - at)]
    if isinstance(component, str):
        return [component[:at], component[at:]]
    return [at, component - at]


@PROPERTIES
@given(st.data())
def test_normalize_undoes_split_and_padded_components_and_is_idempotent(data: st.DataObject) -> None:
    doc = data.draw(TEXTS)
    op = data.draw(edits(doc))
    messy: list[Any] = []
    for component in op:
        messy.extend(_split(component, data.draw(st.integers(0, component_length(component)))))
        messy.extend(data.draw(st.lists(st.sampled_from([0, "", Delete(0), Delete("")]), max_size=2)))
    messy.append(data.draw(st.integers(0, 3)))
    assert normalize(messy) == op
    assert normalize(normalize(messy)) == normalize(messy)
    check(normalize(messy))


@PROPERTIES
@given(st.data())
def test_check_refuses_an_op_with_any_invalid_component(data: st.DataObject) -> None:
    doc = data.draw(TEXTS)
    op = data.draw(edits(doc))
    bad = data.draw(st.sampled_from([0, -1, "", Delete(0), Delete(""), Delete(-3), {"d": 1}, None, 2.0, False]))
    with pytest.raises(ValueError):
        check([*op[: (at := data.draw(st.integers(0, len(op))))], bad, *op[at:]])


@PROPERTIES
@given(st.data())
def test_a_single_insert_transforms_as_the_general_walk_does(data: st.DataObject) -> None:
    """`transform` takes a shortcut for the op typing sends (one insert): it must land where
    the general walk puts it, past any concurrent op, on either side."""
    doc = data.draw(TEXTS)
    position = data.draw(st.integers(0, len(doc)))
    insert = [*([position] if position else []), data.draw(INSERTS)]
    other = data.draw(edits(doc))
    for side in ("left", "right"):
        assert transform(insert, other, side) == text_ops._transform(insert, other, side)


@PROPERTIES
@given(st.data())
def test_a_single_insert_is_applied_and_normalized_as_the_general_walk_does(data: st.DataObject) -> None:
    """`apply`, `check` and `normalize` take a shortcut for one insert; the same insert split
    in two (which the library tolerates) goes the general way and must give the same, within
    the text or past its end."""
    doc = data.draw(TEXTS)
    position = data.draw(st.integers(0, len(doc) + 2))
    inserted = data.draw(INSERTS.filter(lambda text: len(text) >= 2))
    single = [*([position] if position else []), inserted]
    split = [*([position] if position else []), inserted[:1], inserted[1:]]
    check(single)
    assert text_ops.normalize(single) == text_ops.normalize(split) == single
    if position > len(doc):
        for op in (single, split):
            with pytest.raises(ValueError, match=f"reaches character {position} of a text of {len(doc)}"):
                apply(doc, op)
    else:
        assert apply(doc, single) == apply(doc, split) == doc[:position] + inserted + doc[position:]


def _edit_and_committed_since(data: st.DataObject) -> tuple[list[Any], list[list[Any]]]:
    """An edit made on a text, and up to four edits committed on that text since."""
    doc = data.draw(TEXTS)
    op = data.draw(edits(doc))
    committed, text = [], doc
    for _ in range(data.draw(st.integers(0, 4))):
        committed.append(data.draw(edits(text)))
        text = apply(text, committed[-1])
    return op, committed


@PROPERTIES
@given(st.data())
def test_transforming_past_several_ops_is_transforming_past_each_in_turn(data: st.DataObject) -> None:
    op, committed = _edit_and_committed_since(data)
    stepwise = op
    for other in committed:
        stepwise = transform(stepwise, other, "left")
    assert text_ops.transform_past(op, committed, "left") == stepwise


@PROPERTIES
@given(st.data())
def test_with_a_budget_the_merge_is_the_same_or_refused_and_never_walks_past_the_budget(data: st.DataObject) -> None:
    op, committed = _edit_and_committed_since(data)
    stepwise, walked = op, 0
    for other in committed:
        walked += len(stepwise) + len(other)
        stepwise = transform(stepwise, other, "left")
    budget = data.draw(st.integers(0, 40))
    try:
        merged = text_ops.transform_past(op, committed, "left", budget=budget)
    except text_ops.TooCostly:
        assert budget < max(walked, text_ops.transform_cost(op, committed))
    else:
        assert merged == stepwise
        assert walked <= budget


def test_a_delete_split_by_inserts_made_inside_it_is_stopped_within_the_budget() -> None:
    """Each insert committed inside what a stale delete removes splits it in two, so the op
    grows as it is merged: 500 such inserts took 200 ms to merge, quadratically. The count
    made before the walk cannot see it coming; the walk stops once past the budget."""
    committed = [[2 * n + 1, "x"] for n in range(500)]
    delete = [Delete(3_000)]

    assert text_ops.transform_cost(delete, committed) <= 2_000
    with pytest.raises(text_ops.TooCostly, match="grew"):
        text_ops.transform_past(delete, committed, "left", budget=3_000)
    assert len(text_ops.transform_past(delete, committed[:40], "left", budget=3_000)) == 81


def test_weight_counts_components_and_the_text_they_carry() -> None:
    assert text_ops.weight([3, "abc", Delete(5)]) == 3 + 3
    assert text_ops.weight([Delete("𝒜😅"), "x"]) == 2 + 3
    assert text_ops.carried([7, Delete(2)]) == 0
