"""Port choice: requested ports must be free; remembered ones are reused when free."""

import socket

import pytest

from dtolab.stack import ports
from dtolab.stack.errors import StackError


def test_requested_port_taken_names_the_option():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        with pytest.raises(StackError, match=f"port {taken} requested for lab.*--lab-port"):
            ports.choose(["lab"], {"lab": taken}, {})


def test_saved_port_reused_when_free_else_replaced():
    free = ports.pick_free()
    assert ports.choose(["stac"], {}, {"stac": free}) == {"stac": free}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        chosen = ports.choose(["stac"], {}, {"stac": taken})
    assert chosen["stac"] != taken


def test_ports_are_distinct():
    chosen = ports.choose(["a", "b", "c"], {}, {})
    assert len(set(chosen.values())) == 3
