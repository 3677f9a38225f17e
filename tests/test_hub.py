"""The data hub: search path, checksums, atomic downloads and offline errors."""
import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from d2l.data import hub


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        status, headers, body, cut = self.routes.get(self.path, (404, {}, b"missing", False))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # An interrupted transfer: promise the whole body, send half, hang up.
        self.wfile.write(body[: len(body) // 2] if cut else body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.routes = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", _Handler.routes
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hub_dirs(tmp_path, monkeypatch):
    """An empty search path: one data dir, a cache dir, and no system folder."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(data))
    monkeypatch.setenv(hub.CACHE_DIR_ENV, str(cache))
    monkeypatch.setattr(hub, "PROJECT_DATA_DIR", tmp_path / "project-data")
    monkeypatch.setattr(hub, "SYSTEM_DATA_DIR", tmp_path / "system")
    return data, cache


def _register(monkeypatch, path, url, payload, content_sha1=None):
    entry = hub.DataFile(path, url, hashlib.sha1(payload).hexdigest(), content_sha1)
    monkeypatch.setitem(hub.REGISTRY, path, entry)
    return entry


def _leftovers(folder: Path):
    return [p.name for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_search_path_order(monkeypatch, tmp_path):
    monkeypatch.setenv(hub.DATA_DIR_ENV, f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    monkeypatch.delenv(hub.CACHE_DIR_ENV, raising=False)
    assert hub.search_path() == [tmp_path / "a", tmp_path / "b", hub.PROJECT_DATA_DIR, hub.SYSTEM_DATA_DIR]
    monkeypatch.setenv(hub.CACHE_DIR_ENV, str(tmp_path / "cache"))
    assert hub.search_path()[2:] == [tmp_path / "cache", hub.PROJECT_DATA_DIR, hub.SYSTEM_DATA_DIR]


def test_local_copy_is_used_without_network(monkeypatch, hub_dirs):
    data, cache = hub_dirs
    payload = b"1,2,3\n"
    _register(monkeypatch, "toy/numbers.csv", "http://127.0.0.1:9/never", payload)
    (data / "toy").mkdir()
    (data / "toy" / "numbers.csv").write_bytes(payload)
    assert hub.download("toy/numbers.csv") == data / "toy" / "numbers.csv"
    assert _leftovers(cache) == []


def test_first_folder_on_the_path_wins(monkeypatch, tmp_path, hub_dirs):
    data, _ = hub_dirs
    payload = b"same bytes"
    _register(monkeypatch, "x.txt", "http://127.0.0.1:9/never", payload)
    system = tmp_path / "system"
    system.mkdir()
    (system / "x.txt").write_bytes(payload)
    assert hub.download("x.txt") == system / "x.txt"
    (data / "x.txt").write_bytes(payload)
    assert hub.download("x.txt") == data / "x.txt"


def test_damaged_local_copy_is_reported(monkeypatch, hub_dirs):
    data, _ = hub_dirs
    _register(monkeypatch, "x.txt", "http://127.0.0.1:9/never", b"good")
    (data / "x.txt").write_bytes(b"bad!")
    with pytest.raises(hub.ChecksumError, match=r"x\.txt has SHA-1 .* expected .*delete it"):
        hub.download("x.txt")


def test_recompressed_gzip_is_accepted_by_content(monkeypatch, hub_dirs):
    data, _ = hub_dirs
    content = bytes(range(256)) * 10
    original = gzip.compress(content, mtime=0, compresslevel=9)
    entry = hub.DataFile("a.gz", "http://127.0.0.1:9/never", hashlib.sha1(original).hexdigest(),
                         hashlib.sha1(content).hexdigest())
    monkeypatch.setitem(hub.REGISTRY, "a.gz", entry)
    (data / "a.gz").write_bytes(gzip.compress(content, mtime=12345, compresslevel=1))
    assert hub.download("a.gz") == data / "a.gz"


def test_download_writes_the_verified_file(monkeypatch, server, hub_dirs):
    base, routes = server
    _, cache = hub_dirs
    payload = b"x" * (3 * 2**20 + 17)
    routes["/f.bin"] = (200, {"Content-Type": "application/octet-stream"}, payload, False)
    _register(monkeypatch, "sub/f.bin", base + "/f.bin", payload)
    path = hub.download("sub/f.bin")
    assert path == cache / "sub" / "f.bin"
    assert path.read_bytes() == payload
    assert _leftovers(cache) == ["f.bin"]
    # The second call finds the cached copy.
    routes.clear()
    assert hub.download("sub/f.bin") == path


def test_wrong_checksum_keeps_nothing(monkeypatch, server, hub_dirs):
    base, routes = server
    _, cache = hub_dirs
    routes["/f.bin"] = (200, {}, b"tampered", False)
    _register(monkeypatch, "f.bin", base + "/f.bin", b"expected")
    with pytest.raises(hub.ChecksumError, match="was not kept"):
        hub.download("f.bin")
    assert _leftovers(cache) == []


def test_interrupted_download_leaves_nothing(monkeypatch, server, hub_dirs):
    base, routes = server
    _, cache = hub_dirs
    payload = b"y" * 100_000
    routes["/f.bin"] = (200, {}, payload, True)
    _register(monkeypatch, "f.bin", base + "/f.bin", payload)
    with pytest.raises(hub.DataHubError, match="f.bin"):
        hub.download("f.bin")
    assert _leftovers(cache) == []


def test_html_error_page_is_not_saved(monkeypatch, server, hub_dirs):
    base, routes = server
    _, cache = hub_dirs
    routes["/f.bin"] = (200, {"Content-Type": "text/html"}, b"<html>login</html>", False)
    _register(monkeypatch, "f.bin", base + "/f.bin", b"real")
    with pytest.raises(hub.DataHubError, match="HTML page"):
        hub.download("f.bin")
    assert _leftovers(cache) == []


def test_offline_error_says_what_to_do(monkeypatch, server, hub_dirs):
    base, _ = server  # no route: 404
    data, _ = hub_dirs
    _register(monkeypatch, "gone.csv", base + "/gone.csv", b"anything")
    with pytest.raises(hub.DataHubError) as info:
        hub.download("gone.csv")
    message = str(info.value)
    assert "'gone.csv'" in message and base + "/gone.csv" in message
    assert str(data / "gone.csv") in message
    assert "D2L_DATA_DIR" in message and "404" in message


def test_unreachable_host(monkeypatch, hub_dirs):
    _register(monkeypatch, "z.txt", "http://127.0.0.1:9/z.txt", b"z")
    with pytest.raises(hub.DataHubError, match="Offline"):
        hub.download("z.txt")


def test_unknown_name_lists_the_registry():
    with pytest.raises(KeyError, match="fashion-mnist/train-images-idx3-ubyte.gz"):
        hub.download("no-such-file")


def test_registry_matches_the_offline_copies(real_data_dir, monkeypatch):
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(real_data_dir))
    not_offline = {"pikachu/train.rec", "pikachu/train.idx", "pikachu/val.rec",
                   "VOCtrainval_11-May-2012.tar", "aclImdb_v1.tar.gz"}
    for name, entry in hub.REGISTRY.items():
        if name in not_offline:
            assert not (real_data_dir / entry.path).exists(), f"{name} is offline now: check its SHA-1"
        else:
            assert hub.find(name) == real_data_dir / entry.path
