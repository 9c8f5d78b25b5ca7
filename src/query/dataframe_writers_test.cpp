#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "query/dataframe_test_internal.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::dataframe {
namespace {

using test_support::DataframeTest;

TEST_F(DataframeTest, WritersProduceCsvJsonAndArrow) {
  log("/a", 1, 1.5);
  log("/b,c", 2, 2.0);
  log("/s", std::nullopt, 42.0);
  std::ostringstream csv, json, arrow_out;
  ASSERT_EQ(write_table(view(), OutputFormat::kCsv, csv).value(), 2);
  EXPECT_EQ(csv.str(),
            "frame,/a:Scalars:scalars,\"/b\\,c:Scalars:scalars\",/s:Scalars:scalars\n"
            "1,1.5,,42.0\n"
            "2,,2.0,42.0\n");
  ASSERT_EQ(write_table(view(), OutputFormat::kJson, json).value(), 2);
  EXPECT_EQ(json.str(),
            "{\"/a:Scalars:scalars\":1.5,\"/b\\\\,c:Scalars:scalars\":null,\"/"
            "s:Scalars:scalars\":42.0,\"frame\":1}\n"
            "{\"/a:Scalars:scalars\":null,\"/b\\\\,c:Scalars:scalars\":2.0,\"/"
            "s:Scalars:scalars\":42.0,\"frame\":2}\n");
  ASSERT_EQ(write_table(view(), OutputFormat::kArrow, arrow_out).value(), 2);
  auto bytes = std::make_shared<std::string>(arrow_out.str());
  arrow::ipc::StreamReader reader({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()},
                                  bytes);
  auto batch = reader.next();
  ASSERT_TRUE(batch.ok() && *batch) << batch.status().to_string();
  auto expected = view().read_all().value();
  ASSERT_EQ(expected.size(), 1u);
  for (size_t c = 0; c < expected[0].columns.size(); ++c) {
    EXPECT_TRUE(arrow::array_equals(expected[0].columns[c], (*batch)->columns[c])) << c;
  }
}

}  // namespace
}  // namespace reel::dataframe
