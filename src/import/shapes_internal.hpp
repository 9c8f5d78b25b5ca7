// Shapes assembled row by row (markers, scene updates): poses, colors, and a RowAssembler
// that gathers each row's instances per component and makes one column of each. For message
// types whose rows are few and small, where per-row work does not matter.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "import/columns_internal.hpp"
#include "reel/chunk/component.hpp"

namespace reel::import::internal {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
struct Quat {
  double x = 0, y = 0, z = 0, w = 1;
};

inline Vec3 rotate(const Quat& q, const Vec3& v) {
  // v' = v + 2 w (u x v) + 2 u x (u x v), u = (x, y, z)
  const Vec3 u{q.x, q.y, q.z};
  const Vec3 t{2 * (u.y * v.z - u.z * v.y), 2 * (u.z * v.x - u.x * v.z),
               2 * (u.x * v.y - u.y * v.x)};
  return {v.x + q.w * t.x + (u.y * t.z - u.z * t.y), v.y + q.w * t.y + (u.z * t.x - u.x * t.z),
          v.z + q.w * t.z + (u.x * t.y - u.y * t.x)};
}

inline uint32_t rgba(double r, double g, double b, double a) {
  auto c = [](double v) { return uint32_t(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
  return c(r) << 24 | c(g) << 16 | c(b) << 8 | c(a);
}

// The components of one entity's rows, assembled row by row.
class RowAssembler {
 public:
  void begin_row() {
    ++rows_;
    for (auto& [d, c] : columns_) c.offsets.push_back(c.offsets.back());
  }
  void add_f32(const ComponentDescriptor& d, const char* component, const std::vector<float>& v,
               int per_instance) {
    Column& c = column(d, component);
    c.f32.insert(c.f32.end(), v.begin(), v.end());
    c.offsets.back() += int32_t(v.size() / size_t(per_instance));
    c.valid[size_t(rows_ - 1)] = true;
  }
  void add_u32(const ComponentDescriptor& d, const char* component,
               const std::vector<uint32_t>& v) {
    Column& c = column(d, component);
    c.u32.insert(c.u32.end(), v.begin(), v.end());
    c.offsets.back() += int32_t(v.size());
    c.valid[size_t(rows_ - 1)] = true;
  }
  void add_text(const ComponentDescriptor& d, const char* component, const std::string& s) {
    Column& c = column(d, component);
    c.text.push_back(s);
    c.offsets.back() += 1;
    c.valid[size_t(rows_ - 1)] = true;
  }
  void add_bool(const ComponentDescriptor& d, bool v) {
    Column& c = column(d, "reel.components.ClearIsRecursive");
    c.u32.push_back(v ? 1 : 0);
    c.offsets.back() += 1;
    c.valid[size_t(rows_ - 1)] = true;
  }
  // Strips: each a list of points.
  void add_strips(const ComponentDescriptor& d, const std::vector<std::vector<float>>& strips) {
    Column& c = column(d, "reel.components.LineStrip3D");
    for (const auto& s : strips) {
      c.f32.insert(c.f32.end(), s.begin(), s.end());
      c.strip_offsets.push_back(c.strip_offsets.back() + int32_t(s.size() / 3));
    }
    c.offsets.back() += int32_t(strips.size());
    c.valid[size_t(rows_ - 1)] = true;
  }

  std::vector<ComponentColumn> finish() const {
    std::vector<ComponentColumn> out;
    for (const auto& [d, c] : columns_) {
      const arrow::TypePtr& type = component_type(c.component);
      arrow::ArrayPtr values;
      const int64_t n = c.offsets.back();
      if (type->id() == arrow::TypeId::kUtf8) {
        values = string_array(c.text);
      } else if (c.component == "reel.components.ClearIsRecursive") {
        arrow::MutableBuffer bits;
        bits.resize(size_t(arrow::bit_util::bytes_for_bits(n)));
        for (size_t i = 0; i < c.u32.size(); ++i) {
          if (c.u32[i]) arrow::bit_util::set_bit(bits.data(), int64_t(i));
        }
        values = arrow::ArrayData::make(arrow::boolean(), n, 0, {nullptr, bits.finish(false)});
      } else if (c.component == "reel.components.LineStrip3D") {
        values = arrow::ArrayData::make(type, n, 0, {nullptr, buffer_of(c.strip_offsets)},
                                        {fixed_list_array(type->value_type(), c.f32)});
      } else if (type->id() == arrow::TypeId::kFixedSizeList) {
        values = fixed_list_array(type, c.f32);
      } else if (type->id() == arrow::TypeId::kUInt32) {
        values = primitive_array(c.u32);
      } else {
        values = primitive_array(c.f32);
      }
      int64_t nulls = 0;
      arrow::BufferPtr validity = validity_of(c.valid_rows(rows_), &nulls);
      auto list = ListColumn::with_offsets(values, buffer_of(c.offsets), rows_, validity, nulls);
      if (list.ok()) out.push_back({d, std::move(*list)});
    }
    return out;
  }

 private:
  struct Column {
    std::string component;
    std::vector<int32_t> offsets;
    std::vector<bool> valid;
    std::vector<float> f32;
    std::vector<uint32_t> u32;
    std::vector<std::string> text;
    std::vector<int32_t> strip_offsets{0};
    std::vector<bool> valid_rows(int64_t rows) const {
      std::vector<bool> v = valid;
      v.resize(size_t(rows), false);
      return v;
    }
  };
  Column& column(const ComponentDescriptor& d, const char* component) {
    auto [it, added] = columns_.try_emplace(d);
    if (added) {
      it->second.component = component;
      it->second.offsets.assign(size_t(rows_) + 1, 0);
      it->second.valid.assign(size_t(rows_), false);
    }
    it->second.valid.resize(size_t(rows_), false);
    return it->second;
  }
  std::map<ComponentDescriptor, Column> columns_;
  int64_t rows_ = 0;
};

}  // namespace reel::import::internal
