#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "query/dataframe_test_internal.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::dataframe {
namespace {

using test_support::DataframeTest;
using test_support::table;
using test_support::Table;

TEST_F(DataframeTest, SelectChoosesColumnsAndOrder) {
  log("/a", 1, 1.0);
  log("/b", 1, 10.0);
  auto v = view().select({"/b:Scalars:scalars", "frame", "/a:Scalars:scalars"});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(table(*v), (Table{{"1", "[10]", "[1]"}}));
  auto bad = view().select({"/c:Scalars:scalars"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("/c:Scalars:scalars"), std::string::npos);
}

TEST_F(DataframeTest, StaticOnlyViewIsOneRow) {
  log("/a", 1, 1.0);
  log("/s", std::nullopt, 42.0);
  EXPECT_EQ(table(view(std::nullopt)), (Table{{"[42]"}}));
  EXPECT_EQ(table(view().select_static()), (Table{{"[42]"}}));
}

TEST_F(DataframeTest, ContentsFilterAndUnknownTimeline) {
  log("/world/a", 1, 1.0);
  log("/world/debug/x", 1, 2.0);
  log("/other", 1, 3.0);
  auto v = View::create(store_, "frame", "/world/** -/world/debug/**").value();
  ASSERT_EQ(v.schema().size(), 2u);
  EXPECT_EQ(v.schema()[1].name, "/world/a:Scalars:scalars");
  auto bad = View::create(store_, "time", "/**");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("frame"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Views of recording files.

class DataframeFileTest : public DataframeTest {
 protected:
  void TearDown() override { std::filesystem::remove(path_); }
  std::string write_recording() {
    auto writer = format::RecordingWriter::open(path_).value();
    EXPECT_TRUE(write_store(*store_, *writer).ok());
    EXPECT_TRUE(writer->finish().ok());
    return path_;
  }
  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("reel_dataframe_test_" + std::to_string(::getpid()) + ".reel"))
                          .string();
};

TEST_F(DataframeFileTest, ViewOfARecordingFile) {
  log("/a", 1, 1.0);
  log("/a", 3, 3.0);
  log("/b", 2, 20.0);
  log("/s", std::nullopt, 42.0);
  const std::string path = write_recording();
  auto recording = load_recording(path);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  auto from_store = View::create(*recording, "frame", "/**");
  ASSERT_TRUE(from_store.ok()) << from_store.status().to_string();
  const Table expected = {
      {"1", "[1]", "null", "[42]"}, {"2", "[1]", "[20]", "[42]"}, {"3", "[3]", "[20]", "[42]"}};
  EXPECT_EQ(table(from_store->fill_latest_at()), expected);
  auto from_file = View::create(path, "frame", "/a");
  ASSERT_TRUE(from_file.ok()) << from_file.status().to_string();
  EXPECT_EQ(table(*from_file), (Table{{"1", "[1]"}, {"3", "[3]"}}));
}

TEST_F(DataframeFileTest, FileErrorsNameTheFileAndTheByteOffset) {
  auto missing = load_recording(path_ + ".missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path_ + ".missing"), std::string::npos)
      << missing.status().to_string();
  EXPECT_FALSE(View::create(path_ + ".missing", "frame").ok());

  for (int f = 0; f < 20; ++f) log("/a", f, f);
  const std::string path = write_recording();
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Damage the last chunk's header (its kind byte); the footer and end marker come after it.
  auto reader = format::RecordingReader::open(path).value();
  uint64_t last_chunk = 0;
  int64_t last_rows = 0;
  for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
    if ((*m)->kind == format::MessageKind::kChunk) {
      last_chunk = (*m)->offset;
      last_rows = (*m)->chunk->num_rows();
    }
  }
  ASSERT_GT(last_chunk, 0u);
  const std::string intact = bytes;
  bytes[last_chunk] = char(0x7F);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  // The reader resynchronises at the footer: everything but the damaged chunk loads, and the
  // warning names the file and the damaged message's byte.
  std::vector<std::string> warnings;
  auto damaged = load_recording(path, &warnings);
  ASSERT_TRUE(damaged.ok()) << damaged.status().to_string();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(path), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("corrupt at byte " + std::to_string(last_chunk)), std::string::npos)
      << warnings[0];
  EXPECT_EQ((*damaged)->stats().num_rows, 20 - last_rows);
  // Damage with nothing intact after it (the end marker too) stays an error naming the place.
  bytes = intact.substr(0, last_chunk) + std::string(intact.size() - last_chunk, char(0x7F));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto corrupt = load_recording(path);
  ASSERT_FALSE(corrupt.ok());
  const std::string message = corrupt.status().message();
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("byte " + std::to_string(last_chunk)), std::string::npos) << message;
}

}  // namespace
}  // namespace reel::dataframe
