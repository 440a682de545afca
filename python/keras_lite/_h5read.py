"""A bounded, read-only reader for the HDF5 subset that Keras 3 and h5py write, needing no libhdf5.

Why not h5py: libhdf5 trusts a file's internal pointers. One changed byte in a local heap's free list makes it
loop forever (holding the GIL, deaf to Ctrl-C), and a dataset may keep its bytes in another file (external
storage, virtual datasets, external links, the family/multi drivers). keras_lite reads untrusted files
in-process, so it reads them with this instead: it only ever looks at the bytes it is given, checks every
address against their length, refuses any structure it meets twice (a cycle), and charges every byte it scans
to a budget proportional to the file's size, so that any input ends in milliseconds with a result or a
``FormatError``.

The subset (what Keras 3 writes through h5py's defaults, and a little more):

- superblock versions 0 and 1 (2 and 3 without an extension block), at offset 0, base address 0;
- object headers version 1 and 2 (their checksums are not verified), with continuation blocks;
- groups stored as a symbol table (version 1 B-tree, symbol table nodes, local heap) or as link messages;
  hard links only;
- datasets: simple or scalar dataspaces, little- or big-endian integers and IEEE floats (16, 32, 64 bits),
  compact or contiguous layouts (layout message versions 3 and 4);
- a group's attributes, read by ``_h5attrs`` for the legacy Keras format (strings, also from a global heap).

Anything else (soft or external links, external storage, virtual or chunked datasets, filters, shared
messages, user blocks, other drivers, densely stored attributes) is a ``FormatError`` that names it.
"""

from __future__ import annotations

import math
import struct

import numpy as np

from ._errors import FormatError
from ._h5file import IGNORED, REFUSED, Bytes, Link, Message, bad, unsupported

_MAX_RANK = 32  # HDF5's own limit
_MAX_BTREE_LEVEL = 64
_FLOAT_LAYOUTS = {  # size: (precision, exponent location, exponent size, mantissa location, size, bias, sign)
    2: (16, 10, 5, 0, 10, 15, 15),
    4: (32, 23, 8, 0, 23, 127, 31),
    8: (64, 52, 11, 0, 52, 1023, 63),
}

_CLASSES = {  # HDF5's datatype classes, as named in errors
    0: "an integer",
    1: "a float",
    3: "a string",
    6: "a compound",
    7: "a reference",
    8: "an enum",
    9: "a variable-length",
}


