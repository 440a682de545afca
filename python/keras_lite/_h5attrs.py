"""Attributes of HDF5 groups, as the legacy Keras HDF5 format keeps its model description in them.

``attributes(group)`` reads the attribute messages of a group's object header (versions 1 to 3, stored in the
header itself, as h5py writes them): strings, fixed-length or variable-length (kept in a global heap
collection), scalars or one-dimensional arrays of them, and numeric arrays. Like ``_h5read`` it checks every
address and length against the file, charges its work to the file's budget and reads each heap collection once,
so a damaged or hostile file is a ``FormatError``, never a loop or an allocation larger than the file: the
values decoded from all of a file's attributes together may not exceed the file's own size, however many
attributes or groups share one heap object or header block.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np

from ._errors import FormatError
from ._h5file import Message, bad, unsupported
from ._h5read import File, Group, dataspace, datatype

_ATTRIBUTE = 12
# The attribute info message: attributes kept in a fractal heap ("dense" storage, for many or large ones).
_ATTRIBUTE_INFO = 21


def attributes(group: Group) -> dict[str, Any]:
    """Every attribute of ``group`` by name: ``str``, ``list[str]`` or a NumPy array (read once per file,
    however many times and paths ask for them)."""
    cache: dict[int, dict[str, Any]] = group._file.__dict__.setdefault("_attributes", {})
    if group._addr not in cache:
        cache[group._addr] = _read(group)
    return cache[group._addr]


def _read(group: Group) -> dict[str, Any]:
    f = group._file
    where = group.path or "the root group"
    out: dict[str, Any] = {}
    for m in f.messages(group._addr, group.path):
        if m.type == _ATTRIBUTE_INFO:
            _dense(f, m, where)
        elif m.type == _ATTRIBUTE:
            name, value = _attribute(f, m, where)
            if name in out:
                raise bad(f"{where} has two attributes named {name!r}")
            out[name] = value
    return out


def _dense(f: File, m: Message, where: str) -> None:
    flags = f._int(m.pos + 1, 1)
    heap = f._addr(m.pos + 2 + (2 if flags & 1 else 0))
    if not f._undefined(heap):
        raise unsupported("attributes in a fractal heap (dense attribute storage)", where)


def _padded(n: int, version: int) -> int:
    return (n + 7) // 8 * 8 if version == 1 else n


def _attribute(f: File, m: Message, where: str) -> tuple[str, Any]:
    end = m.pos + m.size
    version, flags = f._int(m.pos, 1), f._int(m.pos + 1, 1)
    if version not in (1, 2, 3):
        raise bad(f"attribute message version {version} in {where}")
    if flags & 0x03:
        raise unsupported("an attribute with a shared datatype or dataspace", where)
    name_size, type_size, space_size = (
        struct.unpack_from("<HHH", f.data, m.pos + 2) if m.size >= 8 else (0, 0, 0)
    )
    pos = m.pos + 8 + (1 if version == 3 else 0)  # version 3 adds the name's character set
    name_end = pos + _padded(name_size, version)
    type_pos, space_pos = name_end, name_end + _padded(type_size, version)
    data = space_pos + _padded(space_size, version)
    if name_size == 0 or data > end:
        raise bad(f"an attribute message of {where} that runs past itself")
    raw = f.data[pos : pos + name_size].rstrip(b"\0")
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad(f"an attribute name that is not UTF-8: {raw!r}") from None
    path = f"{where}'s attribute {name!r}"
    shape = dataspace(f, Message(1, 0, space_pos, space_size), path)
    kind = datatype(f, Message(3, 0, type_pos, type_size), path)
    count = math.prod(shape)
    item = kind.itemsize if isinstance(kind, np.dtype) else kind[1]
    if len(shape) > 1 or data + count * item > end:
        raise bad(f"{path} holds {shape} values of {item} bytes in a message of {m.size}")
    f._charge(1 + count)
    if isinstance(kind, np.dtype) or kind[0] == "fixed-length":
        _spend(f, count * item, path)
    if isinstance(kind, np.dtype):
        values = np.frombuffer(f.data, kind, count=count, offset=data).copy()
        return name, values.reshape(shape)
    strings = [_string(f, kind[0], data + i * item, item, path) for i in range(count)]
    return name, strings[0] if shape == () else strings


def _string(f: File, kind: str, pos: int, size: int, path: str) -> str:
    if kind == "fixed-length":
        raw = f.data[pos : pos + size].rstrip(b"\0 ")
    else:
        length = f._int(pos, 4)
        start, size = _heap_object(f, f._addr(pos + 4), f._int(pos + 4 + f.O, 4), path)
        if length > size:
            raise bad(f"{path} is a string of {length} bytes in a heap object of {size}")
        _spend(f, length, path)
        raw = f.data[start : start + length]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not UTF-8 text") from None


def _spend(f: File, size: int, path: str) -> None:
    """Count ``size`` bytes of attribute values against the file's size: strings that all point to one large
    heap object, or groups whose headers share one block of attributes, cannot decode to more than the file
    holds (a 450 KB file used to decode to 860 MB)."""
    left = f.__dict__.get("_attribute_bytes", len(f.data)) - size
    if left < 0:
        raise bad(
            f"{path} decodes, with the attributes before it, to more than the file's {len(f.data)} bytes"
        )
    f.__dict__["_attribute_bytes"] = left


def _heap_object(f: File, collection: int, index: int, path: str) -> tuple[int, int]:
    """Where object ``index`` of the global heap collection at ``collection`` starts, and its size."""
    cache: dict[int, dict[int, tuple[int, int]]] = f.__dict__.setdefault("_global_heaps", {})
    if collection not in cache:
        cache[collection] = _collection(f, collection)
    found = cache[collection].get(index)
    if found is None:
        raise bad(f"{path} points to object {index} of the global heap at byte {collection}, which has none")
    return found


def _collection(f: File, addr: int) -> dict[int, tuple[int, int]]:
    """A global heap collection's objects: index -> (start, size), inside the collection."""
    f._signature(addr, b"GCOL", "global heap collection")
    if f._int(addr + 4, 1) != 1:
        raise bad(f"global heap collection version {f._int(addr + 4, 1)} at byte {addr}")
    size = f._int(addr + 8, f.L)
    f._check(addr, size, "a global heap collection")
    end = addr + size
    pos = addr + 8 + f.L
    head = 8 + f.L  # index, reference count, reserved, size
    objects: dict[int, tuple[int, int]] = {}
    while pos + head <= end:
        f._charge(1)
        index, obj_size = f._int(pos, 2), f._int(pos + 8, f.L)
        if index == 0:  # the free space: the rest of the collection
            break
        start = pos + head
        if obj_size > end - start:
            raise bad(f"a global heap object at byte {pos} runs past its collection")
        if index in objects:
            raise bad(f"the global heap collection at byte {addr} has two objects {index}")
        objects[index] = (start, obj_size)
        pos = start + (obj_size + 7) // 8 * 8
    return objects
