// CRC-32C against published check values: the CRC catalogue's check ("123456789") and the
// iSCSI examples of RFC 3720 appendix B.4, through both the SSE4.2 path and the table.
#include "format/crc32c.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace reel::format {
namespace {

using Crc = uint32_t (*)(const void*, size_t, uint32_t);

struct Path {
  const char* name;
  Crc crc;
};

class Crc32cTest : public ::testing::TestWithParam<Path> {
 protected:
  uint32_t crc(const std::vector<uint8_t>& bytes, uint32_t start = 0) const {
    return GetParam().crc(bytes.data(), bytes.size(), start);
  }
  uint32_t crc(const std::string& s) const { return GetParam().crc(s.data(), s.size(), 0); }
};

TEST_P(Crc32cTest, CheckValueOfTheCrcCatalogue) {
  // CRC-32/ISCSI in Greg Cook's catalogue of parametrised CRC algorithms: check=0xe3069283.
  EXPECT_EQ(crc(std::string("123456789")), 0xE3069283u);
}

TEST_P(Crc32cTest, EmptyInputIsZeroAndLeavesARunningCrcAlone) {
  EXPECT_EQ(crc(std::vector<uint8_t>{}), 0u);
  EXPECT_EQ(crc(std::vector<uint8_t>{}, 0xE3069283u), 0xE3069283u);
}

// RFC 3720 B.4 lists each CRC as the bytes sent, least significant first ("aa 36 91 8a").
TEST_P(Crc32cTest, Rfc3720ThirtyTwoBytesOfZeroes) {
  EXPECT_EQ(crc(std::vector<uint8_t>(32, 0x00)), 0x8A9136AAu);
}

TEST_P(Crc32cTest, Rfc3720ThirtyTwoBytesOfOnes) {
  EXPECT_EQ(crc(std::vector<uint8_t>(32, 0xFF)), 0x62A8AB43u);
}

TEST_P(Crc32cTest, Rfc3720ThirtyTwoIncrementingBytes) {
  std::vector<uint8_t> bytes(32);
  std::iota(bytes.begin(), bytes.end(), uint8_t(0));  // 00 01 .. 1f
  EXPECT_EQ(crc(bytes), 0x46DD794Eu);
}

TEST_P(Crc32cTest, Rfc3720ThirtyTwoDecrementingBytes) {
  std::vector<uint8_t> bytes(32);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(31 - i);  // 1f 1e .. 00
  EXPECT_EQ(crc(bytes), 0x113FDB5Cu);
}

TEST_P(Crc32cTest, Rfc3720ScsiRead10CommandPdu) {
  const std::vector<uint8_t> pdu = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
                                    0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(crc(pdu), 0xD9963A56u);
}

TEST_P(Crc32cTest, PiecesGiveTheCrcOfTheWhole) {
  const std::string whole = "123456789";
  for (size_t cut = 0; cut <= whole.size(); ++cut) {
    uint32_t running = GetParam().crc(whole.data(), cut, 0);
    running = GetParam().crc(whole.data() + cut, whole.size() - cut, running);
    EXPECT_EQ(running, 0xE3069283u) << "cut after " << cut << " bytes";
  }
  // Byte by byte over an RFC vector.
  uint32_t running = 0;
  const std::vector<uint8_t> ones(32, 0xFF);
  for (uint8_t b : ones) running = GetParam().crc(&b, 1, running);
  EXPECT_EQ(running, 0x62A8AB43u);
}

INSTANTIATE_TEST_SUITE_P(Paths, Crc32cTest,
                         ::testing::Values(Path{"Dispatching", &crc32c},
                                           Path{"Portable", &crc32c_portable}),
                         [](const auto& info) { return std::string(info.param.name); });

// The two paths agree on every length and alignment the 8-byte loops and their tails meet.
TEST(Crc32cPathsTest, HardwareAndTableAgreeOnEveryLengthAndOffset) {
  std::mt19937 rng(3720);
  std::vector<uint8_t> bytes(300);
  for (auto& b : bytes) b = uint8_t(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; offset + n <= bytes.size(); ++n) {
      ASSERT_EQ(crc32c(bytes.data() + offset, n), crc32c_portable(bytes.data() + offset, n))
          << "offset " << offset << ", " << n << " bytes";
    }
  }
}

}  // namespace
}  // namespace reel::format
