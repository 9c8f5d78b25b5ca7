#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "reel/arrow/array.hpp"

namespace reel::arrow {
namespace {

constexpr int64_t N = kNullIndex;

template <typename T>
ArrayPtr primitives(const std::vector<std::optional<T>>& values) {
  PrimitiveBuilder<T> b;
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

ArrayPtr strings(const std::vector<std::optional<std::string>>& values, TypePtr type = utf8()) {
  BinaryBuilder b(std::move(type));
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

// The expected result of a take, from the source's values as a plain vector.
template <typename T>
std::vector<std::optional<T>> expected_take(const std::vector<std::optional<T>>& source,
                                            const std::vector<int64_t>& indices) {
  std::vector<std::optional<T>> out;
  for (int64_t i : indices) out.push_back(i == N ? std::nullopt : source[size_t(i)]);
  return out;
}

// Reads the taken primitive array back element by element, without reel's kernels.
template <typename T>
std::vector<std::optional<T>> read_back(const ArrayData& a) {
  std::vector<std::optional<T>> out;
  for (int64_t i = 0; i < a.length; ++i) {
    if (a.is_null(i)) {
      out.push_back(std::nullopt);
    } else {
      T v;
      std::memcpy(&v, a.buffers[1]->data() + (a.offset + i) * int64_t(sizeof(T)), sizeof(T));
      out.push_back(v);
    }
  }
  return out;
}

// A validity bitmap of one byte.
BufferPtr bitmap(uint8_t bits) {
  auto b = Buffer::allocate(1);
  b->mutable_data()[0] = bits;
  return b;
}

int64_t nulls_in(const std::vector<int64_t>& indices) {
  return int64_t(std::count(indices.begin(), indices.end(), N));
}

template <typename T>
void check_primitive(std::vector<std::optional<T>> source) {
  SCOPED_TRACE(TypeTraits<T>::type()->to_string());
  auto a = primitives<T>(source);
  const std::vector<int64_t> indices = {3, N, 0, 0, 1, 2, 3, N, 4};
  auto t = take(*a, indices);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  ASSERT_TRUE(validate(**t).ok()) << validate(**t).to_string();
  EXPECT_TRUE(type_equals((*t)->type, a->type));
  const auto want = expected_take(source, indices);
  EXPECT_EQ(read_back<T>(**t), want);
  int64_t nulls = 0;
  for (const auto& v : want) nulls += !v;
  EXPECT_EQ((*t)->null_count, nulls);
  // A null index leaves a zero in the values buffer.
  EXPECT_EQ((*t)->buffers[1]->data()[1 * sizeof(T)], 0);
}

TEST(TakeTest, PrimitivesOfEveryWidthKeepNullsAndTakeNullIndices) {
  check_primitive<int8_t>({1, -2, std::nullopt, 4, 5});
  check_primitive<int16_t>({1000, -2, std::nullopt, 4, 5});
  check_primitive<int32_t>({1, -200000, 3, std::nullopt, 5});
  check_primitive<int64_t>({std::nullopt, int64_t(1) << 40, 3, 4, -5});
  check_primitive<uint8_t>({250, 2, 3, 4, std::nullopt});
  check_primitive<uint16_t>({1, 65535, std::nullopt, 4, 5});
  check_primitive<uint32_t>({1, 2, 3, 4000000000u, 5});
  check_primitive<uint64_t>({1, 2, std::nullopt, 4, uint64_t(1) << 63});
  check_primitive<float>({1.5f, std::nullopt, -3.25f, 4, 5});
  check_primitive<double>({1.5, 2.5, 3.5, std::nullopt, 1e300});
}

TEST(TakeTest, Float16AndFixedSizeBinaryAreCopiedByWidth) {
  // float16 as its bit patterns.
  auto bits = make_primitive<uint16_t>({0x3C00, 0xC000, 0x7E00});
  auto half = make_primitive_from_buffer(float16(), bits->buffers[1], 3);
  std::vector<int64_t> idx = {2, 0, N};
  auto t = take(*half, idx).value();
  ASSERT_TRUE(validate(*t).ok());
  EXPECT_EQ(t->type->id(), TypeId::kFloat16);
  EXPECT_EQ(read_back<uint16_t>(*t),
            (std::vector<std::optional<uint16_t>>{0x7E00, 0x3C00, std::nullopt}));

  FixedSizeBinaryBuilder b(5);
  b.append("abcde");
  b.append_null();
  b.append("vwxyz");
  auto fsb = b.finish();
  idx = {2, 1, 0, N, 2};
  t = take(*fsb, idx).value();
  ASSERT_TRUE(validate(*t).ok());
  EXPECT_EQ(t->null_count, 2);
  FixedSizeBinaryArray v(t);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.value(0)), 5), "vwxyz");
  EXPECT_TRUE(v.is_null(1));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.value(2)), 5), "abcde");
  EXPECT_TRUE(v.is_null(3));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.value(4)), 5), "vwxyz");
}

