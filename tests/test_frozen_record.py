"""frozen_record builds its own __init__: it must take the parameters dataclass's would."""

import dataclasses
import inspect
import pickle
from dataclasses import field

import pytest

from analyzer.facts import CallSite, Lit, Member, Ref
from analyzer.model import Span, TuplePickled, frozen_record
from analyzer.resolve.targets import EMPTY, At, Frame


@frozen_record
class Sample:
    name: str
    count: int = 3
    tags: list = field(default_factory=list)
    doubled: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "doubled", self.count * 2)


def test_defaults_factories_and_post_init():
    first, second = Sample("a"), Sample("b", 5, ["x"])
    assert (first.name, first.count, first.tags, first.doubled) == ("a", 3, [], 6)
    assert (second.count, second.tags, second.doubled) == (5, ["x"], 10)
    assert Sample("c").tags is not Sample("c").tags  # a new list each time, as with dataclass
    assert Sample(count=1, name="k") == Sample("k", 1)


def test_same_signature_as_dataclass():
    reference = dataclasses.dataclass(frozen=True, slots=True)(type("Reference", (), {
        "__annotations__": {"name": "str", "count": "int"}, "count": 3}))
    fast = frozen_record(type("Fast", (), {"__annotations__": {"name": "str", "count": "int"}, "count": 3}))
    assert str(inspect.signature(fast)) == str(inspect.signature(reference))
    with pytest.raises(TypeError):
        fast()  # the field without a default is required


def test_still_frozen_and_hashable():
    member = Member(Ref("x", 0), "track")
    with pytest.raises(dataclasses.FrozenInstanceError):
        member.prop = "other"  # type: ignore[misc]
    assert hash(member) == hash(Member(Ref("x", 0), "track"))
    assert Span(1, 2, 3, 4) < Span(1, 2, 3, 5)  # order=True kept


def _made_both_ways(**options) -> tuple[type, type]:
    """One class made by frozen_record, and the same by dataclass(frozen=True, slots=True)."""

    def body() -> dict:
        return {"__annotations__": {"name": "str", "count": "int", "tags": "tuple", "hidden": "int", "loose": "int"},
                "count": 3, "tags": field(default_factory=tuple), "hidden": field(default=0, repr=False),
                "loose": field(default=0, compare=False)}

    return (frozen_record(type("Rec", (), body()), **options),
            dataclasses.dataclass(frozen=True, slots=True, **options)(type("Rec", (), body())))


def _observed(cls: type, order: bool) -> dict:
    records = [cls("a", 1, ("x",), 2, 5), cls("a", 1, ("x",), 2, 6), cls("a", 1, ("x",), 3, 5), cls("b"), cls("a")]
    seen = {
        "repr": [repr(r) for r in records],
        "==": [[a == b for b in records] for a in records],
        "equal hashes": [[hash(a) == hash(b) for b in records] for a in records],
        "replaced": repr(dataclasses.replace(records[0], count=9)),
        "fields": [(f.name, f.repr, f.compare) for f in dataclasses.fields(cls)],
    }
    if order:
        seen["order"] = [[(a < b, a <= b, a > b, a >= b) for b in records] for a in records]
    else:
        with pytest.raises(TypeError):
            records[0] < records[1]  # noqa: B015 - unordered
    for attempt in (lambda: setattr(records[0], "name", "z"), lambda: delattr(records[0], "count")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            attempt()
    return seen


@pytest.mark.parametrize("options", [{}, {"order": True}, {"eq": False}])
def test_behaves_as_a_frozen_slotted_dataclass(options):
    fast, reference = _made_both_ways(**options)
    assert _observed(fast, options.get("order", False)) == _observed(reference, options.get("order", False))
    assert fast.__slots__ == reference.__slots__


def test_records_that_are_not_tuple_pickled_pickle_as_a_dataclass_does():
    sample = Sample("a", 5, ["x"])
    again = pickle.loads(pickle.dumps(sample))
    assert again == sample and again.doubled == 10 and again is not sample


def test_records_pickle_back_equal():
    call = CallSite(Member(Ref("mw", 0), "track"), (Lit("counter.x"),), 0, Span(1, 1, 1, 20), snippet="mw.track(…)")
    assert isinstance(call, TuplePickled)
    assert pickle.loads(pickle.dumps(call)) == call


def test_evaluator_records_keep_their_computed_fields():
    frame = Frame(((("a.js", 1, "x"), At(Lit("v"), "a.js")),))
    assert hash(frame) == hash(frame.bindings)  # set by __post_init__
    at = At(Lit("v"), "a.js")
    assert at.frame is EMPTY and hash(at) == hash(at)


def test_what_a_rescan_loads_from_the_cache_pickles_back_equal():
    """Unchanged roots are loaded from pickles: findings, declarations and the rest are read back
    by calling their class, not by a Python __setstate__ per object."""
    from fixturelib import scan_fixture

    result = scan_fixture("demo-extension")
    records = [*result.findings, *result.declarations, *result.diagnostics, *result.roots]
    assert records and all(isinstance(record, TuplePickled) for record in records)
    assert {type(f.via_wrapper) for f in result.findings} > {type(None)}  # nested records too
    assert pickle.loads(pickle.dumps(result)) == result
