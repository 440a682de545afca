"""``keras.utils.get_file``: a file fetched from a URL once and kept in a cache folder, checked against a hash,
and archives extracted with every member kept inside their folder.

The cache is Keras's: ``$KERAS_HOME`` or ``~/.keras`` (``/tmp/.keras`` where the home folder cannot be
written), so a file Keras downloaded is found here and the other way round. Where this differs from Keras, it
is on the side of keeping the cache sound: a download goes to a temporary file that replaces the cached one
only once complete and, when a hash is given, checked (Keras writes in place, and leaves a file that failed
its check); ``cache_dir`` is created when missing (Keras then silently uses ``/tmp/.keras``); a file name of
``.`` or ``..`` and an unknown ``hash_algorithm`` are refused (Keras treats the latter as md5).
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import tempfile
import urllib.parse
import warnings
import zipfile
from typing import TYPE_CHECKING, Any

from ._errors import received
from ._io import print_msg
from ._progbar import Progbar

if TYPE_CHECKING:
    import tarfile

HASH_ALGORITHMS = ("auto", "sha256", "md5")
ARCHIVE_FORMATS = ("tar", "zip")

# Seconds a connection may stay silent before the download is abandoned (not a bound on the whole download).
TIMEOUT_S = 60.0
CHUNK = 1 << 16

# OSErrors that say something about the file system (kept as they are), not about the archive being read.
_FILE_SYSTEM_ERRNOS = frozenset(
    getattr(errno, name)
    for name in "ENOSPC EDQUOT EACCES EPERM EROFS EMFILE ENFILE ENAMETOOLONG EEXIST ENOTDIR EISDIR".split()
    if hasattr(errno, name)
)


def keras_home() -> str:
    """Keras's home folder: ``$KERAS_HOME``, else ``~/.keras``, or ``/tmp/.keras`` if home is not writable."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return home
    base = os.path.expanduser("~")
    return os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")


