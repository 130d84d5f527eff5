"""Which URLs Catalog(name) means in a notebook: environment, presets, the running stack."""

import json

import pytest

from dtolab.client.resolve import ENV, resolve
from dtolab.errors import InvalidInput, NotFound


def test_a_url_is_taken_as_it_is():
    endpoint = resolve("https://stac.example.org/api/", token="t")
    assert endpoint.stac == "https://stac.example.org/api" and endpoint.token == "t"


def test_names_come_from_the_environment_first(monkeypatch):
    monkeypatch.setenv(ENV, json.dumps({"local": {"stac": "http://127.0.0.1:8123"}}))
    assert resolve("local").stac == "http://127.0.0.1:8123"


def test_edito_is_a_preset(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    edito = resolve("edito")
    assert edito.stac == "https://api.dive.edito.eu/data" and edito.free_text is False


def test_local_without_a_running_stack_says_how_to_start_one(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setenv("DTOLAB_STATE_DIR", str(tmp_path))
    with pytest.raises(NotFound, match="needs a running `dtolab up`"):
        resolve("local")


def test_bad_environment_json_names_the_variable(monkeypatch):
    monkeypatch.setenv(ENV, "{not json")
    with pytest.raises(InvalidInput, match=ENV):
        resolve("local")
