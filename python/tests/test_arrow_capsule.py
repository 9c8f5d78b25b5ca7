"""The Arrow PyCapsule interface, checked by an independent consumer and producer written
here with ctypes from the C data interface spec (pyarrow is not installed): field by field,
buffer by buffer, with the release callbacks called as a consumer must."""

from __future__ import annotations

import ctypes
import struct

import numpy as np
import pytest

import reel as rr
from conftest import Logged


class ArrowSchema(ctypes.Structure):
    pass


class ArrowArray(ctypes.Structure):
    pass


class ArrowArrayStream(ctypes.Structure):
    pass


SchemaRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
ArrayRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))
ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_void_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))), ("dictionary", ctypes.POINTER(ArrowSchema)),
    ("release", SchemaRelease), ("private_data", ctypes.c_void_p),
]
ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))), ("dictionary", ctypes.POINTER(ArrowArray)),
    ("release", ArrayRelease), ("private_data", ctypes.c_void_p),
]
GetSchema = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowSchema))
GetNext = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArray))
GetLastError = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.POINTER(ArrowArrayStream))
StreamRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))
ArrowArrayStream._fields_ = [
    ("get_schema", GetSchema), ("get_next", GetNext), ("get_last_error", GetLastError),
    ("release", StreamRelease), ("private_data", ctypes.c_void_p),
]

_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


def take(capsule, name, struct_type):
    """Moves the struct out of the capsule, as the PyCapsule interface says a consumer does:
    copy it, then mark the capsule's copy released so its destructor leaves it alone."""
    pointer = _get_pointer(capsule, name)
    source = ctypes.cast(pointer, ctypes.POINTER(struct_type)).contents
    assert source.release, "a fresh capsule holds an unreleased struct"
    mine = struct_type()
    ctypes.memmove(ctypes.byref(mine), pointer, ctypes.sizeof(struct_type))
    source.release = type(source.release)()  # NULL
    return mine


def metadata(schema):
    if not schema.metadata:
        return {}
    raw = ctypes.string_at(schema.metadata, 4)
    (n,) = struct.unpack("i", raw)
    out, pos = {}, schema.metadata + 4
    for _ in range(n):
        (kl,) = struct.unpack("i", ctypes.string_at(pos, 4))
        key = ctypes.string_at(pos + 4, kl).decode()
        pos += 4 + kl
        (vl,) = struct.unpack("i", ctypes.string_at(pos, 4))
        out[key] = ctypes.string_at(pos + 4, vl).decode()
        pos += 4 + vl
    return out


def values(pointer, dtype, start, count):
    """`count` values of `dtype` at element `start` of a buffer, as numpy (a copy)."""
    itemsize = np.dtype(dtype).itemsize
    return np.frombuffer(ctypes.string_at(int(pointer) + int(start) * itemsize, int(count) * itemsize), dtype=dtype)


@pytest.fixture
def table():
    logged = Logged()
    steps = np.arange(10)
    logged.rec.send_columns("/plots/sin", [rr.TimeColumn("step", sequence=steps)],
                            rr.Scalars.columns(scalars=np.sin(steps / 10)))
    logged.rec.set_time("step", sequence=4)
    logged.rec.log("/text", rr.TextLog("hello"))
    return logged.read().view(index="step").select().read_all()


