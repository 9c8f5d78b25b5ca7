// PLY point clouds (http://paulbourke.net/dataformats/ply/): the vertex element only.
#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>
#include <sstream>

#include "import/columns_internal.hpp"
#include "import/file_importer_internal.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

struct Property {
  std::string name;
  int size = 0;     // bytes
  char kind = 'f';  // 'i' signed, 'u' unsigned, 'f' float
  bool list = false;
};

struct Element {
  std::string name;
  uint64_t count = 0;
  std::vector<Property> properties;
};

bool scalar_type(const std::string& t, Property* p) {
  static const struct {
    const char* name;
    int size;
    char kind;
  } kTypes[] = {{"char", 1, 'i'},  {"int8", 1, 'i'},    {"uchar", 1, 'u'},  {"uint8", 1, 'u'},
                {"short", 2, 'i'}, {"int16", 2, 'i'},   {"ushort", 2, 'u'}, {"uint16", 2, 'u'},
                {"int", 4, 'i'},   {"int32", 4, 'i'},   {"uint", 4, 'u'},   {"uint32", 4, 'u'},
                {"float", 4, 'f'}, {"float32", 4, 'f'}, {"double", 8, 'f'}, {"float64", 8, 'f'}};
  for (const auto& k : kTypes) {
    if (t == k.name) {
      p->size = k.size;
      p->kind = k.kind;
      return true;
    }
  }
  return false;
}

double binary_value(const uint8_t* at, const Property& p, bool big) {
  uint8_t b[8];
  std::memcpy(b, at, size_t(p.size));
  if (big) std::reverse(b, b + p.size);
  switch (p.size) {
    case 1:
      return p.kind == 'i' ? double(int8_t(b[0])) : double(b[0]);
    case 2: {
      uint16_t v;
      std::memcpy(&v, b, 2);
      return p.kind == 'i' ? double(int16_t(v)) : double(v);
    }
    case 4: {
      if (p.kind == 'f') {
        float f;
        std::memcpy(&f, b, 4);
        return f;
      }
      uint32_t v;
      std::memcpy(&v, b, 4);
      return p.kind == 'i' ? double(int32_t(v)) : double(v);
    }
    default: {
      double d;
      std::memcpy(&d, b, 8);
      return d;
    }
  }
}

}  // namespace