TEST(TakeTest, Booleans) {
  BooleanBuilder b;
  b.append(true);
  b.append(false);
  b.append_null();
  b.append(true);
  auto a = b.finish();
  std::vector<int64_t> idx = {3, 2, 1, N, 0, 0};
  auto t = take(*a, idx).value();
  ASSERT_TRUE(validate(*t).ok());
  EXPECT_EQ(array_to_string(*t), "[true, null, false, null, true, true]");
  EXPECT_EQ(t->null_count, 2);
}

TEST(TakeTest, StringsAndBinaryWithNullsAndRuns) {
  auto a = strings({"alpha", std::nullopt, "", "delta", "epsilon"});
  std::vector<int64_t> idx = {0, 1, 2, 3, 4, N, 4, 3, 0};  // one run of 5, then single rows
  auto t = take(*a, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t),
            "[\"alpha\", null, \"\", \"delta\", \"epsilon\", null, \"epsilon\", \"delta\", "
            "\"alpha\"]");
  EXPECT_EQ(t->null_count, 2);
  // A null index is an empty string; the data holds exactly the taken bytes.
  BinaryArray v(t);
  EXPECT_EQ(v.raw_offsets()[6] - v.raw_offsets()[5], 0);
  EXPECT_EQ(t->buffers[2]->size(), std::string("alphadeltaepsilonepsilondeltaalpha").size());

  auto blobs = strings({std::string("\x00\x01", 2), "xyz"}, binary());
  idx = {1, N, 0};
  t = take(*blobs, idx).value();
  ASSERT_TRUE(validate(*t).ok());
  EXPECT_EQ(t->type->id(), TypeId::kBinary);
  EXPECT_EQ(BinaryArray(t).value(0), "xyz");
  EXPECT_EQ(BinaryArray(t).value(2), std::string("\x00\x01", 2));
  EXPECT_TRUE(t->is_null(1));
}

TEST(TakeTest, ListsKeepTheirEntriesAndNullRows) {
  auto values = make_primitive<int32_t>({1, 2, 3, 4, 5, 6});
  // Rows: [1, 2], null, [], [3, 4, 5], [6].
  auto l = make_list(std::vector<int32_t>{0, 2, 2, 2, 5, 6}, values, bitmap(0b11101), 1).value();
  std::vector<int64_t> idx = {3, N, 1, 2, 0, 4, 3};
  auto t = take(*l, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[3, 4, 5], null, null, [], [1, 2], [6], [3, 4, 5]]");
  EXPECT_EQ(t->null_count, 2);
  EXPECT_EQ(t->children[0]->length, 9);  // exactly the taken entries' values
  ListArray v(t);
  EXPECT_EQ(v.value_length(1), 0);  // a null index: an empty entry
}

