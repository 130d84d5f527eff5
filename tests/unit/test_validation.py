"""Boundary validation of STAC search parameters and endpoint configuration."""

import pytest

from dtolab.client import stac
from dtolab.client.endpoints import Endpoint, lookup, parse_endpoints
from dtolab.errors import InvalidInput, NotFound


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1,2,3", "4 numbers"),
        ("a,b,c,d", "four numbers"),
        ("-200,0,10,10", "longitudes"),
        ("0,-95,10,10", "latitudes"),
        ("0,20,10,10", "south"),
    ],
)
def test_bad_bbox_names_the_field(value, message):
    # Given a malformed bbox / When it is checked / Then the error names the field and the fault
    with pytest.raises(InvalidInput, match=message) as info:
        stac.check_bbox(value)
    assert info.value.field == "bbox"


def test_bbox_across_the_antimeridian_is_valid():
    assert stac.check_bbox("170,-10,-170,10") == [170, -10, -170, 10]


@pytest.mark.parametrize(
    "value",
    ["2020-13-01", "2021-01-01/2020-01-01", "../..", "a/b/c", "2020-01-01T00:00:00Z/2021-01-01"],
)
def test_bad_datetime(value):
    with pytest.raises(InvalidInput) as info:
        stac.check_datetime(value)
    assert info.value.field == "datetime"


@pytest.mark.parametrize(
    "value",
    ["2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z/..", "../2021-01-01", "2020-01-01/2021-01-01"],
)
def test_good_datetime(value):
    assert stac.check_datetime(value) == value


@pytest.mark.parametrize("value", ["0", "-3", "1001", "many"])
def test_bad_limit(value):
    with pytest.raises(InvalidInput, match="limit"):
        stac.check_limit(value)


def test_ids_refuse_path_tricks():
    with pytest.raises(InvalidInput, match="collections"):
        stac.check_ids("collections", "ok,../../etc")
    assert stac.check_ids("ids", "a-b.c,d_e:f") == ["a-b.c", "d_e:f"]


def test_endpoints_parse_and_hide_tokens():
    endpoints = parse_endpoints(
        {
            "x": {"stac": "https://example.org/stac/", "token": "s3cret"},
            "y": {"processes": "http://h:1"},
        }
    )
    assert endpoints["x"].stac == "https://example.org/stac"
    public = endpoints["x"].public()
    assert "s3cret" not in repr(public) and public["authenticated"] is True
    assert "s3cret" not in repr(endpoints["x"])


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"x": {"stac": "file:///etc"}}, "endpoints.x.stac"),
        ({"x": {"stac": "ftp://h/"}}, "endpoints.x.stac"),
        ({"x": {}}, "endpoints.x"),
        ({"x": {"stac": "http://h", "colour": "red"}}, "endpoints.x"),
    ],
)
def test_bad_endpoint_config(config, field):
    with pytest.raises(InvalidInput) as info:
        parse_endpoints(config)
    assert info.value.field == field


def test_unknown_endpoint_lists_known_names():
    with pytest.raises(NotFound, match="configured endpoints: a, b"):
        lookup({"a": Endpoint("a", stac="http://a"), "b": Endpoint("b", stac="http://b")}, "c")
