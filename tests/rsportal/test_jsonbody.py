"""The one function every JSON body goes through: a crafted body is refused in words
(Refused, a ValueError), never a RecursionError, a database error or an AttributeError."""

import json

import pytest

from rsportal import jsonbody
from rsportal.jsonbody import Bool, Int, MapOf, Object, Refused, Text

SHAPE = Object(
    required={"name": Text(10), "count": Int(0, 100), "flag": Bool()},
    optional={
        "note": Text(20, nullable=True),
        "kind": Text(10, choices=["a", "b"]),
        "inner": Object(optional={"n": Int(0, 9)}),
        "tries": MapOf(Text(20), Int(0, 15, nullable=True)),
    },
)
VALID = {"name": "anna", "count": 3, "flag": False}


def body(**fields: object) -> bytes:
    return json.dumps({**VALID, **fields}).encode()


def test_a_body_of_the_declared_shape_comes_back_with_its_declared_fields_only():
    assert jsonbody.parse(body(note=None, unknown=[1, {"x": 2}]), SHAPE) == {**VALID, "note": None}
    nested = body(inner={"n": 4}, tries={"legitimering": 3, "underskrift": None}, kind="b")
    assert jsonbody.parse(nested, SHAPE)["tries"] == {"legitimering": 3, "underskrift": None}


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"[" * 200_000, "larger than"),  # the size is checked first, before anything is parsed
        (b"[" * 5_000 + b"]" * 5_000, "nested deeper"),  # small enough, but json.loads would recurse
        (b'{"name": ' + b'{"a": ' * 40 + b"1" + b"}" * 41, "nested deeper"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"{not json", "not JSON"),
        (b'{"name": "x", "name": "y", "count": 1, "flag": true}', "twice"),
        (b'{"name": "x", "count": NaN, "flag": true}', "not JSON"),
        (b'{"name": "x", "count": ' + b"9" * 5_000 + b', "flag": true}', "not JSON"),
        (b"[]", "an object"),
        (b'"text"', "an object"),
    ],
)
def test_a_body_that_is_not_a_small_json_object_is_refused_before_its_fields_are_read(raw, reason):
    with pytest.raises(Refused) as refused:
        jsonbody.parse(raw, SHAPE)
    assert reason in refused.value.reason


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\udfff"])
def test_control_characters_and_lone_surrogates_are_refused_in_every_string(character):
    for crafted in (
        body(name=f"a{character}"),
        body(note=character),
        body(unknown=f"hid{character}den"),  # even in a field nobody reads
        body(tries={f"key{character}": 1}),  # and in a key
    ):
        with pytest.raises(Refused, match="control character"):
            jsonbody.parse(crafted, SHAPE)


@pytest.mark.parametrize(
    "fields, where",
    [
        ({"name": 12}, "name"),
        ({"name": "x" * 11}, "name"),
        ({"name": None}, "name"),
        ({"count": "3"}, "count"),
        ({"count": 3.0}, "count"),
        ({"count": True}, "count"),
        ({"count": 101}, "count"),
        ({"count": -1}, "count"),
        ({"count": 2**70}, "count"),
        ({"flag": 1}, "flag"),
        ({"flag": "true"}, "flag"),
        ({"kind": "c"}, "kind"),
        ({"inner": []}, "inner"),
        ({"inner": {"n": 10}}, "inner.n"),
        ({"tries": []}, "tries"),
        ({"tries": {"legitimering": "3"}}, "tries.legitimering"),
        ({"tries": {"k" * 21: 1}}, "tries"),
    ],
)
def test_each_field_is_checked_against_its_declared_type_and_range(fields, where):
    with pytest.raises(Refused) as refused:
        jsonbody.parse(body(**fields), SHAPE)
    assert refused.value.reason.startswith(where + ":"), refused.value.reason


def test_a_missing_required_field_is_named():
    with pytest.raises(Refused, match=r"^count: required"):
        jsonbody.parse(json.dumps({"name": "x", "flag": True}), SHAPE)


def test_the_reason_never_repeats_a_value_from_the_body():
    secret = "hemligt-lösenord-12345"
    for crafted in (body(name=secret), body(count=secret), body(name=secret + "\x00"), body(kind=secret)):
        with pytest.raises(Refused) as refused:
            jsonbody.parse(crafted, SHAPE)
        assert secret not in refused.value.reason and secret[:8] not in str(refused.value)


def test_the_limits_can_be_set_per_call():
    with pytest.raises(Refused, match="larger than 10 bytes"):
        jsonbody.parse(body(), SHAPE, max_bytes=10)
    with pytest.raises(Refused, match="nested deeper than 1"):
        jsonbody.parse(body(inner={"n": 1}), SHAPE, max_depth=1)


def test_brackets_inside_strings_do_not_count_as_depth():
    assert jsonbody.parse(body(note='[[[{{{"\\"[['), SHAPE, max_depth=1)["note"] == '[[[{{{"\\"[['
