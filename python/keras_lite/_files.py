"""Model files on disk: atomic writes that keep what ``open(path, "wb")`` would keep, and bounded reads.

A write goes to a temporary file in the target's folder that replaces the target only once complete (through
a symlink to its target, keeping its mode, owner and hard links). A read takes a path or a file object, refuses
a zip member that declares more than the model can need before inflating it, and turns any failure to parse
into a ``FormatError`` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
import zipfile
from collections.abc import Iterator
from typing import Any, Callable

from ._errors import ArgumentTypeError, DirectoryPathError, FormatError, MissingFileError


def resolve(filepath: str) -> str:
    """The file a write to ``filepath`` lands in: a symlink's target (followed to the end, created if missing),
    so that saving through a link replaces its target, as ``open(filepath, "wb")`` would, and keeps the link."""
    path = os.path.abspath(filepath)
    for _ in range(40):  # the kernel's own limit on links followed (ELOOP)
        if not os.path.islink(path):
            return path
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    raise OSError(errno.ELOOP, "Too many levels of symbolic links", filepath)


def atomic_write(filepath: str, write: Callable[[Any], None]) -> None:
    """Write ``filepath`` through ``write(fileobj)`` via a temporary file beside it, then rename.

    What ``open(filepath, "wb")`` would keep is kept: a symlink stays a symlink (its target is written), an
    existing file keeps its permission bits, owner and group (where allowed); a new file gets ``open()``'s
    default, 0o666 less the umask. Where a rename would replace something else than the file's contents (a
    file with other hard links, a device, a pipe) or the folder takes no new file, the complete bytes are
    written into the existing file instead, as ``open()`` would: not atomic, but never half-serialized.
    """
    target = resolve(filepath)
    folder = os.path.dirname(target)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", filepath)
    if existing is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", filepath)  # what open(filepath, "wb") says
    if existing is not None and (not stat.S_ISREG(existing.st_mode) or existing.st_nlink > 1):
        _write_in_place(target, write)
        return
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    # Private until complete when it replaces a file (which may be private): its mode is copied at the end.
    mode = 0o600 if existing is not None else 0o666
    try:
        f = open(tmp, "xb", opener=lambda path, flags: os.open(path, flags, mode))
    except PermissionError:
        if existing is None:
            raise
        _write_in_place(target, write)  # a writable file in a folder we may not add to
        return
    try:
        with f:
            write(f)
            f.flush()
            if existing is not None:
                _keep_owner_and_mode(tmp, existing)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (POSIX); harmless to skip elsewhere
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _keep_owner_and_mode(path: str, existing: os.stat_result) -> None:
    if hasattr(os, "chown"):  # POSIX: the owner only as root, the group as root or as one of its members
        with contextlib.suppress(OSError):
            os.chown(path, existing.st_uid, existing.st_gid)
        with contextlib.suppress(OSError):
            os.chown(path, -1, existing.st_gid)
    os.chmod(path, stat.S_IMODE(existing.st_mode))  # after chown, which may clear the set-id bits


def _write_in_place(target: str, write: Callable[[Any], None]) -> None:
    """Serialize completely in memory first, then write the bytes into ``target``."""
    buf = io.BytesIO()
    write(buf)
    with open(target, "wb") as f:
        f.write(buf.getbuffer())
        f.flush()
        with contextlib.suppress(OSError):  # not every file (a pipe, a device) can be synced
            os.fsync(f.fileno())


def check_target(path: str, overwrite: bool) -> None:
    folder = os.path.dirname(resolve(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save {path!r}: the directory {folder!r} does not exist")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Cannot save {path!r}: the file exists and overwrite=False")


def path_arg(filepath: Any, what: str) -> str:
    try:
        return os.fspath(filepath)  # type: ignore[no-any-return]
    except TypeError:  # Keras's os.stat of it is a TypeError
        raise ArgumentTypeError(
            f"{what} must be a path or a file object. Received: filepath={filepath!r}"
        ) from None


@contextlib.contextmanager
def opened(filepath: Any, stream_limit: int | None = None) -> Iterator[tuple[Any, str]]:
    """A seekable binary file for ``filepath`` (a path, or a readable file object read from where it stands)
    and how to name it in errors (a missing path is a FileNotFoundError)."""
    if hasattr(filepath, "read"):
        # Its own size when it has one (a file, an in-memory buffer); a stream (a pipe, a socket, /dev/zero)
        # is read to 1 GiB at most, as a path to one is: an endless one no longer takes all memory.
        limit = 1 << 62 if _left(filepath) is not None else min(stream_limit or _STREAM_MOST, _STREAM_MOST)
        try:
            data = read_at_most(filepath, limit, "a model file read from a stream")
        except FormatError as e:
            raise type(e)(f"Cannot load {filepath!r}: {e}") from None
        yield io.BytesIO(data), repr(filepath)
        return
    path = path_arg(filepath, "filepath")
    if os.path.isdir(path):
        raise DirectoryPathError(f"{path!r} is a directory; keras_lite reads zipped `.keras` files")
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except FileNotFoundError as err:
        raise MissingFileError(err.errno, "File not found", path) from None
    with f:
        yield f, repr(path)


def is_zip(f: Any) -> bool:
    magic = f.read(4)
    f.seek(0)
    return bool(magic == b"PK\x03\x04")


def is_hdf5(f: Any) -> bool:
    magic = f.read(8)
    f.seek(0)
    return bool(magic == b"\x89HDF\r\n\x1a\n")


def _left(f: Any) -> int | None:
    """The bytes a regular file (or an in-memory one) holds from where it stands; None when unknown."""
    try:
        if isinstance(f, io.BytesIO):
            return max(f.getbuffer().nbytes - f.tell(), 0)
        info = os.fstat(f.fileno())
        return max(info.st_size - f.tell(), 0) if stat.S_ISREG(info.st_mode) else None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def read_at_most(f: Any, limit: int, what: str) -> bytes:
    """All of ``f`` from where it stands, refused once it holds more than ``limit`` bytes (bounded even where
    the size cannot be known first: a device, a pipe); ``what`` names what cannot need more. Memory follows
    what the file holds, not ``limit`` (``read(limit + 1)`` would set aside the whole limit at once: 130 MB
    for a legacy file of a few kilobytes)."""
    step = _left(f)  # a file's own size is read in one piece; more (it grew), or a pipe's, a chunk at a time
    chunks, got = [], 0
    while got <= limit:
        chunk = f.read(min(_INFLATE_CHUNK if step is None else step + 1, limit + 1 - got))
        step = None
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    if got > limit:
        raise FormatError(f"the file holds more than {limit} bytes, more than {what} can need")
    return b"".join(chunks)


# The most bytes of zip directory read: Keras's archives list three members (about 200 bytes). zipfile makes an
# object of about 500 bytes for each entry of 46, so a directory of a million empty entries (a 57 MB file) took a
# gigabyte and a minute to list before a member was looked at.
MAX_ZIP_DIRECTORY = 1 << 20


def open_zip(f: Any) -> zipfile.ZipFile:
    """``zipfile.ZipFile(f)``, once the size of directory its end records declare is at most ``MAX_ZIP_DIRECTORY``:
    the 32-bit record's, or a zip64 record's where one is found (as zipfile does; Python versions look for it just
    before its locator or where the locator says, so both places count)."""
    f.seek(0, io.SEEK_END)
    size = f.tell()
    base = max(size - (1 << 16) - 22, 0)  # the end record, after a comment of up to 64 KB
    f.seek(base)
    tail = f.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return zipfile.ZipFile(f)  # (which refuses it)
    declared = plain = int.from_bytes(tail[end + 12 : end + 16], "little")
    locator = base + end - 20
    if locator >= 0:
        f.seek(locator)
        record = f.read(20)
        if record[:4] == b"PK\x06\x07":
            found = []
            for at in (locator - 56, int.from_bytes(record[8:16], "little")):
                head = b""
                if 0 <= at < size:
                    f.seek(at)
                    head = f.read(56)
                valid = head[:4] == b"PK\x06\x06" and len(head) == 56
                found.append(int.from_bytes(head[40:48], "little") if valid else plain)
            declared = max(found)
    if declared > MAX_ZIP_DIRECTORY:
        raise FormatError(
            f"the zip archive's directory declares {declared} bytes of entries; a `.keras` file's lists a few "
            f"members (at most {MAX_ZIP_DIRECTORY} bytes are read)"
        )
    f.seek(0)
    return zipfile.ZipFile(f)


def member_info(zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        return zf.getinfo(name)
    except KeyError:
        raise FormatError(f"the archive has no {name} (it is not a Keras 3 `.keras` file)") from None


# The most thresholds a file's metric may ask for (Keras's default is 200), and all of its metrics together: each
# costs memory (about 25 bytes) and time in every batch, so a short config cannot make a load allocate gigabytes
# (``AUC(num_thresholds=10**8)``, or 300 AUCs of 65,536 thresholds each: 500 MB from a config of 43 KB).
MAX_FILE_THRESHOLDS = 1 << 16
MAX_FILE_THRESHOLDS_TOTAL = 1 << 20


def check_thresholds(metric: Any) -> int:
    """Refuse a serialized metric whose ``num_thresholds`` or ``thresholds`` ask for more than a file may; the
    number it asks for (0 where it names none)."""
    config = metric.get("config") if isinstance(metric, dict) else None
    if not isinstance(config, dict):
        return 0
    count, listed = config.get("num_thresholds"), config.get("thresholds")
    asked = [
        ("num_thresholds", count if isinstance(count, (int, float)) and not isinstance(count, bool) else 0),
        ("thresholds", len(listed) if isinstance(listed, list) else 0),
    ]
    for arg, n in asked:
        if n > MAX_FILE_THRESHOLDS:
            raise FormatError(
                f"metric {metric.get('class_name')!r} asks for {n} thresholds ({arg}); a file's metric may have "
                f"at most {MAX_FILE_THRESHOLDS}"
            )
    return int(max(n for _, n in asked))


def threshold_budget(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``read`` for each metric of one compile config, refusing a metric once the thresholds asked for so far
    pass ``MAX_FILE_THRESHOLDS_TOTAL`` (before it is made)."""
    spent = 0

    def checked(metric: Any) -> Any:
        nonlocal spent
        spent += check_thresholds(metric)
        if spent > MAX_FILE_THRESHOLDS_TOTAL:
            raise FormatError(
                f"the metrics ask for {spent} thresholds together by metric {metric.get('class_name')!r}; a "
                f"file's may ask for at most {MAX_FILE_THRESHOLDS_TOTAL}"
            )
        return read(metric)

    return checked


