"""`keras.utils.get_file`: downloads into Keras's cache, reuses a cached file, checks hashes, keeps nothing of a
failed download, and extracts archives without letting a member out of its folder. The files come from an HTTP
server on 127.0.0.1 that each test starts (`Server`), so no test touches the network."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import keras_lite as keras

PAYLOAD = b"keras_lite get_file test payload\n" * 1000


class Server:
    """Files by URL path, a count of requests per path, and paths that answer with a broken response."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: dict[str, int] = {}
        self.short: set[str] = set()
        handler = self._handler()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def _handler(self) -> Any:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                path = self.path.lstrip("/")
                server.requests[path] = server.requests.get(path, 0) + 1
                body = server.files.get(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if path in server.short else body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Keras home for the test (``$KERAS_HOME``)."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_downloads_into_the_keras_home_and_then_uses_the_cached_file(
    server: Server, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.files["data/file.bin"] = PAYLOAD
    url = server.url("data/file.bin")
    path = keras.utils.get_file(origin=url)
    assert path == str(home / "datasets" / "file.bin")
    assert Path(path).read_bytes() == PAYLOAD
    assert f"Downloading data from {url}" in capsys.readouterr().out
    # Cached: no second request, whatever the hash argument, while it matches.
    assert keras.utils.get_file("file.bin", url, file_hash=sha256(PAYLOAD)) == path
    assert keras.utils.get_file("file.bin", url, md5_hash=hashlib.md5(PAYLOAD).hexdigest()) == path  # noqa: S324
    assert server.requests["data/file.bin"] == 1
    assert os.listdir(home / "datasets") == ["file.bin"]  # no temporary file left beside it
    # force_download fetches it again.
    keras.utils.get_file("file.bin", url, force_download=True)
    assert server.requests["data/file.bin"] == 2


def test_a_cached_file_with_another_hash_is_downloaded_again(
    server: Server, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "f.bin").write_bytes(b"stale")
    server.files["f.bin"] = PAYLOAD
    path = keras.utils.get_file("f.bin", server.url("f.bin"), file_hash=sha256(PAYLOAD))
    assert Path(path).read_bytes() == PAYLOAD
    out = capsys.readouterr().out
    assert "hash does not match the original value" in out and "re-download" in out
    # Without a hash a cached file is used as it is.
    (home / "datasets" / "f.bin").write_bytes(b"stale")
    assert Path(keras.utils.get_file("f.bin", server.url("f.bin"))).read_bytes() == b"stale"


def test_a_download_with_the_wrong_hash_is_refused_and_not_kept(server: Server, home: Path) -> None:
    server.files["f.bin"] = PAYLOAD
    with pytest.raises(ValueError, match="hash does not match the provided value"):
        keras.utils.get_file("f.bin", server.url("f.bin"), file_hash=sha256(b"something else"))
    assert os.listdir(home / "datasets") == []
    with pytest.raises(ValueError, match="md5 file hash"):
        keras.utils.get_file("f.bin", server.url("f.bin"), md5_hash="0" * 32)
    assert os.listdir(home / "datasets") == []


@pytest.mark.parametrize("case", ["missing", "short"])
def test_a_failed_download_raises_and_leaves_the_cache_as_it_was(
    server: Server, home: Path, case: str
) -> None:
    server.files["f.bin"] = PAYLOAD
    if case == "short":
        server.short.add("f.bin")
    url = server.url("f.bin" if case == "short" else "nothing.bin")
    with pytest.raises(OSError, match="URL fetch failure on"):
        keras.utils.get_file("f.bin", url)
    assert os.listdir(home / "datasets") == []
    # A cached copy being replaced (force_download) survives a failed download.
    (home / "datasets" / "f.bin").write_bytes(b"old")
    with pytest.raises(OSError, match="404" if case == "missing" else "closed after"):
        keras.utils.get_file("f.bin", url, force_download=True)
    assert os.listdir(home / "datasets") == ["f.bin"]
    assert (home / "datasets" / "f.bin").read_bytes() == b"old"


def test_file_urls_cache_dir_and_subdir(tmp_path: Path, home: Path) -> None:
    source = tmp_path / "source.csv"
    source.write_bytes(PAYLOAD)
    cache = tmp_path / "not" / "yet" / "there"
    path = keras.utils.get_file(origin=source.as_uri(), cache_dir=str(cache), cache_subdir="mine")
    assert path == str(cache / "mine" / "source.csv")  # created (Keras falls back to /tmp/.keras here)
    absolute = tmp_path / "absolute"
    path = keras.utils.get_file("copy.csv", source.as_uri(), cache_subdir=str(absolute))
    assert path == str(absolute / "copy.csv") and Path(path).read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fname": "x.bin"}, 'specify the "origin" argument'),
        (
            {"fname": "a/b.bin", "origin": "http://127.0.0.1:9/b.bin"},
            "Paths are no longer accepted as the `fname`",
        ),
        ({"fname": "..", "origin": "http://127.0.0.1:9/b.bin"}, "`fname` must name a file"),
        ({"origin": "http://127.0.0.1:9/"}, "Can't parse the file name from the origin"),
        ({"origin": "http://127.0.0.1:9/b.bin", "hash_algorithm": "sha1"}, "hash_algorithm=.sha1."),
        ({"origin": "http://127.0.0.1:9/b.bin", "file_hash": 123}, "file_hash=123"),
        ({"origin": "http://127.0.0.1:9/b.bin", "archive_format": "rar"}, "archive_format=.rar."),
    ],
)
def test_bad_arguments_are_refused_before_any_download(
    home: Path, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        keras.utils.get_file(**kwargs)
    assert not home.exists()


def tar_bytes(members: list[tuple[str, bytes | None, str | None]], mode: str = "w:gz") -> bytes:
    """A tar archive of (name, content) files, or (name, None, target) symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, content, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            else:
                assert content is not None
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in members.items():
            z.writestr(zipfile.ZipInfo(name), content)
    return buf.getvalue()


def test_archives_are_extracted_into_the_folder_keras_names(server: Server, home: Path) -> None:
    server.files["set.tar.gz"] = tar_bytes([("set/a.csv", b"1,2\n", None), ("set/b/c.txt", b"c", None)])
    server.files["set.zip"] = zip_bytes({"z/a.csv": b"3,4\n"})
    data = home / "datasets"
    # A name with an extension: the archive keeps it, the folder is the stem plus "_extracted".
    folder = keras.utils.get_file("set.tar.gz", server.url("set.tar.gz"), extract=True)
    assert folder == str(data / "set_extracted")
    assert (data / "set_extracted" / "set" / "a.csv").read_bytes() == b"1,2\n"
    assert (data / "set_extracted" / "set" / "b" / "c.txt").read_bytes() == b"c"
    # A name without one (or none): the archive is "<name>_archive", the folder the name itself.
    folder = keras.utils.get_file("zipped", server.url("set.zip"), extract=True)
    assert folder == str(data / "zipped") and (data / "zipped_archive").is_file()
    assert (data / "zipped" / "z" / "a.csv").read_bytes() == b"3,4\n"
    server.files["plain.tar"] = tar_bytes([("p.txt", b"p", None)], mode="w")
    folder = keras.utils.get_file(origin=server.url("plain.tar"), untar=True)
    assert folder == str(data / "plain.tar") and (data / "plain.tar_archive").is_file()
    assert (data / "plain.tar" / "p.txt").read_bytes() == b"p"
    # An archive_format that does not match leaves the archive unextracted, with a warning.
    with pytest.warns(UserWarning, match="Could not extract archive"):
        keras.utils.get_file("other.zip", server.url("set.zip"), extract=True, archive_format="tar")
    assert not (data / "other_extracted").exists()


def test_archive_members_that_would_land_outside_their_folder_are_skipped(
    server: Server, home: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    server.files["evil.tar"] = tar_bytes(
        [
            ("ok.txt", b"ok", None),
            ("../../escaped.txt", b"x", None),
            (str(outside), b"x", None),
            ("link", None, str(tmp_path)),
            ("up", None, "../.."),
        ],
        mode="w",
    )
    server.files["evil.zip"] = zip_bytes({"fine.txt": b"fine", "../../escaped_zip.txt": b"x"})
    with pytest.warns(UserWarning, match="Skipping invalid path") as record:
        folder = Path(keras.utils.get_file("evil.tar", server.url("evil.tar"), extract=True))
    skipped = sorted(str(w.message).split("'")[1] for w in record)
    assert skipped == sorted(["../../escaped.txt", str(outside), "link", "up"])
    assert sorted(os.listdir(folder)) == ["ok.txt"]
    assert not outside.exists() and not (home / "escaped.txt").exists()
    with pytest.warns(UserWarning, match="escaped_zip"):
        folder = Path(keras.utils.get_file("zipped.zip", server.url("evil.zip"), extract=True))
    assert sorted(os.listdir(folder)) == ["fine.txt"]
    assert not (home / "escaped_zip.txt").exists()


def test_a_damaged_archive_is_an_error_naming_it_and_leaves_no_folder(server: Server, home: Path) -> None:
    good = tar_bytes([("a.txt", b"a" * 10000, None)])
    server.files["bad.tar.gz"] = good[: len(good) // 2]
    with pytest.raises(ValueError, match="Could not extract the archive .*bad.tar.gz"):
        keras.utils.get_file("bad.tar.gz", server.url("bad.tar.gz"), extract=True, archive_format="tar")
    assert not (home / "datasets" / "bad_extracted").exists()
