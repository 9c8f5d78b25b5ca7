// An .rrd whose chunks hold columns of Arrow types reel does not represent: the chunks are
// kept without those columns, with one warning per entity and column naming the file. The
// file was written by apache-arrow for JavaScript (tests/rerun_viewer/
// write_unsupported_columns.mjs): per chunk Scalars:scalars, then Custom:big
// (list<large_utf8>), Custom:note (list<utf8>, unknown to reel but representable),
// Custom:day (list<date32>) and Custom:label (a dictionary); chunks /a [0,1,2], /a [3,4], /b [10].
#include <gtest/gtest.h>

#include "reel/format/recording_file.hpp"
#include "reel/format/rrd.hpp"
#include "reel/format/rrd_chunk.hpp"
#include "reel/types/archetypes.hpp"

#ifndef REEL_SOURCE_DIR
#error "REEL_SOURCE_DIR must name the source tree"
#endif

namespace reel::format {
namespace {

std::string fixture() {
  return std::string(REEL_SOURCE_DIR) + "/tests/data/rrd_js_unsupported_columns.rrd";
}

struct Read {
  std::vector<Message> chunks;
  std::vector<std::string> warnings;
};

Read read_chunks(const std::string& path) {
  Read out;
  auto reader = RecordingReader::open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return out;
  for (;;) {
    auto m = (*reader)->next();
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    if (!m.ok() || !*m) break;
    if ((*m)->kind == MessageKind::kChunk) out.chunks.push_back(std::move(**m));
  }
  out.warnings = (*reader)->warnings();
  return out;
}

std::vector<std::string> component_names(const Chunk& c) {
  std::vector<std::string> out;
  for (const auto& col : c.components()) out.push_back(col.descriptor.identifier());
  return out;
}

TEST(RrdUnsupportedColumns, ChunksAreKeptWithoutTheColumnsReelCannotRepresent) {
  Read r = read_chunks(fixture());
  ASSERT_EQ(r.chunks.size(), 3u);
  const ComponentDescriptor note("my.archetypes.Custom", "note", "my.components.note");
  for (const Message& m : r.chunks) {
    ASSERT_TRUE(m.chunk);
    const Chunk& c = *m.chunk;
    EXPECT_EQ(
        component_names(c),
        (std::vector<std::string>{Scalars::descriptor_scalars().identifier(), note.identifier()}));
    ASSERT_EQ(c.timelines().size(), 1u);
    EXPECT_EQ(c.timelines()[0].name(), "step");
    ASSERT_EQ(m.dropped_columns.size(), 3u);
    EXPECT_EQ(m.dropped_columns[0].column, "Custom:big");
    EXPECT_EQ(m.dropped_columns[0].arrow_type, "list<item: large_utf8>");
    EXPECT_EQ(m.dropped_columns[1].column, "Custom:day");
    EXPECT_EQ(m.dropped_columns[1].arrow_type, "list<item: date32[day]>");
    EXPECT_EQ(m.dropped_columns[2].column, "Custom:label");
    EXPECT_EQ(m.dropped_columns[2].arrow_type, "dictionary<values=utf8, indices=int8>");
  }
  // The first chunk's values, as the JavaScript writer wrote them.
  const Chunk& a = *r.chunks[0].chunk;
  EXPECT_EQ(a.entity_path().str(), "/a");
  ASSERT_EQ(a.num_rows(), 3);
  const ComponentColumn* notes = a.component(note);
  ASSERT_NE(notes, nullptr);
  arrow::BinaryArray text(notes->list.values());
  EXPECT_EQ(text.value(notes->list.value_offset(0)), "note 0");
  EXPECT_FALSE(notes->list.is_valid(1));
  EXPECT_EQ(text.value(notes->list.value_offset(2)), "note 2");
  const ComponentColumn* scalars = a.component(Scalars::descriptor_scalars());
  ASSERT_NE(scalars, nullptr);
  EXPECT_EQ(scalars->list.values()->values<double>(1)[scalars->list.value_offset(2)], 0.5);
  EXPECT_EQ(a.timelines()[0][2], 2);
}

TEST(RrdUnsupportedColumns, OneWarningPerEntityAndColumnNamingFileAndType) {
  Read r = read_chunks(fixture());
  ASSERT_EQ(r.chunks.size(), 3u);
  const std::string at_a = std::to_string(r.chunks[0].offset);
  const std::string at_b = std::to_string(r.chunks[2].offset);
  const std::string f = fixture();
  EXPECT_EQ(r.warnings,
            (std::vector<std::string>{
                f +
                    ": entity /a, column 'Custom:big' dropped: reel does not represent its Arrow "
                    "type list<item: large_utf8> (first in the ArrowMsg at byte " +
                    at_a + ")",
                f +
                    ": entity /a, column 'Custom:day' dropped: reel does not represent its Arrow "
                    "type list<item: date32[day]> (first in the ArrowMsg at byte " +
                    at_a + ")",
                f +
                    ": entity /a, column 'Custom:label' dropped: reel does not represent its "
                    "Arrow type dictionary<values=utf8, indices=int8> (first in the ArrowMsg at "
                    "byte " +
                    at_a + ")",
                f +
                    ": entity /b, column 'Custom:big' dropped: reel does not represent its Arrow "
                    "type list<item: large_utf8> (first in the ArrowMsg at byte " +
                    at_b + ")",
                f +
                    ": entity /b, column 'Custom:day' dropped: reel does not represent its Arrow "
                    "type list<item: date32[day]> (first in the ArrowMsg at byte " +
                    at_b + ")",
                f +
                    ": entity /b, column 'Custom:label' dropped: reel does not represent its "
                    "Arrow type dictionary<values=utf8, indices=int8> (first in the ArrowMsg at "
                    "byte " +
                    at_b + ")",
            }));
}

TEST(RrdUnsupportedColumns, WithoutADroppedListTheChunkMappingWarnsPerChunk) {
  auto reader = rrd::RrdReader::open(fixture());
  ASSERT_TRUE(reader.ok());
  int chunks = 0;
  for (;;) {
    auto m = (*reader)->next();
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    if (!*m) break;
    if ((*m)->kind != rrd::MessageKind::kArrowMsg) continue;
    rrd::Warnings warnings;
    auto chunk = rrd::decode_rerun_chunk((*m)->arrow, &warnings);
    ASSERT_TRUE(chunk.ok()) << chunk.status().to_string();
    ++chunks;
    ASSERT_EQ(warnings.size(), 3u);
    EXPECT_EQ(warnings[0], "chunk of " + (*chunk)->entity_path().str() +
                               ", column 'Custom:big': dropped, reel does not represent its "
                               "Arrow type list<item: large_utf8>");
  }
  EXPECT_EQ(chunks, 3);
}

TEST(RrdUnsupportedColumns, TheKeptUnknownComponentRoundTripsThroughRrd) {
  Read r = read_chunks(fixture());
  ASSERT_EQ(r.chunks.size(), 3u);
  const std::string out = ::testing::TempDir() + "/unsupported_round_trip.rrd";
  {
    WriterOptions options;
    options.file_format = FileFormat::kRrd;
    auto writer = RecordingWriter::open(out, options);
    ASSERT_TRUE(writer.ok()) << writer.status().to_string();
    ASSERT_TRUE((*writer)->write_store_info(r.chunks[0].info).ok());
    for (const Message& m : r.chunks) ASSERT_TRUE((*writer)->write_chunk(*m.chunk).ok());
    ASSERT_TRUE((*writer)->finish().ok());
    EXPECT_TRUE((*writer)->warnings().empty()) << (*writer)->warnings()[0];
  }
  Read back = read_chunks(out);
  EXPECT_TRUE(back.warnings.empty()) << back.warnings[0];
  ASSERT_EQ(back.chunks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(back.chunks[i].dropped_columns.empty());
    EXPECT_EQ(back.chunks[i].chunk->id(), r.chunks[i].chunk->id()) << i;
    EXPECT_TRUE(back.chunks[i].chunk->content_equals(*r.chunks[i].chunk)) << i;
  }
}

}  // namespace
}  // namespace reel::format
