#include "reel/arrow/c_data.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "reel/arrow/array.hpp"

namespace reel::arrow {
namespace {

// The spec's metadata bytes decoded by hand (independently of the implementation).
Metadata read_metadata(const char* p) {
  Metadata out;
  if (!p) return out;
  int32_t n, len;
  std::memcpy(&n, p, 4);
  p += 4;
  for (int32_t i = 0; i < n; ++i) {
    std::memcpy(&len, p, 4);
    std::string k(p + 4, size_t(len));
    p += 4 + len;
    std::memcpy(&len, p, 4);
    std::string v(p + 4, size_t(len));
    p += 4 + len;
    out.emplace_back(k, v);
  }
  return out;
}

ArrayPtr ints_with_a_null() {  // [1, null, 3, 4, 5]
  PrimitiveBuilder<int32_t> b;
  b.append(1);
  b.append_null();
  b.append(3);
  b.append(4);
  b.append(5);
  return b.finish();
}

ArrayPtr strips() {  // list<fixed_size_list<f32, 3>>: [[p0, p1], null, [], [p2]]
  auto child =
      std::make_unique<FixedSizeListBuilder>(std::make_unique<PrimitiveBuilder<float>>(), 3);
  ListBuilder b(std::move(child), false);
  auto& points = b.child_as<FixedSizeListBuilder>();
  for (int p = 0; p < 2; ++p) {
    for (int k = 0; k < 3; ++k) points.child_as<PrimitiveBuilder<float>>().append(float(p * 3 + k));
    points.append_entry();
  }
  b.append_entry();
  b.append_null();
  b.append_entry();
  for (int k = 0; k < 3; ++k) points.child_as<PrimitiveBuilder<float>>().append(float(10 + k));
  points.append_entry();
  b.append_entry();
  return b.finish();
}

ArrayPtr structs() {  // struct<id: u16, label: utf8, shape: list<u64>> with a null row
  PrimitiveBuilder<uint16_t> id;
  BinaryBuilder label(utf8());
  ListBuilder shape(std::make_unique<PrimitiveBuilder<uint64_t>>());
  for (int i = 0; i < 3; ++i) {
    id.append(uint16_t(i));
    label.append(i == 1 ? std::string_view("") : std::string_view("label " + std::to_string(i)));
    for (int d = 0; d < i; ++d)
      shape.child_as<PrimitiveBuilder<uint64_t>>().append(uint64_t(d + 2));
    shape.append_entry();
  }
  auto fields = std::vector<FieldPtr>{field("id", uint16(), false), field("label", utf8()),
                                      field("shape", list(uint64()))};
  auto bits = Buffer::allocate(1);
  bits->mutable_data()[0] = 0b101;
  return make_struct(fields, {id.finish(), label.finish(), shape.finish()}, bits, 1).value();
}

ArrayPtr roundtrip(const ArrayPtr& array) {
  ArrowSchema schema{};
  ArrowArray c{};
  EXPECT_TRUE(export_field(*field("x", array->type), &schema).ok());
  EXPECT_TRUE(export_array(array, &c).ok());
  auto f = import_field(&schema);
  EXPECT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(schema.release, nullptr);
  auto back = import_array(&c, (*f)->type);
  EXPECT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(c.release, nullptr);
  return back.ok() ? *back : nullptr;
}

TEST(CDataTest, SchemaFieldsFollowTheSpec) {
  auto f = field("pos", list(fixed_size_list(float32(), 3)), true,
                 {{"reel.kind", "component"}, {"k", ""}});
  ArrowSchema s{};
  ASSERT_TRUE(export_field(*f, &s).ok());
  EXPECT_STREQ(s.format, "+l");
  EXPECT_STREQ(s.name, "pos");
  EXPECT_EQ(s.flags, ARROW_FLAG_NULLABLE);
  EXPECT_EQ(read_metadata(s.metadata), f->metadata);
  EXPECT_EQ(s.dictionary, nullptr);
  ASSERT_EQ(s.n_children, 1);
  ArrowSchema* item = s.children[0];
  EXPECT_STREQ(item->format, "+w:3");
  EXPECT_STREQ(item->name, "item");
  EXPECT_EQ(item->metadata, nullptr);
  ASSERT_EQ(item->n_children, 1);
  EXPECT_STREQ(item->children[0]->format, "f");
  EXPECT_EQ(item->children[0]->flags, 0);  // fixed-size list items are not nullable
  ASSERT_NE(s.release, nullptr);
  s.release(&s);
  EXPECT_EQ(s.release, nullptr);

  const std::pair<TypePtr, const char*> formats[] = {{null(), "n"},
                                                     {boolean(), "b"},
                                                     {int8(), "c"},
                                                     {uint8(), "C"},
                                                     {int16(), "s"},
                                                     {uint16(), "S"},
                                                     {int32(), "i"},
                                                     {uint32(), "I"},
                                                     {int64(), "l"},
                                                     {uint64(), "L"},
                                                     {float16(), "e"},
                                                     {float32(), "f"},
                                                     {float64(), "g"},
                                                     {utf8(), "u"},
                                                     {binary(), "z"},
                                                     {fixed_size_binary(16), "w:16"},
                                                     {struct_({field("a", int8())}), "+s"}};
  for (const auto& [type, format] : formats) {
    ArrowSchema t{};
    ASSERT_TRUE(export_field(*field("t", type, false), &t).ok());
    EXPECT_STREQ(t.format, format);
    EXPECT_EQ(t.flags, 0);
    auto back = import_field(&t);  // releases t
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_TRUE(type_equals((*back)->type, type)) << format;
    EXPECT_EQ(t.release, nullptr);
  }
}

TEST(CDataTest, ArrayPointsAtReelBuffersWithOffsetAndNullCount) {
  ArrayPtr all = ints_with_a_null();
  ArrayPtr sliced = all->slice(1, 3);  // [null, 3, 4]
  ArrowArray c{};
  ASSERT_TRUE(export_array(sliced, &c).ok());
  EXPECT_EQ(c.length, 3);
  EXPECT_EQ(c.offset, 1);
  EXPECT_EQ(c.null_count, 1);
  ASSERT_EQ(c.n_buffers, 2);
  EXPECT_EQ(c.n_children, 0);
  EXPECT_EQ(c.dictionary, nullptr);
  // Zero-copy: the very same memory.
  EXPECT_EQ(c.buffers[0], all->buffers[0]->data());
  EXPECT_EQ(c.buffers[1], all->buffers[1]->data());
  const auto* bits = static_cast<const uint8_t*>(c.buffers[0]);
  EXPECT_FALSE(bit_util::get_bit(bits, c.offset + 0));
  EXPECT_TRUE(bit_util::get_bit(bits, c.offset + 1));
  EXPECT_EQ(static_cast<const int32_t*>(c.buffers[1])[c.offset + 2], 4);
  c.release(&c);
  EXPECT_EQ(c.release, nullptr);
}

TEST(CDataTest, ExportedDataOutlivesTheReelArray) {
  ArrowArray c{};
  const void* values = nullptr;
  {
    ArrayPtr a = ints_with_a_null();
    values = a->buffers[1]->data();
    ASSERT_TRUE(export_array(a, &c).ok());
  }  // the only reel reference is gone; the export keeps the buffers
  EXPECT_EQ(c.buffers[1], values);
  EXPECT_EQ(static_cast<const int32_t*>(c.buffers[1])[4], 5);  // ASan: no use after free
  c.release(&c);
}

TEST(CDataTest, NestedTypesRoundTripThroughImport) {
  PrimitiveBuilder<uint16_t> half;  // float16 bit patterns
  half.append(0x3C00);
  half.append(0xC000);
  auto f16 = make_primitive_from_buffer(float16(), half.finish()->buffers[1], 2);
  BooleanBuilder bools;
  bools.append(true);
  bools.append_null();
  bools.append(false);
  BinaryBuilder blobs(binary());
  blobs.append(std::string_view("\x00\xFF", 2));
  blobs.append_null();
  FixedSizeBinaryBuilder ids(4);
  ids.append("abcd");
  ids.append_null();
  const ArrayPtr arrays[] = {ints_with_a_null(),
                             ints_with_a_null()->slice(2, 2),
                             strips(),
                             strips()->slice(1, 3),
                             structs(),
                             structs()->slice(1, 2),
                             f16,
                             bools.finish(),
                             blobs.finish(),
                             ids.finish(),
                             make_null_array(null(), 4),
                             make_null_array(list(utf8()), 0),
                             make_strings({"a", "", "ü"})};
  for (const auto& a : arrays) {
    auto back = roundtrip(a);
    ASSERT_TRUE(back) << a->type->to_string();
    EXPECT_TRUE(array_equals(a, back))
        << a->type->to_string() << ": " << array_to_string(*a) << " vs " << array_to_string(*back);
  }
}

TEST(CDataTest, EmptyArraysExportNonNullOffsets) {
  auto empty = make_null_array(list(float64()), 0);
  ArrowArray c{};
  ASSERT_TRUE(export_array(empty, &c).ok());
  EXPECT_EQ(c.length, 0);
  EXPECT_EQ(c.offset, 0);
  ASSERT_EQ(c.n_buffers, 2);
  ASSERT_NE(c.buffers[1], nullptr);
  EXPECT_EQ(static_cast<const int32_t*>(c.buffers[1])[0], 0);
  ASSERT_EQ(c.n_children, 1);
  EXPECT_EQ(c.children[0]->length, 0);
  c.release(&c);
}

TEST(CDataTest, MovedChildSurvivesTheParentsRelease) {
  auto s = structs();
  ArrowArray parent{};
  ASSERT_TRUE(export_array(s, &parent).ok());
  ASSERT_EQ(parent.n_children, 3);
  ArrowArray label = *parent.children[1];  // moved out, as the spec allows
  parent.children[1]->release = nullptr;
  parent.release(&parent);
  s.reset();
  EXPECT_EQ(label.length, 3);
  const auto* offsets = static_cast<const int32_t*>(label.buffers[1]);
  const auto* bytes = static_cast<const char*>(label.buffers[2]);
  EXPECT_EQ(std::string(bytes + offsets[2], size_t(offsets[3] - offsets[2])), "label 2");
  label.release(&label);
}

TEST(CDataTest, RecordBatchIsAStructWithSchemaMetadata) {
  auto schema = std::make_shared<Schema>();
  schema->fields = {field("step", int64(), false), field("/a:Scalars:scalars", list(float64()))};
  schema->metadata = {{"reel.index", "step"}};
  RecordBatch batch;
  batch.schema = schema;
  batch.num_rows = 2;
  batch.columns = {
      make_primitive<int64_t>({3, 4}),
      make_list(std::vector<int32_t>{0, 1, 3}, make_primitive<double>({1.5, 2, 3})).value()};
  ArrowSchema cs{};
  ArrowArray ca{};
  ASSERT_TRUE(export_schema(*schema, &cs).ok());
  ASSERT_TRUE(export_record_batch(batch, &ca).ok());
  EXPECT_STREQ(cs.format, "+s");
  EXPECT_EQ(cs.flags, 0);
  EXPECT_EQ(read_metadata(cs.metadata), schema->metadata);
  ASSERT_EQ(cs.n_children, 2);
  EXPECT_STREQ(cs.children[1]->name, "/a:Scalars:scalars");
  EXPECT_EQ(ca.length, 2);
  EXPECT_EQ(ca.null_count, 0);
  ASSERT_EQ(ca.n_buffers, 1);
  EXPECT_EQ(ca.buffers[0], nullptr);
  ASSERT_EQ(ca.n_children, 2);
  EXPECT_EQ(ca.children[0]->buffers[1], batch.columns[0]->buffers[1]->data());
  auto back_schema = import_schema(&cs);
  ASSERT_TRUE(back_schema.ok());
  EXPECT_EQ((*back_schema)->metadata, schema->metadata);
  auto back = import_record_batch(&ca, *back_schema);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->num_rows, 2);
  ASSERT_TRUE(back->validate().ok());
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(array_equals(back->columns[i], batch.columns[i]));
}

TEST(CDataTest, RecordBatchStreamRoundTripsAndReportsErrors) {
  auto schema = std::make_shared<Schema>();
  schema->fields = {field("v", int32())};
  int produced = 0;
  RecordBatchSource source = [&]() -> Result<std::optional<RecordBatch>> {
    if (produced == 3) return std::optional<RecordBatch>();
    if (produced == 2 && schema->metadata.size() == 1) {
      return Status::Invalid("the source failed at batch 2");
    }
    RecordBatch b;
    b.num_rows = 2;
    b.columns = {make_primitive<int32_t>({produced * 10, produced * 10 + 1})};
    ++produced;
    return std::optional<RecordBatch>(std::move(b));
  };
  ArrowArrayStream stream{};
  ASSERT_TRUE(export_record_batch_stream(schema, source, &stream).ok());
  auto reader = ArrowStreamReader::open(&stream);
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  EXPECT_EQ(stream.release, nullptr);  // moved into the reader
  ASSERT_TRUE((*reader)->is_record_batch_stream());
  EXPECT_EQ((*reader)->schema()->fields[0]->name, "v");
  int batches = 0;
  for (;;) {
    auto b = (*reader)->next();
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    if (!*b) break;
    EXPECT_EQ(PrimitiveArray<int32_t>((*b)->columns[0]).value(1), batches * 10 + 1);
    ++batches;
  }
  EXPECT_EQ(batches, 3);

  // A failing source: get_next returns an errno and get_last_error says why.
  produced = 0;
  schema->metadata = {{"fail", "yes"}};
  ArrowArrayStream failing{};
  ASSERT_TRUE(export_record_batch_stream(schema, source, &failing).ok());
  ArrowArray a{};
  ASSERT_EQ(failing.get_next(&failing, &a), 0);
  a.release(&a);
  ASSERT_EQ(failing.get_next(&failing, &a), 0);
  a.release(&a);
  EXPECT_EQ(failing.get_next(&failing, &a), EINVAL);
  ASSERT_NE(failing.get_last_error(&failing), nullptr);
  EXPECT_NE(std::string(failing.get_last_error(&failing)).find("failed at batch 2"),
            std::string::npos);
  failing.release(&failing);
  EXPECT_EQ(failing.release, nullptr);
}

TEST(CDataTest, ArrayStreamCarriesAChunkedColumn) {
  std::vector<ArrayPtr> chunks = {strips(), strips()->slice(2, 2)};
  size_t i = 0;
  ArrowArrayStream stream{};
  ASSERT_TRUE(export_array_stream(
                  field("strips", chunks[0]->type),
                  [&]() -> Result<ArrayPtr> { return i < chunks.size() ? chunks[i++] : nullptr; },
                  &stream)
                  .ok());
  auto reader = ArrowStreamReader::open(&stream);
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->is_record_batch_stream());
  EXPECT_FALSE((*reader)->next().ok());  // not a record batch stream
  for (const auto& expected : chunks) {
    auto a = (*reader)->next_array();
    ASSERT_TRUE(a.ok() && *a);
    EXPECT_TRUE(array_equals(*a, expected));
  }
  auto end = (*reader)->next_array();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
}

