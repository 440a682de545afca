"""The bounded byte-level layer of keras_lite's HDF5 reader (``_h5read``): superblock, object headers, names.

Every read is checked against the file's length, every structure met twice is refused, and every step (a
message, an index entry, 8 bytes of a name read) is charged to a budget of a quarter of the file's size in
bytes (plus 65,536), which a valid file never comes near (its smallest structure takes 8 bytes): no input makes
it loop or work without bound. See ``_h5read`` for why keras_lite reads HDF5 itself and which subset it reads.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from ._errors import FormatError, NotHDF5Error

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# Object header messages that say nothing about where or what a group's links or a dataset's values are.
IGNORED = {0, 4, 5, 10, 12, 13, 14, 18, 19, 21, 22}  # nil, fill values, group info, attributes, times, ...
REFUSED = {
    7: "external storage (the dataset's data is kept in another file)",
    11: "a filter pipeline (compressed or transformed data)",
    15: "shared object header messages",
    20: "a file driver other than the default one (data kept in other files)",
}


class Link(NamedTuple):
    """A group member: ``kind`` is ``"hard"`` (then ``address`` is its object header), ``"soft"``,
    ``"external"`` or ``"user-defined"``."""

    kind: str
    address: int


class Message(NamedTuple):
    """An object header message: its type, flags, and where its body is."""

    type: int
    flags: int
    pos: int
    size: int


def bad(detail: str) -> FormatError:
    return FormatError(f"it is not a valid HDF5 file ({detail})")


def unsupported(what: str, where: str) -> FormatError:
    return FormatError(
        f"{where} uses {what}, which keras_lite does not read (it reads what Keras writes: numbers stored "
        "uncompressed in the file itself)"
    )


class Bytes:
    """An HDF5 file held in memory: its superblock read, ``root_address`` its root group's object header.

    Args:
        data: The whole file.

    Raises:
        FormatError: not an HDF5 file, or a superblock outside the subset.
    """

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self._end = len(self.data)
        # Every step of parsing is charged to this budget: a hostile file cannot make the reader work more than
        # in proportion to its own size, whatever its pointers say.
        self._budget = len(self.data) // 4 + (1 << 16)
        self._headers: dict[int, list[Message]] = {}
        self._links: dict[int, dict[str, Link]] = {}  # each group's members, read once
        if self.data[:8] != _SIGNATURE:
            # (Keras's h5py raises an OSError here: "file signature not found")
            raise NotHDF5Error(
                "it is not a valid HDF5 file (no HDF5 signature at its start; truncated or corrupted, or a user block)"
            )
        version = self._int(8, 1)
        if version in (0, 1):
            self.O, self.L = self._int(13, 1), self._int(14, 1)
            self._sizes_ok()
            pos = 24 + (4 if version == 1 else 0)
            base, _free, eof, driver = (self._int(pos + i * self.O, self.O) for i in range(4))
            if not self._undefined(driver):
                raise unsupported(REFUSED[20], "the file")
            root = self._int(pos + 4 * self.O + self.O, self.O)  # the root entry's object header address
        elif version in (2, 3):
            self.O, self.L = self._int(9, 1), self._int(10, 1)
            self._sizes_ok()
            base, ext, eof, root = (self._int(12 + i * self.O, self.O) for i in range(4))
            if not self._undefined(ext):
                raise unsupported("a superblock extension (non-default file settings)", "the file")
        else:
            raise bad(f"superblock version {version}")
        if base != 0:
            raise unsupported("a base address other than 0 (a user block)", "the file")
        if eof > len(self.data):
            raise bad(f"it declares {eof} bytes but has {len(self.data)}: truncated")
        self._end = eof
        self.root_address = root

    # ---- bounded primitives ---------------------------------------------------------------------------
    def _sizes_ok(self) -> None:
        if self.O not in (2, 4, 8) or self.L not in (2, 4, 8):
            raise bad(f"offset and length sizes {self.O} and {self.L}")

    def _charge(self, steps: int) -> None:
        self._budget -= steps
        if self._budget < 0:
            raise bad("its structures are circular or far larger than its contents")

    def _check(self, pos: int, size: int, what: str) -> None:
        if pos < 0 or size < 0 or pos + size > self._end:
            raise bad(f"{what} at byte {pos} ({size} bytes) lies outside the file's {self._end} bytes")

    def _int(self, pos: int, size: int) -> int:
        self._check(pos, size, "a field")
        return int.from_bytes(self.data[pos : pos + size], "little")

    def _undefined(self, value: int) -> bool:
        return value == (1 << (8 * self.O)) - 1

    def _addr(self, pos: int) -> int:
        return self._int(pos, self.O)

    def _signature(self, pos: int, sig: bytes, what: str) -> None:
        self._check(pos, 4, what)
        if self.data[pos : pos + 4] != sig:
            raise bad(f"no {what} at byte {pos}")

    # ---- object headers -------------------------------------------------------------------------------
    def messages(self, addr: int, where: str) -> list[Message]:
        """The messages of the object header at ``addr`` (continuation blocks followed once each)."""
        if addr in self._headers:
            return self._headers[addr]
        self._check(addr, 16, f"the object header of {where or '/'}")
        v2 = self.data[addr : addr + 4] == b"OHDR"
        if v2:
            if self._int(addr + 4, 1) != 2:
                raise bad(f"object header version {self._int(addr + 4, 1)} at byte {addr}")
            flags = self._int(addr + 5, 1)
            pos = addr + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
            width = 1 << (flags & 3)
            chunks = [(pos + width, self._int(pos, width))]
            head = 6 if flags & 0x04 else 4  # type, size, flags (and creation order)
        else:
            if self._int(addr, 1) != 1:
                raise bad(f"no object header at byte {addr} (for {where or '/'})")
            chunks = [(addr + 16, self._int(addr + 8, 4))]
            head = 8
        seen = {chunks[0][0]}
        out: list[Message] = []
        for i, (start, size) in enumerate(chunks):  # grows as continuation messages are found
            end = start + size
            if v2 and i > 0:
                self._signature(start, b"OCHK", "object header continuation")
                start, end = start + 4, end - 4
            self._check(start, end - start, "an object header block")
            self._charge(1)
            pos = start
            layout = "<BHB" if v2 else "<HHB"  # type, size, flags
            while pos + head <= end:  # inside the block just checked
                self._charge(1)
                mtype, msize, mflags = struct.unpack_from(layout, self.data, pos)
                body = pos + head
                if body + msize > end:
                    raise bad(f"an object header message at byte {pos} runs past its block")
                if mtype == 0x10:  # continuation: another block of messages
                    cont, length = self._addr(body), self._int(body + self.O, self.L)
                    if cont in seen:
                        raise bad(f"the object header at byte {addr} continues into itself")
                    seen.add(cont)
                    chunks.append((cont, length))
                elif mtype != 0:
                    out.append(Message(mtype, mflags, body, msize))
                pos = body + msize
        self._headers[addr] = out
        return out

    def name(self, heap_data: int, heap_size: int, offset: int) -> str:
        """The NUL-terminated name at ``offset`` in a local heap's data segment."""
        if not 0 <= offset < heap_size:
            raise bad(f"a link name at heap offset {offset} outside its heap of {heap_size} bytes")
        start, stop = heap_data + offset, heap_data + heap_size
        end = self.data.find(b"\0", start, stop)
        self._charge(1 + ((stop if end < 0 else end) - start) // 8)  # (a name kept per group that lists it)
        if end < 0:
            raise bad("a link name without its terminating NUL")
        try:
            return self.data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            raise bad(f"a link name that is not UTF-8: {self.data[start:end]!r}") from None