# Deflate's densest output: 258 bytes from each pair of bits, about 1032:1 (zlib's own figure).
_DEFLATE_MOST = 1032


def member_size(zf: zipfile.ZipFile, name: str) -> int:
    """The size member ``name`` declares, once it is one its bytes in the archive can hold: stored, its declared
    and stored sizes agree; deflated, it inflates no more than deflate can; and those bytes lie inside the
    archive. The central directory is the file's word only: a size it inflates (to make the weights seem to
    hold a model of billions of parameters) is refused before it bounds anything."""
    info = member_info(zf, name)
    fp: Any = zf.fp
    archive = fp.seek(0, io.SEEK_END) if fp is not None else 0
    room = {zipfile.ZIP_STORED: info.compress_size, zipfile.ZIP_DEFLATED: _DEFLATE_MOST * info.compress_size}
    if info.compress_size > archive - info.header_offset or info.file_size > room.get(info.compress_type, -1):
        raise FormatError(
            f"{name} declares {info.file_size} bytes stored in {info.compress_size} (zip method "
            f"{info.compress_type}) of a {archive}-byte archive, which cannot hold them"
        )
    return int(info.file_size)


# The most bytes read from a file object whose size cannot be known first (as from a path to a pipe or device).
_STREAM_MOST = 1 << 30