def test_table_stream_per_spec(table):
    stream = take(table.__arrow_c_stream__(), b"arrow_array_stream", ArrowArrayStream)
    schema = ArrowSchema()
    assert stream.get_schema(ctypes.byref(stream), ctypes.byref(schema)) == 0
    assert schema.format == b"+s" and schema.n_children == 3 and schema.flags == 0
    fields = [schema.children[i].contents for i in range(3)]
    assert [f.name for f in fields] == [b"step", b"/plots/sin:Scalars:scalars", b"/text:TextLog:text"]
    assert [f.format for f in fields] == [b"l", b"+l", b"+l"]
    assert fields[0].flags == 0 and fields[1].flags == 2  # ARROW_FLAG_NULLABLE
    assert metadata(fields[0]) == {"reel.kind": "index"}
    assert metadata(fields[1])["reel.entity_path"] == "/plots/sin"
    assert metadata(fields[1])["reel.component_type"] == "reel.components.Scalar"
    assert fields[1].children[0].contents.format == b"g"
    assert fields[2].children[0].contents.format == b"u"
    schema.release(ctypes.byref(schema))
    assert not schema.release

    batch = ArrowArray()
    assert stream.get_next(ctypes.byref(stream), ctypes.byref(batch)) == 0
    assert batch.release and batch.length == 10 and batch.null_count == 0 and batch.n_buffers == 1
    assert batch.n_children == 3
    index = batch.children[0].contents
    assert index.n_buffers == 2 and not index.buffers[0]  # no nulls: no validity bitmap
    assert values(index.buffers[1], np.int64, index.offset, 10).tolist() == list(range(10))

    sin = batch.children[1].contents
    assert sin.n_buffers == 2 and sin.null_count == 0
    offsets = values(sin.buffers[1], np.int32, sin.offset, 11)
    assert (np.diff(offsets) == 1).all()
    child = sin.children[0].contents
    got = values(child.buffers[1], np.float64, child.offset + offsets[0], 10)
    np.testing.assert_array_equal(got, np.sin(np.arange(10) / 10))
    # Zero-copy: the Arrow values are the very memory Column.to_numpy() views.
    view = table["/plots/sin:Scalars:scalars"].to_numpy()
    assert child.buffers[1] + (child.offset + int(offsets[0])) * 8 == view.ctypes.data

    text = batch.children[2].contents
    assert text.null_count == 9 and text.buffers[0]  # a validity bitmap: bit 4 set only
    bits = ctypes.string_at(text.buffers[0], 2)
    assert [(bits[(text.offset + i) // 8] >> ((text.offset + i) % 8)) & 1 for i in range(10)] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    strings = text.children[0].contents
    o = values(text.buffers[1], np.int32, text.offset, 11)
    so = values(strings.buffers[1], np.int32, strings.offset + o[4], 2)
    assert ctypes.string_at(strings.buffers[2] + int(so[0]), int(so[1] - so[0])) == b"hello"

    batch.release(ctypes.byref(batch))
    assert not batch.release
    end = ArrowArray()
    assert stream.get_next(ctypes.byref(stream), ctypes.byref(end)) == 0 and not end.release
    stream.release(ctypes.byref(stream))
    assert not stream.release


def test_data_outlives_the_table_and_children_can_be_moved(table):
    schema_capsule, array_capsule = table.__arrow_c_array__()
    schema = take(schema_capsule, b"arrow_schema", ArrowSchema)
    array = take(array_capsule, b"arrow_array", ArrowArray)
    del table, schema_capsule, array_capsule
    assert schema.format == b"+s" and array.length == 10
    moved = ArrowArray()  # move a child out, then release the parent first
    ctypes.memmove(ctypes.byref(moved), array.children[0], ctypes.sizeof(ArrowArray))
    array.children[0].contents.release = ArrayRelease()
    array.release(ctypes.byref(array))
    assert values(moved.buffers[1], np.int64, moved.offset, 10).tolist() == list(range(10))
    moved.release(ctypes.byref(moved))
    schema.release(ctypes.byref(schema))


def test_capsules_release_what_nobody_consumed(table):
    # Dropped without a consumer: the capsule destructors release the structs (ASan/valgrind
    # would report a leak or a double release here).
    for _ in range(3):
        table.__arrow_c_stream__()
        table.__arrow_c_array__()
        table.__arrow_c_schema__()
        table["step"].__arrow_c_array__()
    capsule = table.__arrow_c_stream__()
    stream = take(capsule, b"arrow_array_stream", ArrowArrayStream)
    del capsule  # moved out: the destructor must not release it
    stream.release(ctypes.byref(stream))


def test_column_and_schema_capsules(table):
    column = table["/plots/sin:Scalars:scalars"]
    stream = take(column.__arrow_c_stream__(), b"arrow_array_stream", ArrowArrayStream)
    schema = ArrowSchema()
    assert stream.get_schema(ctypes.byref(stream), ctypes.byref(schema)) == 0
    assert schema.format == b"+l" and schema.name == b"/plots/sin:Scalars:scalars"
    schema.release(ctypes.byref(schema))
    chunk = ArrowArray()
    assert stream.get_next(ctypes.byref(stream), ctypes.byref(chunk)) == 0 and chunk.length == 10
    chunk.release(ctypes.byref(chunk))
    stream.release(ctypes.byref(stream))
    s = take(table.schema.__arrow_c_schema__(), b"arrow_schema", ArrowSchema)
    assert s.format == b"+s" and s.n_children == 3
    s.release(ctypes.byref(s))


def test_round_trip_through_reels_own_importer(table):
    back = rr.dataframe.Table.from_arrow(table)
    assert back.column_names == table.column_names and back.num_rows == 10
    assert back.to_pydict() == table.to_pydict()
    single = rr.dataframe.Table.from_arrow(type("A", (), {"__arrow_c_array__": lambda self: table.__arrow_c_array__()})())
    assert single.to_pydict() == table.to_pydict()


def test_reader_stream_is_consumed_once():
    logged = Logged()
    logged.rec.send_columns("/a", [rr.TimeColumn("step", sequence=np.arange(100))],
                            rr.Scalars.columns(scalars=np.arange(100.0)))
    reader = logged.read().view(index="step").with_batch_rows(30).select()
    assert reader.read_next_batch().num_rows == 30
    table = rr.dataframe.Table.from_arrow(reader)  # the remaining 70 rows, in 3 batches
    assert table.num_rows == 70 and table.num_batches == 3
    assert table["/a:Scalars:scalars"].to_numpy().tolist() == list(np.arange(30.0, 100.0))
    with pytest.raises(ValueError, match="already consumed"):
        reader.__arrow_c_stream__()


def test_import_from_a_foreign_producer():
    """A stream produced in Python with ctypes (another Arrow implementation, as far as reel
    knows): struct<a: int64, b: float64 (with a null)>, two batches."""
    keep = []
    released = []
    a_values = np.array([1, 2, 3], dtype=np.int64)
    b_values = np.array([0.5, 0.0, 2.5])
    b_validity = np.array([0b101], dtype=np.uint8)

    def make_schema(out):
        names = [b"a", b"b"]
        formats = [b"l", b"g"]
        children = (ctypes.POINTER(ArrowSchema) * 2)()
        kids = [ArrowSchema() for _ in range(2)]
        noop = SchemaRelease(lambda s: None)
        for k, (n, f) in enumerate(zip(names, formats)):
            kids[k].format, kids[k].name, kids[k].flags, kids[k].release = f, n, 2, noop
            children[k] = ctypes.pointer(kids[k])

        def release(s):
            released.append("schema")
            s.contents.release = SchemaRelease()

        fn = SchemaRelease(release)
        keep.extend([children, kids, noop, fn])
        out.contents.format, out.contents.name = b"+s", b""
        out.contents.n_children, out.contents.children, out.contents.release = 2, children, fn
        return 0

    batches = [0]

    def get_next(stream, out):
        if batches[0] == 2:
            out.contents.release = ArrayRelease()
            return 0
        batches[0] += 1
        bufs_a = (ctypes.c_void_p * 2)(None, a_values.ctypes.data)
        bufs_b = (ctypes.c_void_p * 2)(b_validity.ctypes.data, b_values.ctypes.data)
        child_release = ArrayRelease(lambda a: None)  # children are released with their parent
        kids = [ArrowArray(length=3, null_count=0, n_buffers=2, buffers=bufs_a, release=child_release),
                ArrowArray(length=3, null_count=1, n_buffers=2, buffers=bufs_b, release=child_release)]
        children = (ctypes.POINTER(ArrowArray) * 2)(ctypes.pointer(kids[0]), ctypes.pointer(kids[1]))
        top = (ctypes.c_void_p * 1)(None)

        def release(a):
            released.append("array")
            a.contents.release = ArrayRelease()

        fn = ArrayRelease(release)
        keep.extend([bufs_a, bufs_b, kids, children, top, fn, child_release])
        out.contents.length, out.contents.n_buffers, out.contents.buffers = 3, 1, top
        out.contents.n_children, out.contents.children, out.contents.release = 2, children, fn
        return 0

    def stream_release(s):
        released.append("stream")
        s.contents.release = StreamRelease()

    callbacks = [GetSchema(lambda s, out: make_schema(out)), GetNext(get_next),
                 GetLastError(lambda s: None), StreamRelease(stream_release)]
    stream = ArrowArrayStream(*callbacks)
    keep.extend([callbacks, stream])

    class Producer:
        def __arrow_c_stream__(self, requested_schema=None):
            return _capsule_new(ctypes.addressof(stream), b"arrow_array_stream", None)

    table = rr.dataframe.Table.from_arrow(Producer())
    assert table.column_names == ["a", "b"] and table.num_rows == 6 and table.num_batches == 2
    assert table["a"].to_numpy().tolist() == [1, 2, 3, 1, 2, 3]
    b = table["b"].to_numpy()
    assert b[0] == 0.5 and np.isnan(b[1]) and b[2] == 2.5
    assert table.to_pydict()["b"] == [0.5, None, 2.5, 0.5, None, 2.5]
    assert released.count("schema") == 1 and released.count("stream") == 1
    del table, b
    assert released.count("array") == 2  # each batch released once its reel buffers are gone


def test_time_indexes_are_typed_timestamp_and_duration():
    logged = Logged()
    ns = np.array([1_700_000_000_000_000_001, 1_700_000_000_500_000_000], dtype=np.int64)
    logged.rec.send_columns("/x", [rr.TimeColumn("t", timestamp=ns.view("datetime64[ns]")),
                                   rr.TimeColumn("d", duration=np.array([1, 2]))],
                            rr.Scalars.columns(scalars=[1.0, 2.0]))
    rec = logged.read()
    for index, fmt in [("t", b"tsn:UTC"), ("d", b"tDn")]:
        table = rec.view(index=index).select().read_all()
        stream = take(table.__arrow_c_stream__(), b"arrow_array_stream", ArrowArrayStream)
        schema = ArrowSchema()
        assert stream.get_schema(ctypes.byref(stream), ctypes.byref(schema)) == 0
        assert schema.children[0].contents.name == index.encode()
        assert schema.children[0].contents.format == fmt
        schema.release(ctypes.byref(schema))
        chunk = ArrowArray()
        assert stream.get_next(ctypes.byref(stream), ctypes.byref(chunk)) == 0
        times = chunk.children[0].contents
        expected = ns if index == "t" else np.array([1_000_000_000, 2_000_000_000])
        assert values(times.buffers[1], np.int64, times.offset, times.length).tolist() == expected.tolist()
        chunk.release(ctypes.byref(chunk))
        stream.release(ctypes.byref(stream))