// A hand-made producer: one int32 array whose release callback counts its calls.
struct Producer {
  static inline int releases = 0;
  int32_t values[4] = {7, 8, 9, 10};
  int32_t offsets[3] = {0, 2, 1};  // decreasing: for the bad-offsets case
  const void* buffers[3] = {nullptr, values, nullptr};
  ArrowArray make(int64_t n_buffers = 2) {
    ArrowArray a{};
    a.length = 4;
    a.n_buffers = n_buffers;
    a.buffers = buffers;
    a.release = [](ArrowArray* self) {
      ++releases;
      self->release = nullptr;
    };
    return a;
  }
};

TEST(CDataTest, ImportIsZeroCopyAndReleasesTheProducerOnce) {
  Producer p;
  Producer::releases = 0;
  ArrowArray a = p.make();
  auto imported = import_array(&a, int32());
  ASSERT_TRUE(imported.ok()) << imported.status().to_string();
  EXPECT_EQ(a.release, nullptr);
  EXPECT_EQ((*imported)->buffers[1]->data(), reinterpret_cast<const uint8_t*>(p.values));
  ArrayPtr slice = (*imported)->slice(1, 2);
  imported = Status::Invalid("drop");  // the slice still holds the data
  EXPECT_EQ(Producer::releases, 0);
  EXPECT_EQ(PrimitiveArray<int32_t>(slice).value(1), 9);
  slice.reset();
  EXPECT_EQ(Producer::releases, 1);
}

TEST(CDataTest, ImportRejectsBadInputAndStillReleasesIt) {
  Producer p;
  Producer::releases = 0;
  ArrowArray wrong_buffers = p.make(3);
  auto r = import_array(&wrong_buffers, int32());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("buffers"), std::string::npos) << r.status().message();
  EXPECT_EQ(Producer::releases, 1);

  ArrowArray bad_offsets = p.make(3);
  p.buffers[1] = p.offsets;
  p.buffers[2] = p.values;
  bad_offsets.length = 2;
  r = import_array(&bad_offsets, utf8());  // offsets 0, 2, 1 decrease
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Producer::releases, 2);

  ArrowSchema temporal{};
  temporal.format = "tsn:UTC";
  temporal.name = "t";
  static int schema_releases = 0;
  temporal.release = [](ArrowSchema* s) {
    ++schema_releases;
    s->release = nullptr;
  };
  auto f = import_field(&temporal);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotImplemented);
  EXPECT_NE(f.status().message().find("tsn:UTC"), std::string::npos);
  EXPECT_EQ(schema_releases, 1);
}

}  // namespace
}  // namespace reel::arrow