TEST(TakeTest, ListsOfValuesWithNullsAndOfStrings) {
  PrimitiveBuilder<int64_t> v;
  v.append(1);
  v.append_null();
  v.append(3);
  auto with_nulls = make_list(std::vector<int32_t>{0, 2, 3}, v.finish()).value();  // [1, null], [3]
  std::vector<int64_t> idx = {1, N, 0, 1};
  auto t = take(*with_nulls, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[3], null, [1, null], [3]]");
  EXPECT_EQ(t->children[0]->null_count, 1);

  std::vector<ArrayPtr> words = {
      make_list(std::vector<int32_t>{0, 2, 2}, make_strings({"ab", "c"})).value(),
      make_list(std::vector<int32_t>{0, 1}, make_strings({"def"})).value()};
  idx = {2, 0, N, 1, 0};
  t = take(words, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[\"def\"], [\"ab\", \"c\"], null, [], [\"ab\", \"c\"]]");
}

TEST(TakeTest, FixedSizeListsOfPrimitivesAreCopiedAsBytes) {
  auto values = make_primitive<float>({0, 1, 2, 10, 11, 12, 20, 21, 22});
  auto a = make_fixed_size_list(values, 3, bitmap(0b101), 1).value();  // row 1 null
  std::vector<int64_t> idx = {2, 1, N, 0, 2};
  auto t = take(*a, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[20, 21, 22], null, null, [0, 1, 2], [20, 21, 22]]");
  EXPECT_EQ(t->null_count, 2);
  const ArrayData& child = *t->children[0];
  ASSERT_EQ(child.length, 15);
  EXPECT_EQ(child.null_count, 0);  // placeholders are values, not nulls
  EXPECT_EQ(child.values<float>()[6], 0.0f);
  EXPECT_EQ(child.values<float>()[4], 11.0f);  // the null source row keeps its values
}

TEST(TakeTest, FixedSizeListsWithNullValuesKeepThem) {
  PrimitiveBuilder<int16_t> v;
  v.append(1);
  v.append_null();
  v.append(3);
  v.append(4);
  auto a = make_fixed_size_list(v.finish(), 2).value();  // [[1, null], [3, 4]]
  std::vector<int64_t> idx = {1, 0, N};
  auto t = take(*a, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[3, 4], [1, null], null]");
  // Under the null index: two valid placeholder values.
  const ArrayData& child = *t->children[0];
  EXPECT_EQ(child.null_count, 1);
  EXPECT_TRUE(child.is_valid(4));
  EXPECT_TRUE(child.is_valid(5));
  EXPECT_EQ(child.values<int16_t>()[4], 0);
}

TEST(TakeTest, StructsTakeEveryFieldAndPlaceholdersUnderNullIndices) {
  PrimitiveBuilder<uint32_t> ids;
  ids.append(7);
  ids.append(8);
  ids.append(9);
  auto s = make_struct({field("id", uint32(), false), field("label", utf8())},
                       {ids.finish(), strings({"a", std::nullopt, "c"})}, bitmap(0b101), 1)
               .value();  // row 1 null
  std::vector<int64_t> idx = {2, N, 1, 0};
  auto t = take(*s, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t),
            "[{id: [9], label: [\"c\"]}, null, null, {id: [7], label: [\"a\"]}]");
  EXPECT_EQ(t->null_count, 2);
  // The non-nullable field has no nulls: a placeholder under the null index, the source's
  // value under the null source row.
  const ArrayData& id = *t->children[0];
  EXPECT_EQ(id.null_count, 0);
  EXPECT_EQ(id.values<uint32_t>()[1], 0u);
  EXPECT_EQ(id.values<uint32_t>()[2], 8u);
  const ArrayData& label = *t->children[1];
  EXPECT_TRUE(label.is_valid(1));  // placeholder ""
  EXPECT_TRUE(label.is_null(2));   // the source's null
}

TEST(TakeTest, NestedTypes) {
  // list<fixed_size_list<float32>[3]>, as points per row.
  auto points = make_builder(list(fixed_size_list(float32(), 3)));
  auto& lb = static_cast<ListBuilder&>(*points);
  auto& fsl = lb.child_as<FixedSizeListBuilder>();
  auto& f = fsl.child_as<PrimitiveBuilder<float>>();
  for (int row = 0; row < 3; ++row) {
    for (int p = 0; p <= row; ++p) {
      for (int k = 0; k < 3; ++k) f.append(float(row * 10 + p));
      fsl.append_entry();
    }
    lb.append_entry();
  }
  auto a = points->finish();
  std::vector<int64_t> idx = {2, N, 0};
  auto t = take(*a, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[[20, 20, 20], [21, 21, 21], [22, 22, 22]], null, [[0, 0, 0]]]");

  // list<struct<name: utf8, tags: list<utf8>>>.
  auto rows = make_builder(list(struct_({field("name", utf8()), field("tags", list(utf8()))})));
  auto& rl = static_cast<ListBuilder&>(*rows);
  auto& st = rl.child_as<StructBuilder>();
  auto& name = st.child_as<BinaryBuilder>(0);
  auto& tags = st.child_as<ListBuilder>(1);
  auto& tag = tags.child_as<BinaryBuilder>();
  name.append("a");
  tag.append("x");
  tag.append("y");
  tags.append_entry();
  st.append_entry();
  rl.append_entry();
  rl.append_null();
  name.append("b");
  tags.append_null();
  st.append_entry();
  st.append_null();
  rl.append_entry();
  auto nested = rows->finish();
  ASSERT_TRUE(validate(*nested).ok()) << validate(*nested).to_string();
  idx = {2, 1, 0, N};
  t = take(*nested, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t),
            "[[{name: [\"b\"], tags: [null]}, null], null, "
            "[{name: [\"a\"], tags: [[\"x\", ... 1 more]]}], null]");  // one value per field

  // fixed_size_list<fixed_size_list<uint8>[2]>[2]: flat, copied as 4 bytes per value.
  auto bytes = make_primitive<uint8_t>({1, 2, 3, 4, 5, 6, 7, 8});
  auto inner = make_fixed_size_list(bytes, 2).value();
  auto outer = make_fixed_size_list(inner, 2).value();
  idx = {1, N, 0};
  t = take(*outer, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[[[5, 6], [7, 8]], null, [[1, 2], [3, 4]]]");
}

