// Times on the command line: integers, durations with a unit, ISO 8601 timestamps.
#include <cctype>
#include <cstdint>
#include <limits>

#include "cli/cli.hpp"

namespace reel::cli {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly `n` digits.
  bool digits(int n, int64_t& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      if (done() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      out = out * 10 + (s[i++] - '0');
    }
    return true;
  }
};

// ".123456789" after seconds: nanoseconds (digits past the ninth are dropped).
bool fraction_ns(Cursor& c, int64_t& ns) {
  ns = 0;
  if (!c.eat('.') && !c.eat(',')) return true;
  int n = 0;
  while (!c.done() && std::isdigit(static_cast<unsigned char>(c.peek()))) {
    if (n < 9) ns = ns * 10 + (c.peek() - '0');
    ++n;
    ++c.i;
  }
  if (n == 0) return false;
  for (int k = n; k < 9; ++k) ns *= 10;
  return true;
}

std::optional<TimeInt> parse_timestamp(std::string_view text) {
  Cursor c{text};
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  if (c.eat('T') || c.eat('t') || c.eat(' ')) {
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return std::nullopt;
    if (c.eat(':')) {
      if (!c.digits(2, sec) || !fraction_ns(c, frac)) return std::nullopt;
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (c.eat('Z') || c.eat('z')) {
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    int64_t oh, om = 0;
    if (!c.digits(2, oh)) return std::nullopt;
    if (c.eat(':') || !c.done()) {
      if (!c.digits(2, om)) return std::nullopt;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (!c.done()) return std::nullopt;
  const int64_t secs =
      days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  return TimeInt(secs * 1'000'000'000 + frac);
}

std::optional<TimeInt> parse_duration(std::string_view text) {
  Cursor c{text};
  const bool negative = c.eat('-');
  if (!negative) c.eat('+');
  int64_t whole = 0;
  int n = 0;
  while (!c.done() && std::isdigit(static_cast<unsigned char>(c.peek()))) {
    if (whole > std::numeric_limits<int64_t>::max() / 10 - 10) return std::nullopt;
    whole = whole * 10 + (c.peek() - '0');
    ++c.i;
    ++n;
  }
  // The fraction as digits / 10^digits (at most 18 kept).
  int64_t frac = 0, scale = 1;
  if (c.eat('.')) {
    while (!c.done() && std::isdigit(static_cast<unsigned char>(c.peek()))) {
      if (scale < 1'000'000'000'000'000'000) {
        frac = frac * 10 + (c.peek() - '0');
        scale *= 10;
      }
      ++c.i;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  const std::string_view unit = text.substr(c.i);
  int64_t ns_per;
  if (unit == "ns") {
    ns_per = 1;
  } else if (unit == "us" || unit == "\u00b5s") {
    ns_per = 1'000;
  } else if (unit == "ms") {
    ns_per = 1'000'000;
  } else if (unit == "s") {
    ns_per = 1'000'000'000;
  } else if (unit == "min") {
    ns_per = 60'000'000'000;
  } else if (unit == "h") {
    ns_per = 3'600'000'000'000;
  } else {
    return std::nullopt;
  }
  if (whole > std::numeric_limits<int64_t>::max() / ns_per) return std::nullopt;
  const long double part = static_cast<long double>(frac) / scale * ns_per;
  const int64_t ns = whole * ns_per + int64_t(part + 0.5L);
  return negative ? -ns : ns;
}

}  // namespace

Result<TimeInt> parse_time_argument(std::string_view text, std::string* unit) {
  if (unit) unit->clear();
  // A plain integer is taken as it is.
  size_t i = text.size() > 1 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  bool integer = i < text.size();
  for (size_t k = i; k < text.size(); ++k) {
    integer &= std::isdigit(static_cast<unsigned char>(text[k])) != 0;
  }
  if (integer) {
    try {
      return TimeInt(std::stoll(std::string(text)));
    } catch (...) {
      return Status::Invalid("time '" + std::string(text) + "' is out of range");
    }
  }
  if (auto d = parse_duration(text)) {
    if (unit) *unit = "duration";
    return *d;
  }
  if (auto t = parse_timestamp(text)) {
    if (unit) *unit = "timestamp";
    return *t;
  }
  return Status::Invalid("'" + std::string(text) +
                         "' is not a time: give an integer, a duration with a unit (1.5s, 250ms, "
                         "10us, 2min, 1h) or an ISO 8601 timestamp (2024-05-01T12:00:00Z)");
}

}  // namespace reel::cli