# How much of a member is inflated at a time: never more than this beyond the size the member declares.
_INFLATE_CHUNK = 1 << 20


def zip_member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """A member's bytes, refused before inflating if it declares more than ``limit`` or inflates 1000:1, or is
    compressed otherwise than stored or deflated (Keras stores them; bzip2 and LZMA inflate a whole member at
    once); then inflated a chunk at a time up to the size it declares, so a member that would inflate beyond
    it costs no more memory than that size (its CRC then fails)."""
    info = member_info(zf, name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FormatError(
            f"{name} is compressed with zip method {info.compress_type}; a `.keras` file's members are stored "
            "or deflated"
        )
    if limit is not None and info.file_size > limit:
        raise FormatError(
            f"{name} declares {info.file_size} bytes, more than the model it describes can need ({limit})"
        )
    if info.file_size > (1 << 28) and info.file_size > 1000 * max(info.compress_size, 1):
        raise FormatError(
            f"{name} declares {info.file_size} bytes stored in {info.compress_size}: refusing it"
        )
    chunks, got = [], 0
    with zf.open(info) as member:  # checks the CRC at its end: a corrupted member is a BadZipFile
        while got < info.file_size:
            chunk = member.read(min(_INFLATE_CHUNK, info.file_size - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    if got != info.file_size:
        raise FormatError(f"{name} holds {got} bytes where it declares {info.file_size}")
    return b"".join(chunks)


@contextlib.contextmanager
def reading(where: str) -> Iterator[None]:
    """Any failure while parsing a file becomes a FormatError (a ValueError) naming the file and the problem."""
    try:
        yield
    except FormatError as e:
        raise type(e)(f"Cannot load {where}: {e}") from None
    except zipfile.BadZipFile as e:
        raise FormatError(f"Cannot load {where}: the zip archive is truncated or corrupted ({e})") from None
    except OSError as e:
        if e.errno != errno.EINVAL:  # a read error of the disk or the network stays an OSError
            raise
        # zipfile seeking to an offset the archive's directory gives, before the start of the file
        raise FormatError(f"Cannot load {where}: the zip archive is truncated or corrupted ({e})") from None
    except MemoryError:
        raise FormatError(
            f"Cannot load {where}: not enough memory for the model it describes (MemoryError)"
        ) from None
    except Exception as e:
        raise FormatError(f"Cannot load {where}: {type(e).__name__}: {e}") from e