TEST(TakeTest, SlicesAreTakenByTheirLogicalRows) {
  auto ints = primitives<int64_t>({0, 1, std::nullopt, 3, 4, 5})->slice(2, 3);  // null, 3, 4
  std::vector<int64_t> idx = {2, 0, 1};
  EXPECT_EQ(array_to_string(*take(*ints, idx).value()), "[4, null, 3]");

  auto text = strings({"a", "bb", "ccc", "dddd"})->slice(1, 3);
  idx = {2, 0, 1, 2};
  EXPECT_EQ(array_to_string(*take(*text, idx).value()), "[\"dddd\", \"bb\", \"ccc\", \"dddd\"]");

  auto lists =
      make_list(std::vector<int32_t>{0, 1, 3, 6}, make_primitive<int8_t>({1, 2, 3, 4, 5, 6}))
          .value()
          ->slice(1, 2);
  idx = {1, 0};
  EXPECT_EQ(array_to_string(*take(*lists, idx).value()), "[[4, 5, 6], [2, 3]]");

  auto fsl =
      make_fixed_size_list(make_primitive<int32_t>({1, 2, 3, 4, 5, 6}), 2).value()->slice(1, 2);
  idx = {1, 0, 1};
  EXPECT_EQ(array_to_string(*take(*fsl, idx).value()), "[[5, 6], [3, 4], [5, 6]]");

  // A struct slice whose children are longer than it (and a sliced child).
  auto x = make_primitive<int32_t>({10, 11, 12, 13});
  auto y = strings({"p", "q", "r", "s", "t"})->slice(1, 4);
  auto s = make_struct({field("x", int32()), field("y", utf8())}, {x, y}).value()->slice(1, 2);
  idx = {1, N, 0};
  auto t = take(*s, idx).value();
  ASSERT_TRUE(validate(*t).ok()) << validate(*t).to_string();
  EXPECT_EQ(array_to_string(*t), "[{x: [12], y: [\"s\"]}, null, {x: [11], y: [\"r\"]}]");
}

TEST(TakeTest, SeveralArraysAreOneSequence) {
  auto a = primitives<int32_t>({1, 2, 3});
  auto empty = primitives<int32_t>({});
  auto b = primitives<int32_t>({9, 10, std::nullopt, 11, 12})->slice(1, 3);  // 10, null, 11
  auto c = primitives<int32_t>({20});
  std::vector<ArrayPtr> arrays = {a, empty, b, c};
  // The run 1..6 crosses two boundaries and is split there; 6 is c's first row.
  std::vector<int64_t> idx = {1, 2, 3, 4, 5, 6, N, 0, 6, 3};
  auto t = take(arrays, idx);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  ASSERT_TRUE(validate(**t).ok()) << validate(**t).to_string();
  EXPECT_EQ(array_to_string(**t), "[2, 3, 10, null, 11, 20, null, 1, 20, 10]");

  std::vector<ArrayPtr> words = {strings({"a", "b"}), strings({"c"})->slice(0, 1),
                                 strings({"d", "e"})};
  idx = {0, 1, 2, 3, 4, 2};
  EXPECT_EQ(array_to_string(*take(words, idx).value()),
            "[\"a\", \"b\", \"c\", \"d\", \"e\", \"c\"]");

  std::vector<ArrayPtr> lists = {
      make_list(std::vector<int32_t>{0, 2}, make_primitive<double>({1, 2})).value(),
      make_list(std::vector<int32_t>{0, 1, 1}, make_primitive<double>({3})).value()};
  idx = {2, 1, 0};
  EXPECT_EQ(array_to_string(*take(lists, idx).value()), "[[], [3], [1, 2]]");
}

TEST(TakeTest, BadIndicesAndArraysAreErrors) {
  auto a = make_primitive<int32_t>({1, 2});
  std::vector<int64_t> idx = {2};
  auto r = take(*a, idx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIndexError);
  EXPECT_EQ(r.status().message(), "take index 2 out of bounds for length 2");
  idx = {-2};
  EXPECT_EQ(take(*a, idx).status().code(), StatusCode::kIndexError);
  std::vector<ArrayPtr> arrays = {a, make_primitive<int32_t>({3})};
  idx = {3};
  r = take(arrays, idx);
  EXPECT_EQ(r.status().message(), "take index 3 out of bounds for length 3");
  arrays.push_back(make_primitive<int64_t>({4}));
  idx = {0};
  EXPECT_EQ(take(arrays, idx).status().code(), StatusCode::kTypeError);
  EXPECT_EQ(take(std::span<const ArrayPtr>(), idx).status().code(), StatusCode::kInvalid);
}