class File(Bytes):
    """An HDF5 file held in memory. ``File(data).root`` is its root ``Group``.

    Args:
        data: The whole file.

    Raises:
        FormatError: not an HDF5 file, or a superblock outside the subset.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        # What each object header holds, parsed once however many links lead to it.
        self._kinds: dict[int, type[Group] | type[Dataset]] = {}
        self._datasets: dict[int, tuple[tuple[int, ...], np.dtype, int | None]] = {}
        self.root = Group(self, self.root_address, "")

    def object(self, addr: int, where: str) -> Group | Dataset:
        """The group or dataset whose object header is at ``addr``; ``where`` names it in errors."""
        self._charge(1)
        kind = self._kinds.get(addr)
        if kind is None:
            types = {m.type for m in self.messages(addr, where)}
            if 8 in types:
                kind = Dataset
            elif types & {2, 6, 17}:
                kind = Group
            else:
                raise unsupported("an object that is neither a group nor a dataset", where)
            self._kinds[addr] = kind
        return kind(self, addr, where)


class Group:
    """A group: its members by name (``links``) and ``get(name)`` for a member stored in the file."""

    def __init__(self, file: File, addr: int, path: str) -> None:
        self._file = file
        self._addr = addr
        self.path = path

    def links(self) -> dict[str, Link]:
        """Every member's name and link (read once per file, however many paths lead to the group)."""
        cache = self._file._links
        if self._addr not in cache:
            cache[self._addr] = self._read_links()
        return cache[self._addr]

    def get(self, name: str) -> Group | Dataset | None:
        """The member ``name`` (None if there is none); a link that is not a hard link is a FormatError."""
        link = self.links().get(name)
        if link is None:
            return None
        where = f"{self.path}/{name}".lstrip("/")
        if link.kind != "hard":
            article = "an" if link.kind[0] in "aeiou" else "a"
            raise unsupported(
                f"{article} {link.kind} link (to an object that may be outside the file)", where
            )
        return self._file.object(link.address, where)

    def _read_links(self) -> dict[str, Link]:
        f = self._file
        where = self.path or "the root group"
        msgs = f.messages(self._addr, self.path)
        out: dict[str, Link] = {}
        table = [m for m in msgs if m.type == 17]
        if table:
            if len(table) > 1 or any(m.type in (2, 6) for m in msgs):
                raise bad(f"{where} has two kinds of link storage")
            self._symbol_table(f._addr(table[0].pos), f._addr(table[0].pos + f.O), out)
        for m in msgs:
            if m.type == 2:
                self._link_info(m, where)
            elif m.type == 6:
                name, link = self._link_message(m)
                self._add(out, name, link)
            elif m.type not in (17, 1, 3, 8) and m.type not in IGNORED:
                raise unsupported(REFUSED.get(m.type, f"object header message type {m.type}"), where)
        return out

    def _add(self, out: dict[str, Link], name: str, link: Link) -> None:
        if name in out:
            raise bad(f"{self.path or 'the root group'} has two members named {name!r}")
        out[name] = link

    def _link_info(self, m: Message, where: str) -> None:
        f = self._file
        flags = f._int(m.pos + 1, 1)
        heap = f._addr(m.pos + 2 + (8 if flags & 1 else 0))
        if not f._undefined(heap):
            raise unsupported("dense link storage (a fractal heap)", where)

    def _link_message(self, m: Message) -> tuple[str, Link]:
        f = self._file
        end = m.pos + m.size
        if f._int(m.pos, 1) != 1:
            raise bad(f"link message version {f._int(m.pos, 1)}")
        flags = f._int(m.pos + 1, 1)
        pos = m.pos + 2
        kind = 0
        if flags & 0x08:
            kind, pos = f._int(pos, 1), pos + 1
        pos += (8 if flags & 0x04 else 0) + (1 if flags & 0x10 else 0)
        width = 1 << (flags & 3)
        length = f._int(pos, width)
        pos += width
        if pos + length > end or length == 0:
            raise bad("a link message whose name runs past it")
        # Charged by its length: groups whose headers share one block of long-named links would otherwise each
        # keep their own copy of every name (a 1 MB file used to take 2.8 GB).
        f._charge(1 + length // 8)
        try:
            name = f.data[pos : pos + length].decode("utf-8")
        except UnicodeDecodeError:
            raise bad(f"a link name that is not UTF-8: {f.data[pos : pos + length]!r}") from None
        pos += length
        if kind == 0:
            if pos + f.O > end:
                raise bad("a hard link message without its address")
            return name, Link("hard", f._addr(pos))
        return name, Link({1: "soft", 64: "external"}.get(kind, "user-defined"), -1)

    def _symbol_table(self, btree: int, heap: int, out: dict[str, Link]) -> None:
        f = self._file
        f._signature(heap, b"HEAP", "local heap")
        heap_size = f._int(heap + 8, f.L)
        heap_data = f._addr(heap + 8 + 2 * f.L)
        f._check(heap_data, heap_size, "a local heap's data")
        seen: set[int] = set()
        stack = [(btree, -1)]
        while stack:
            node, level = stack.pop()
            if node in seen:
                raise bad(f"the group index of {self.path or 'the root group'} is circular")
            seen.add(node)
            f._signature(node, b"TREE", "group B-tree node")
            node_level, used = f._int(node + 5, 1), f._int(node + 6, 2)
            if f._int(node + 4, 1) != 0 or node_level > _MAX_BTREE_LEVEL or level not in (-1, node_level):
                raise bad(f"a malformed group B-tree node at byte {node}")
            base = node + 8 + 2 * f.O
            step = f.L + f.O
            f._check(base, used * step + f.L, "a group B-tree node's entries")
            f._charge(1 + used)
            children = [f._addr(base + i * step + f.L) for i in range(used)]
            if node_level > 0:
                stack.extend((child, node_level - 1) for child in reversed(children))
                continue
            for snod in children:
                if snod in seen:
                    raise bad(f"the group index of {self.path or 'the root group'} is circular")
                seen.add(snod)
                self._symbol_node(snod, heap_data, heap_size, out)

    def _symbol_node(self, snod: int, heap_data: int, heap_size: int, out: dict[str, Link]) -> None:
        f = self._file
        f._signature(snod, b"SNOD", "symbol table node")
        count = f._int(snod + 6, 2)
        size = 2 * f.O + 24
        f._check(snod + 8, count * size, "a symbol table node's entries")
        f._charge(1 + count)
        layout = "<" + 2 * {2: "H", 4: "I", 8: "Q"}[f.O] + "I"  # name offset, object header, cache type
        for i in range(count):  # inside the entries just checked
            name_offset, header, cache = struct.unpack_from(layout, f.data, snod + 8 + i * size)
            link = Link("soft", -1) if cache == 2 else Link("hard", header)
            self._add(out, f.name(heap_data, heap_size, name_offset), link)


class Dataset:
    """A dataset's ``shape`` and ``dtype``, known without reading its values; ``read()`` reads them.

    Construction checks that its values are stored in the file (compact or contiguous), that their size is
    what the shape and type say and that they lie inside the file, so a dataset that only declares a huge
    shape (HDF5 would fill it from its fill value) is refused before anything is allocated.
    """

    def __init__(self, file: File, addr: int, path: str) -> None:
        self._file = file
        self.path = path
        if addr not in file._datasets:
            file._datasets[addr] = self._parse(addr)
        self.shape, self.dtype, self._start = file._datasets[addr]
        self.size = math.prod(self.shape)
        self.nbytes = self.size * self.dtype.itemsize

    def _parse(self, addr: int) -> tuple[tuple[int, ...], np.dtype, int | None]:
        shape = dtype = layout = None
        path = self.path
        for m in self._file.messages(addr, path):
            if m.type in (1, 3, 8) and m.flags & 0x02:
                raise unsupported("a shared (committed) datatype or dataspace", path)
            if m.type == 1:
                shape = self._dataspace(m)
            elif m.type == 3:
                dtype = self._datatype(m)
            elif m.type == 8:
                layout = self._layout(m)
            elif m.type in (2, 6, 17):
                raise bad(f"{path} is both a group and a dataset")
            elif m.type not in IGNORED:
                raise unsupported(REFUSED.get(m.type, f"object header message type {m.type}"), path)
        if shape is None or dtype is None or layout is None:
            raise bad(f"{path} lacks its dataspace, datatype or layout")
        nbytes = math.prod(shape) * dtype.itemsize
        start, stored = layout
        if stored != nbytes:
            raise bad(f"{path} stores {stored} bytes for {shape} values of {dtype}")
        if start is None and nbytes:
            raise FormatError(f"{path} has no stored values (HDF5 would make them up from its fill value)")
        if start is not None:
            self._file._check(start, stored, f"the values of {path}")
        return shape, dtype, start

    def read(self) -> np.ndarray:
        """The values, as a read-only array over the file's bytes (no copy)."""
        if self._start is None:
            return np.zeros(self.shape, self.dtype)
        flat = np.frombuffer(self._file.data, self.dtype, count=self.size, offset=self._start)
        return flat.reshape(self.shape)

    def _dataspace(self, m: Message) -> tuple[int, ...]:
        return dataspace(self._file, m, self.path)

    def _datatype(self, m: Message) -> np.dtype:
        kind = datatype(self._file, m, self.path)
        if not isinstance(kind, np.dtype):
            raise unsupported(f"a {kind[0]} string datatype", self.path)
        return kind

    def _layout(self, m: Message) -> tuple[int | None, int]:
        f = self._file
        version, kind = f._int(m.pos, 1), f._int(m.pos + 1, 1)
        if version not in (3, 4):
            raise unsupported(f"layout message version {version}", self.path)
        if kind == 0:  # compact: the values are in the message
            size = f._int(m.pos + 2, 2)
            if 4 + size > m.size:
                raise bad(f"{self.path}'s compact values run past their message")
            return m.pos + 4, size
        if kind == 1:
            if 2 + f.O + f.L > m.size:
                raise bad(f"{self.path} has a truncated layout")
            start = f._addr(m.pos + 2)
            return (None if f._undefined(start) else start), f._int(m.pos + 2 + f.O, f.L)
        what = {
            2: "chunked storage (compression or resizable datasets)",
            3: "a virtual dataset (values from other datasets or files)",
        }
        raise unsupported(what.get(kind, f"layout class {kind}"), self.path)


def dataspace(f: File, m: Message, path: str) -> tuple[int, ...]:
    """The dimensions a dataspace message at ``m`` declares (``()`` for a scalar)."""
    version, rank = f._int(m.pos, 1), f._int(m.pos + 1, 1)
    if version == 1:
        dims = m.pos + 8
    elif version == 2:
        kind = f._int(m.pos + 3, 1)
        if kind == 2:
            raise FormatError(f"{path} has a null dataspace: it holds no values")
        if kind not in (0, 1) or (kind == 0) != (rank == 0):
            raise bad(f"{path} has dataspace type {kind}")
        dims = m.pos + 4
    else:
        raise bad(f"{path} has dataspace version {version}")
    if rank > _MAX_RANK or dims + rank * f.L > m.pos + m.size:
        raise bad(f"{path} has a malformed dataspace")
    return tuple(f._int(dims + i * f.L, f.L) for i in range(rank))


def datatype(f: File, m: Message, path: str) -> np.dtype | tuple[str, int]:
    """The NumPy type of a numeric datatype message at ``m``, or ``("fixed-length", size)`` or
    ``("variable-length", size)`` for a string type (which only attributes use here)."""
    head = f._int(m.pos, 1)
    kind, bits, size = head & 15, f._int(m.pos + 1, 3), f._int(m.pos + 4, 4)
    if kind == 3 and m.size >= 8:  # a string of `size` bytes, NUL- or space-padded
        return ("fixed-length", size)
    if kind == 9 and bits & 0x0F == 1 and m.size >= 8:  # a string kept in a global heap
        if size != 8 + f.O:  # its length, then the heap object's collection and index
            raise bad(f"{path} has a variable-length string type of {size} bytes")
        return ("variable-length", size)
    if kind not in (0, 1):  # (an object reference's message has no properties: it is not truncated)
        raise unsupported(f"{_CLASSES.get(kind, f'a class {kind}')} datatype of {size} bytes", path)
    if m.size < (20 if kind == 1 else 12):
        raise bad(f"{path} has a truncated datatype")
    order = ">" if bits & 1 else "<"
    offset, precision = f._int(m.pos + 8, 2), f._int(m.pos + 10, 2)
    if kind == 0 and size in (1, 2, 4, 8) and offset == 0 and precision == 8 * size:
        return np.dtype(f"{order}{'i' if bits & 0x08 else 'u'}{size}")
    if kind == 1 and not bits & 0x40 and (bits >> 4) & 3 == 2 and offset == 0:
        layout = (precision, *struct.unpack_from("<BBBBI", f.data, m.pos + 12), (bits >> 8) & 0xFF)
        if _FLOAT_LAYOUTS.get(size) == layout:
            return np.dtype(f"{order}f{size}")
    raise unsupported(f"{_CLASSES.get(kind, f'a class {kind}')} datatype of {size} bytes", path)