def _writable_folder(base: str, subdir: str) -> str:
    """``base/subdir``, created if missing; under ``/tmp/.keras`` instead where that cannot be written."""
    for root in (base, os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")):
        folder = os.path.join(root, subdir)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise PermissionError(
        f"Cannot write to the cache folder {os.path.join(base, subdir)!r} nor to /tmp/.keras."
    )


def _hasher(algorithm: str, file_hash: str | None) -> Any:
    """sha256 when asked for, or when ``auto`` sees a 64-digit hash; md5 otherwise (as Keras decides)."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()  # noqa: S324 - an integrity check asked for by name, as in Keras


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto") -> bool:
    """Whether the file's hash is ``file_hash`` (sha256 or md5; ``auto`` tells them apart by length)."""
    hasher = _hasher(algorithm, file_hash)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            hasher.update(chunk)
    return str(hasher.hexdigest()) == str(file_hash).lower()


def get_file(
    fname: Any = None,
    origin: Any = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: Any = None,
    force_download: bool = False,
) -> str:
    """Download ``origin`` into the cache unless it is there already, and return the local path.

    The file lands in ``cache_dir/cache_subdir/fname`` (by default ``~/.keras/datasets/``, or under
    ``$KERAS_HOME``). A file already there is used as it is, unless ``file_hash`` is given and does not match
    it (then it is downloaded again) or ``force_download`` is set. With ``extract=True`` (or ``untar=True``) the
    archive (tar, tar.gz, tar.bz2 or zip) is extracted next to it and the extraction folder is returned:
    ``fname`` without its extensions plus ``_extracted`` when ``fname`` has one, else ``fname`` itself.
    Members that would land outside that folder (absolute paths, ``..``, links pointing out) are skipped with
    a warning.

    Args:
        fname: The file's name in the cache (no folders); defaults to the last part of ``origin``'s path.
        origin: The URL (``http(s)://``, ``file://``, ...).
        untar: Extract the file as a tar archive (legacy; ``extract`` is preferred).
        md5_hash: Legacy: the file's md5 hash (``file_hash`` is preferred).
        file_hash: The expected sha256 (or md5) hex digest of the file.
        cache_subdir: The sub-folder of the cache, or an absolute folder.
        hash_algorithm: ``"auto"``, ``"sha256"`` or ``"md5"``.
        extract: Extract the downloaded archive.
        archive_format: ``"auto"`` (tar, then zip), ``"tar"``, ``"zip"``, a list of those, or None.
        cache_dir: The cache's root; defaults to ``$KERAS_HOME`` or ``~/.keras``.
        force_download: Download even if the file is in the cache.

    Returns:
        The path of the file, or of the extraction folder.

    Raises:
        ValueError: no ``origin``, a ``fname`` with folders in it, an unknown ``hash_algorithm`` or archive format,
            or a downloaded file whose hash is not ``file_hash`` (nothing is then kept).
        OSError: the URL could not be fetched (nothing is kept).

    Example:
        >>> path = keras_lite.utils.get_file(origin="https://example.com/data.csv", file_hash="...")
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    origin = str(origin)
    if hash_algorithm not in HASH_ALGORITHMS:
        raise ValueError(
            f"Argument `hash_algorithm` must be one of {HASH_ALGORITHMS}. {received('hash_algorithm', hash_algorithm)}"
        )
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None and not isinstance(file_hash, str):
        raise ValueError(
            f"Argument `file_hash` must be a hex digest string. {received('file_hash', file_hash)}"
        )
    formats = _archive_formats(archive_format)
    name = _file_name(fname, origin)
    folder = _writable_folder(os.path.expanduser(os.fspath(cache_dir or keras_home())), cache_subdir)
    target, extract_to = _paths(folder, name, bool(fname), extract or untar)
    download = bool(force_download) or not os.path.exists(target)
    if not download and file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        print_msg(
            "A local file was found, but it seems to be incomplete or outdated because the "
            f"{hash_algorithm} file hash does not match the original value of {file_hash} so we will "
            "re-download the data."
        )
        download = True
    if download:
        print_msg(f"Downloading data from {origin}")
        _download(origin, target, file_hash, hash_algorithm)
    if extract_to is None:
        return target
    if not _extract(target, extract_to, ["tar"] if untar else formats):
        warnings.warn("Could not extract archive.", stacklevel=2)
    return extract_to


def _archive_formats(archive_format: Any) -> list[str]:
    if archive_format is None:
        return []
    if archive_format == "auto":
        return list(ARCHIVE_FORMATS)
    formats = [archive_format] if isinstance(archive_format, str) else list(archive_format)
    for f in formats:
        if f not in ARCHIVE_FORMATS:
            raise ValueError(
                f"Argument `archive_format` must be 'auto', 'tar', 'zip', a list of those, or None. "
                f"{received('archive_format', archive_format)}"
            )
    return formats


def _file_name(fname: Any, origin: str) -> str:
    """The cached file's name: ``fname`` (which may not hold folders), else the last part of the URL's path."""
    name = os.fspath(fname) if fname is not None else ""
    if not isinstance(name, str):
        name = os.fsdecode(name)
    if not name:
        name = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not name:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. Please specify the `fname` argument."
            )
    elif os.sep in name or (os.altsep and os.altsep in name):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's parent directory, use "
            f"the `cache_dir` argument. Received: fname={name}"
        )
    if name in (".", ".."):
        raise ValueError(f"Argument `fname` must name a file. Received: fname={name!r}")
    return name


def _paths(folder: str, name: str, named: bool, extract: bool) -> tuple[str, str | None]:
    """The cached file's path and, when extracting, the extraction folder, as Keras names them: with a
    ``fname`` that has an extension, the archive keeps the name and the folder is its stem plus
    ``_extracted``; otherwise the folder takes the name and the archive the name plus ``_archive``."""
    if not extract:
        return os.path.join(folder, name), None
    if named and "." in name:
        stem = name[: name.find(".")]
        return os.path.join(folder, name), os.path.join(folder, f"{stem}_extracted")
    return os.path.join(folder, f"{name}_archive"), os.path.join(folder, name)


def _download(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    """Fetch ``origin`` into a temporary file beside ``target`` that replaces it once complete (and checked)."""
    import urllib.error  # (with http.client and ssl, a third of keras_lite's import time: loaded when used)
    import urllib.request

    part = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{secrets.token_hex(4)}.part")
    try:
        try:
            with urllib.request.urlopen(origin, timeout=TIMEOUT_S) as response, open(part, "wb") as out:  # noqa: S310
                total = response.headers.get("Content-Length") if hasattr(response, "headers") else None
                size = int(total) if total and total.isdigit() else None
                bar = Progbar(size)
                done = 0
                for chunk in iter(lambda: response.read(CHUNK), b""):
                    out.write(chunk)
                    done += len(chunk)
                    bar.update(done if size is None else min(done, size))
                if size is None:
                    bar.update(done, finalize=True)
                elif done < size:
                    raise OSError(
                        f"URL fetch failure on {origin}: the connection closed after {done} of {size} bytes"
                    )
        except urllib.error.HTTPError as e:
            raise OSError(f"URL fetch failure on {origin}: {e.code} -- {e.msg}") from e
        except urllib.error.URLError as e:
            raise OSError(f"URL fetch failure on {origin}: {getattr(e, 'errno', None)} -- {e.reason}") from e
        if file_hash is not None and not validate_file(part, file_hash, algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected. The {algorithm} file hash does not match the provided "
                f"value of {file_hash}."
            )
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.remove(part)


def _inside(base: str, path: str) -> bool:
    """Whether ``path`` (relative to ``base``) resolves to ``base`` or somewhere below it."""
    resolved = os.path.realpath(os.path.join(base, path))
    return os.path.commonpath([resolved, base]) == base


def _walk(path: str, links: set[str]) -> str | None:
    """Where ``path`` (relative to the folder, as a tar names it) lands, read component by component as the
    file system would; None when it goes up out of the folder or on past one of the archive's own symlinks
    ``links`` (by where they are made: ``a/..`` is not ``.`` when ``a`` is a link)."""
    stack: list[str] = []
    for part in path.replace(os.sep, "/").split("/"):
        if part in ("", "."):
            continue
        if "/".join(stack) in links:
            return None
        if part == "..":
            if not stack:
                return None
            stack.pop()
        else:
            stack.append(part)
    return "/".join(stack)


def _through_link(path: str, links: set[str]) -> bool:
    return _walk(path, links) is None


def _safe_tar_members(archive: tarfile.TarFile, base: str) -> list[tarfile.TarInfo]:
    """The members that land inside ``base``. Besides the checks of where each resolves now, no member may be
    made, nor a link point, through a symlink the archive makes: ``realpath`` stops resolving paths longer than
    the system allows, which a chain of long names and links uses to hide a link out of the folder from it (and
    from tarfile's own "data" filter before Python 3.11.13)."""
    links = {_walk(m.name, set()) or "" for m in archive.getmembers() if m.issym()} - {""}
    keep = []
    for member in archive.getmembers():
        ok = _inside(base, member.name) and not (member.isdev() or member.isfifo())
        ok = ok and not _through_link(member.name, links)
        if member.islnk():
            ok = ok and _inside(base, member.linkname) and not _through_link(member.linkname, links)
        elif member.issym():
            target = os.path.join(os.path.dirname(member.name), member.linkname)
            ok = ok and _inside(base, target) and not _through_link(target, links)
        if ok:
            keep.append(member)
        else:
            warnings.warn(f"Skipping invalid path during archive extraction: '{member.name}'.", stacklevel=3)
    return keep


def _extract(path: str, folder: str, formats: list[str]) -> bool:
    """Extract the archive at ``path`` into ``folder`` if it is one of ``formats``; whether it was. A damaged
    archive is a ``ValueError`` naming it, and a folder this call created is removed again."""

    base = os.path.realpath(folder)
    existed = os.path.exists(base)
    try:
        return _extract_into(path, base, formats)
    except BaseException as e:
        if not existed and os.path.isdir(base):
            shutil.rmtree(base, ignore_errors=True)
        # A damaged archive can make the tar, gzip, bz2, lzma and zip readers raise nearly anything (an
        # OSError for a seek to a damaged offset, too); the file system's own errors (a full disk, a folder
        # that cannot be written) stay what they are.
        damaged = isinstance(e, Exception) and not isinstance(e, MemoryError)
        if isinstance(e, OSError) and e.errno in _FILE_SYSTEM_ERRNOS:
            damaged = False
        if damaged:
            raise ValueError(f"Could not extract the archive {path!r}: {type(e).__name__}: {e}") from e
        raise


def _extract_into(path: str, base: str, formats: list[str]) -> bool:
    import tarfile

    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                members = _safe_tar_members(archive, base)
                os.makedirs(base, exist_ok=True)
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4+, 3.10.12+, 3.9.17+
                    archive.extractall(base, members=members, filter="data")
                else:  # pragma: no cover - older patch releases; the members are checked above
                    archive.extractall(base, members=members)  # noqa: S202
            return True
        if kind == "zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                entries = []
                for info in archive.infolist():
                    if _inside(base, info.filename):
                        entries.append(info)
                    else:
                        warnings.warn(
                            f"Skipping invalid path during archive extraction: '{info.filename}'.",
                            stacklevel=3,
                        )
                archive.extractall(base, members=entries)
            return True
    return False