TEST(TakeTest, NullTypeAndNoIndices) {
  auto nulls = make_null_array(null(), 3);
  std::vector<int64_t> idx = {2, N, 0, 1};
  auto t = take(*nulls, idx).value();
  EXPECT_EQ(t->length, 4);
  EXPECT_EQ(t->null_count, 4);
  EXPECT_TRUE(validate(*t).ok());

  auto lists = make_list(std::vector<int32_t>{0, 1}, make_strings({"x"})).value();
  t = take(*lists, std::span<const int64_t>()).value();
  EXPECT_EQ(t->length, 0);
  EXPECT_TRUE(type_equals(t->type, lists->type));
  EXPECT_TRUE(validate(*t).ok()) << validate(*t).to_string();
}

// Random sources (sliced, with nulls) and random indices (with runs, repeats and nulls),
// against the values read back one by one.
TEST(TakeTest, RandomTakesMatchAPlainGather) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<ArrayPtr> arrays;
    std::vector<std::optional<int32_t>> all_ints;
    std::vector<ArrayPtr> texts;
    std::vector<std::optional<std::string>> all_texts;
    const int k = 1 + int(rng() % 4);
    for (int s = 0; s < k; ++s) {
      const int len = int(rng() % 20);
      std::vector<std::optional<int32_t>> ints;
      std::vector<std::optional<std::string>> words;
      for (int i = 0; i < len; ++i) {
        const bool null = rng() % 5 == 0;
        ints.push_back(null ? std::nullopt : std::optional<int32_t>(int32_t(rng() % 1000)));
        words.push_back(
            null ? std::nullopt
                 : std::optional<std::string>(std::string(rng() % 4, char('a' + i % 26))));
      }
      const int start = len ? int(rng() % (len + 1)) : 0;
      const int count = int(rng() % (len - start + 1));
      arrays.push_back(primitives<int32_t>(ints)->slice(start, count));
      texts.push_back(strings(words)->slice(start, count));
      all_ints.insert(all_ints.end(), ints.begin() + start, ints.begin() + start + count);
      all_texts.insert(all_texts.end(), words.begin() + start, words.begin() + start + count);
    }
    const int64_t total = int64_t(all_ints.size());
    std::vector<int64_t> idx;
    for (int i = 0, n = int(rng() % 40); i < n; ++i) {
      if (total == 0 || rng() % 6 == 0) {
        idx.push_back(N);
      } else if (!idx.empty() && idx.back() >= 0 && idx.back() + 1 < total && rng() % 2) {
        idx.push_back(idx.back() + 1);  // runs
      } else {
        idx.push_back(int64_t(rng() % uint64_t(total)));
      }
    }
    auto t = take(arrays, idx);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    ASSERT_TRUE(validate(**t).ok()) << "round " << round << ": " << validate(**t).to_string();
    EXPECT_EQ(read_back<int32_t>(**t), expected_take(all_ints, idx)) << "round " << round;
    auto w = take(texts, idx).value();
    ASSERT_TRUE(validate(*w).ok()) << "round " << round;
    const auto want = expected_take(all_texts, idx);
    ASSERT_EQ(w->length, int64_t(want.size()));
    int64_t nulls = 0;
    for (int64_t i = 0; i < w->length; ++i) {
      nulls += !want[size_t(i)];
      EXPECT_EQ(w->is_valid(i), want[size_t(i)].has_value()) << "round " << round << " row " << i;
      if (want[size_t(i)]) {
        EXPECT_EQ(BinaryArray(w).value(i), *want[size_t(i)]);
      }
    }
    EXPECT_EQ(w->null_count, nulls);
    EXPECT_GE(w->null_count, nulls_in(idx));
  }
}

TEST(ArrayTest, TakeStructAndStrings) {
  auto s = make_struct({field("id", uint16()), field("label", utf8())},
                       {make_primitive<uint16_t>({1, 2, 3}), make_strings({"a", "b", "c"})})
               .value();
  std::vector<int64_t> idx = {2, 0, 2};
  auto t = take(*s, idx).value();
  ASSERT_TRUE(validate(*t).ok());
  EXPECT_EQ(array_to_string(*t),
            "[{id: [3], label: [\"c\"]}, {id: [1], label: [\"a\"]}, {id: [3], label: [\"c\"]}]");
  std::vector<int64_t> bad = {3};
  EXPECT_EQ(take(*s, bad).status().code(), StatusCode::kIndexError);
}

}  // namespace
}  // namespace reel::arrow
