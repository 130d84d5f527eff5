"""Asset reading on the server: which URLs may be read, redirects, and the connected address."""

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import zarr
from zarr.core.buffer import default_buffer_prototype

from dtolab.client.assets import AssetGuard, GuardedHTTPStore
from dtolab.client.endpoints import Endpoint, parse_endpoints
from dtolab.errors import InvalidInput, Refused


def public_resolver(host, port):
    return [ipaddress.ip_address("93.184.216.34")]


@pytest.fixture
def server():
    """A loopback HTTP server: /redirect/* answers 302 elsewhere, /data/* serves bytes; hits are
    recorded, so a test can prove a redirect was not followed."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path.startswith("/redirect/"):
                self.send_response(302)
                self.send_header("Location", "/data/secret")
                self.end_headers()
                return
            if self.path.startswith("/data/"):
                body = b"chunk bytes"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def guard(**settings):
    return AssetGuard(parse_endpoints({"e": {"stac": "http://stac.example", **settings}})["e"])


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "s3://bucket/key.zarr",
        "ftp://example.org/x",
        "gopher://example.org/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/x.zarr",
        "http://192.168.1.1/x.zarr",
        "http://172.16.0.1/x.zarr",
        "http://127.0.0.1:8080/x.zarr",
        "http://localhost/x.zarr",
        "http://[::1]/x.zarr",
        "http://[fe80::1]/x.zarr",
        "http://[::ffff:10.0.0.1]/x.zarr",
        "http://0.0.0.0/x.zarr",
        "http://224.0.0.1/x.zarr",
        "http://user:secret@example.org/x.zarr",
    ],
)
def test_refused_urls(url):
    with pytest.raises(Refused):
        guard().check(url)


def test_public_host_is_allowed():
    g = AssetGuard(Endpoint("e", stac="http://stac.example"), resolver=public_resolver)
    assert g.check("https://data.example.org/x.zarr") == "https://data.example.org/x.zarr"


def test_listed_prefix_allows_loopback_but_only_below_it():
    g = guard(assets=["http://127.0.0.1:8080/data"])
    assert g.check("http://127.0.0.1:8080/data/x.zarr")
    with pytest.raises(Refused):
        g.check("http://127.0.0.1:8080/data2/x.zarr")
    with pytest.raises(Refused):
        g.check("http://127.0.0.1:8080/other")


def test_prefixes_must_be_urls():
    with pytest.raises(InvalidInput, match=r"endpoints\.e\.assets"):
        guard(assets="http://127.0.0.1/")
    with pytest.raises(InvalidInput, match=r"assets\[0\]"):
        guard(assets=["file:///srv"])


def get(store, key):
    return zarr.core.sync.sync(store.get(key, default_buffer_prototype()))


def test_listed_store_reads_and_missing_key_is_none(server):
    base, _hits = server
    store = GuardedHTTPStore(f"{base}/data", guard(assets=[base]))
    assert get(store, "zarr.json").to_bytes() == b"chunk bytes"
    store404 = GuardedHTTPStore(f"{base}/none", guard(assets=[base]))
    assert get(store404, "zarr.json") is None


def test_redirect_is_not_followed(server):
    base, hits = server
    store = GuardedHTTPStore(f"{base}/redirect", guard(assets=[base]))
    with pytest.raises(Refused, match="redirect"):
        get(store, "zarr.json")
    assert hits == ["/redirect/zarr.json"]  # the target was never requested


def test_connected_address_is_checked_again(server):
    """A name that passes the check but connects to loopback (DNS rebinding) is refused."""
    base, _hits = server
    port = base.rsplit(":", 1)[1]
    rebinding = AssetGuard(Endpoint("e", stac="http://stac.example"), resolver=public_resolver)
    store = GuardedHTTPStore(f"http://localhost:{port}/data", rebinding)
    with pytest.raises(Refused, match="non-public"):
        get(store, "zarr.json")


def test_store_is_read_only(server):
    base, _ = server
    store = GuardedHTTPStore(f"{base}/data", guard(assets=[base]))
    with pytest.raises(Refused):
        zarr.core.sync.sync(store.delete("zarr.json"))