Result<std::vector<ComponentColumn>> parse_ply(std::string_view bytes, const std::string& name) {
  auto bad = [&](const std::string& what) { return Status::Invalid(name + ": PLY " + what); };
  const size_t header_end = bytes.find("end_header");
  if (bytes.substr(0, 3) != "ply" || header_end == std::string_view::npos) {
    return bad("header without 'ply' and 'end_header'");
  }
  size_t body = bytes.find('\n', header_end);
  if (body == std::string_view::npos) return bad("header not ended by a newline");
  ++body;
  std::istringstream header{std::string(bytes.substr(0, header_end))};
  std::string line, format;
  std::vector<Element> elements;
  while (std::getline(header, line)) {
    std::istringstream words(line);
    std::string word;
    words >> word;
    if (word == "format") {
      words >> format;
    } else if (word == "element") {
      Element e;
      words >> e.name >> e.count;
      if (!words) return bad("element line '" + line + "'");
      elements.push_back(std::move(e));
    } else if (word == "property") {
      if (elements.empty()) return bad("property before any element");
      Property p;
      std::string type;
      words >> type;
      if (type == "list") {
        std::string count_type, item_type;
        words >> count_type >> item_type >> p.name;
        p.list = true;
      } else {
        words >> p.name;
        if (!scalar_type(type, &p)) return bad("property type '" + type + "'");
      }
      elements.back().properties.push_back(p);
    }
  }
  const bool ascii = format == "ascii";
  const bool big = format == "binary_big_endian";
  if (!ascii && !big && format != "binary_little_endian") return bad("format '" + format + "'");
  std::string_view data = bytes.substr(body);
  // Elements before the vertices are skipped; in binary files only fixed-size ones can be.
  size_t skip_lines = 0, skip_bytes = 0;
  const Element* vertex = nullptr;
  for (const auto& e : elements) {
    if (e.name == "vertex") {
      vertex = &e;
      break;
    }
    if (ascii) {
      skip_lines += e.count;
      continue;
    }
    size_t size = 0;
    for (const auto& p : e.properties) {
      if (p.list) return bad("element '" + e.name + "' with lists before the vertices");
      size += size_t(p.size);
    }
    if (e.count > data.size() / std::max<size_t>(size, 1))
      return bad("element '" + e.name + "' past the end");
    skip_bytes += size * e.count;
  }
  if (!vertex) return bad("no vertex element");
  size_t stride = 0;
  for (const auto& p : vertex->properties) {
    if (p.list) return bad("vertex property '" + p.name + "' is a list");
    stride += size_t(p.size);
  }
  const uint64_t n = vertex->count;
  const bool fits =
      ascii ? n <= data.size() / 2 + 1
            : stride > 0 && skip_bytes <= data.size() && n <= (data.size() - skip_bytes) / stride;
  if (!fits || n > uint64_t(INT32_MAX)) {
    return bad(std::to_string(n) + " vertices do not fit in the file");
  }
  std::vector<float> positions(n * 3, 0.0f);
  std::vector<uint32_t> colors;
  std::vector<std::vector<double>> extras;
  std::vector<std::string> extra_names;
  int rgba[4] = {-1, -1, -1, -1};
  int xyz[3] = {-1, -1, -1};
  std::vector<int> extra_of(vertex->properties.size(), -1);
  for (size_t k = 0; k < vertex->properties.size(); ++k) {
    const std::string& pn = vertex->properties[k].name;
    if (pn == "x" || pn == "y" || pn == "z") {
      xyz[pn[0] - 'x'] = int(k);
    } else if (pn == "red" || pn == "green" || pn == "blue" || pn == "alpha") {
      rgba[pn == "red" ? 0 : pn == "green" ? 1 : pn == "blue" ? 2 : 3] = int(k);
    } else {
      extra_of[k] = int(extras.size());
      extra_names.push_back(pn);
      extras.emplace_back(n, 0.0);
    }
  }
  const bool has_color = rgba[0] >= 0 && rgba[1] >= 0 && rgba[2] >= 0;
  if (has_color) colors.assign(n, 0xFFFFFFFFu);
  std::vector<double> values(vertex->properties.size());
  size_t pos = 0;
  if (ascii) {
    for (size_t l = 0; l < skip_lines; ++l) {
      pos = data.find('\n', pos);
      if (pos == std::string_view::npos) return bad("cut before the vertices");
      ++pos;
    }
  } else {
    pos = skip_bytes;
  }
  for (uint64_t v = 0; v < n; ++v) {
    if (ascii) {
      for (size_t k = 0; k < values.size(); ++k) {
        while (pos < data.size() &&
               (data[pos] == ' ' || data[pos] == '\n' || data[pos] == '\r' || data[pos] == '\t')) {
          ++pos;
        }
        const char* b = data.data() + pos;
        auto [end, ec] = std::from_chars(b, data.data() + data.size(), values[k]);
        if (ec != std::errc()) {
          return bad("vertex " + std::to_string(v) + ": not a number at byte " +
                     std::to_string(body + pos));
        }
        pos += size_t(end - b);
      }
    } else {
      const uint8_t* at = reinterpret_cast<const uint8_t*>(data.data()) + pos;
      for (size_t k = 0; k < values.size(); ++k) {
        values[k] = binary_value(at, vertex->properties[k], big);
        at += vertex->properties[k].size;
      }
      pos += stride;
    }
    for (int a = 0; a < 3; ++a) {
      if (xyz[a] >= 0) positions[v * 3 + size_t(a)] = float(values[size_t(xyz[a])]);
    }
    if (has_color) {
      uint32_t c = 0;
      for (int a = 0; a < 4; ++a) {
        double x = rgba[a] >= 0 ? values[size_t(rgba[a])] : 255.0;
        // Float colors are 0..1.
        if (rgba[a] >= 0 && vertex->properties[size_t(rgba[a])].kind == 'f') x *= 255.0;
        c = c << 8 | uint32_t(std::clamp(x, 0.0, 255.0));
      }
      colors[v] = c;
    }
    for (size_t k = 0; k < values.size(); ++k) {
      if (extra_of[k] >= 0) extras[size_t(extra_of[k])][v] = values[k];
    }
  }
  const std::vector<int32_t> offsets = {0, int32_t(n)};
  std::vector<ComponentColumn> columns;
  columns.push_back(list_column(
      Points3D::descriptor_positions(),
      fixed_list_array(component_type("reel.components.Position3D"), positions), offsets));
  if (has_color) {
    columns.push_back(list_column(Points3D::descriptor_colors(), primitive_array(colors), offsets));
  }
  for (size_t e = 0; e < extras.size(); ++e) {
    columns.push_back(list_column(any_value(extra_names[e]), primitive_array(extras[e]), offsets));
  }
  return columns;
}

}  // namespace reel::import::internal
