// visualization_msgs Marker and MarkerArray as the shapes reel has: each marker (ns, id) is
// the entity <topic>/<ns>/<id>; its type picks the archetype (CUBE Boxes3D, SPHERE
// Ellipsoids3D, CYLINDER Cylinders3D, ARROW Arrows3D, LINE_STRIP / LINE_LIST LineStrips3D,
// CUBE_LIST Boxes3D, SPHERE_LIST / POINTS Points3D, TEXT_VIEW_FACING a labelled Points3D,
// TRIANGLE_LIST Mesh3D); DELETE is a Clear of the marker, DELETEALL a recursive Clear of the
// topic. Points of list types are in the marker's pose, so they are transformed by it here.
// Each row has the marker's own header stamp (ros_time) and frame_id (CoordinateFrame).
// Not drawn: MESH_RESOURCE markers (a mesh file by URL), textures, lifetimes.
//
// Markers are few and small: rows are assembled one marker at a time, then each component
// becomes one column.
#include <algorithm>
#include <cmath>
#include <map>

#include "import/columns_internal.hpp"
#include "import/mapping_internal.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
struct Quat {
  double x = 0, y = 0, z = 0, w = 1;
};

Vec3 rotate(const Quat& q, const Vec3& v) {
  // v' = v + 2 w (u x v) + 2 u x (u x v), u = (x, y, z)
  const Vec3 u{q.x, q.y, q.z};
  const Vec3 t{2 * (u.y * v.z - u.z * v.y), 2 * (u.z * v.x - u.x * v.z),
               2 * (u.x * v.y - u.y * v.x)};
  return {v.x + q.w * t.x + (u.y * t.z - u.z * t.y), v.y + q.w * t.y + (u.z * t.x - u.x * t.z),
          v.z + q.w * t.z + (u.x * t.y - u.y * t.x)};
}

uint32_t rgba(double r, double g, double b, double a) {
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

struct Group {
  std::vector<std::string> child;
  std::vector<int64_t> source;
  std::vector<int64_t> stamps;
  RowAssembler rows;
};

// Markers (a struct array, one marker per row; `source` their messages) into groups.
Status map_markers(const arrow::ArrayPtr& m, const std::vector<int64_t>& source,
                   std::vector<EntityRows>& out) {
  std::vector<double> id, type, action, px, py, pz, qx, qy, qz, qw, sx, sy, sz, cr, cg, cb, ca;
  if (!numbers(child(m, "id"), id) || !numbers(child(m, "type"), type) ||
      !numbers(child(m, "action"), action) || !numbers(child(m, "pose.position.x"), px) ||
      !numbers(child(m, "pose.position.y"), py) || !numbers(child(m, "pose.position.z"), pz) ||
      !numbers(child(m, "pose.orientation.x"), qx) ||
      !numbers(child(m, "pose.orientation.y"), qy) ||
      !numbers(child(m, "pose.orientation.z"), qz) ||
      !numbers(child(m, "pose.orientation.w"), qw) || !numbers(child(m, "scale.x"), sx) ||
      !numbers(child(m, "scale.y"), sy) || !numbers(child(m, "scale.z"), sz) ||
      !numbers(child(m, "color.r"), cr) || !numbers(child(m, "color.g"), cg) ||
      !numbers(child(m, "color.b"), cb) || !numbers(child(m, "color.a"), ca)) {
    return Status::Invalid("markers without id, type, action, pose, scale and color");
  }
  const arrow::ArrayPtr ns = child(m, "ns"), text = child(m, "text");
  const arrow::ArrayPtr stamp = child(m, "header.stamp"), frame = child(m, "header.frame_id");
  const bool stamped = stamp && stamp->type->id() == arrow::TypeId::kInt64;
  const arrow::ArrayPtr points_list = child(m, "points"), colors_list = child(m, "colors");
  const ListRows points = list_rows(points_list), colors = list_rows(colors_list);
  std::vector<double> ptx, pty, ptz, pcr, pcg, pcb, pca;
  if (points.valid()) {
    const arrow::ArrayPtr all = points_list->children[0];
    numbers(child(all, "x"), ptx);
    numbers(child(all, "y"), pty);
    numbers(child(all, "z"), ptz);
  }
  if (colors.valid()) {
    const arrow::ArrayPtr all = colors_list->children[0];
    numbers(child(all, "r"), pcr);
    numbers(child(all, "g"), pcg);
    numbers(child(all, "b"), pcb);
    numbers(child(all, "a"), pca);
  }
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (int64_t i = 0; i < m->length; ++i) {
    const size_t k = size_t(i);
    const int act = int(action[k]);
    Group* g;
    if (act == 3) {
      auto [it, added] = groups.try_emplace("");
      if (added) order.push_back("");
      g = &it->second;
    } else {
      const std::string name(ns ? text_at(*ns, i) : "");
      const std::string key = name + "\n" + std::to_string(int64_t(id[k]));
      auto [it, added] = groups.try_emplace(key);
      if (added) {
        order.push_back(key);
        if (!name.empty()) it->second.child.push_back(name);
        it->second.child.push_back(std::to_string(int64_t(id[k])));
      }
      g = &it->second;
    }
    g->source.push_back(source.empty() ? i : source[k]);
    if (stamped) g->stamps.push_back(stamp->values<int64_t>()[i]);
    RowAssembler& r = g->rows;
    r.begin_row();
    if (frame && !text_at(*frame, i).empty()) {
      r.add_text(CoordinateFrame::descriptor_frame(), "reel.components.TransformFrameId",
                 std::string(text_at(*frame, i)));
    }
    if (act == 2 || act == 3) {
      r.add_bool(Clear::descriptor_is_recursive(), act == 3);
      continue;
    }
    const Vec3 pos{px[k], py[k], pz[k]};
    const Quat q{qx[k], qy[k], qz[k], qw[k]};
    const uint32_t color = rgba(cr[k], cg[k], cb[k], ca[k]);
    // The marker's points, in the frame of its header (transformed by its pose).
    std::vector<float> pts;
    std::vector<uint32_t> pt_colors;
    if (points.valid()) {
      for (int64_t p = points.begin(i); p < points.end(i); ++p) {
        const Vec3 v = rotate(q, {ptx[size_t(p)], pty[size_t(p)], ptz[size_t(p)]});
        pts.insert(pts.end(), {float(pos.x + v.x), float(pos.y + v.y), float(pos.z + v.z)});
      }
    }
    if (colors.valid() && colors.end(i) - colors.begin(i) == int64_t(pts.size() / 3)) {
      for (int64_t c = colors.begin(i); c < colors.end(i); ++c) {
        pt_colors.push_back(rgba(pcr[size_t(c)], pcg[size_t(c)], pcb[size_t(c)], pca[size_t(c)]));
      }
    }
    if (pt_colors.empty()) pt_colors.assign(pts.size() / 3, color);
    const std::vector<float> center = {float(pos.x), float(pos.y), float(pos.z)};
    const std::vector<float> quat = {float(q.x), float(q.y), float(q.z), float(q.w)};
    const std::vector<float> half = {float(sx[k] / 2), float(sy[k] / 2), float(sz[k] / 2)};
    switch (int(type[k])) {
      case 0: {  // ARROW: from the pose along its x axis, or from points[0] to points[1]
        std::vector<float> origin = center, vector;
        if (pts.size() >= 6) {
          origin.assign(pts.begin(), pts.begin() + 3);
          vector = {pts[3] - pts[0], pts[4] - pts[1], pts[5] - pts[2]};
        } else {
          const Vec3 v = rotate(q, {sx[k], 0, 0});
          vector = {float(v.x), float(v.y), float(v.z)};
        }
        r.add_f32(Arrows3D::descriptor_vectors(), "reel.components.Vector3D", vector, 3);
        r.add_f32(Arrows3D::descriptor_origins(), "reel.components.Position3D", origin, 3);
        r.add_u32(Arrows3D::descriptor_colors(), "reel.components.Color", {color});
        break;
      }
      case 1:  // CUBE
        r.add_f32(Boxes3D::descriptor_half_sizes(), "reel.components.HalfSize3D", half, 3);
        r.add_f32(Boxes3D::descriptor_centers(), "reel.components.Position3D", center, 3);
        r.add_f32(Boxes3D::descriptor_quaternions(), "reel.components.RotationQuat", quat, 4);
        r.add_u32(Boxes3D::descriptor_colors(), "reel.components.Color", {color});
        break;
      case 2:  // SPHERE
        r.add_f32(Ellipsoids3D::descriptor_half_sizes(), "reel.components.HalfSize3D", half, 3);
        r.add_f32(Ellipsoids3D::descriptor_centers(), "reel.components.Translation3D", center, 3);
        r.add_f32(Ellipsoids3D::descriptor_quaternions(), "reel.components.RotationQuat", quat, 4);
        r.add_u32(Ellipsoids3D::descriptor_colors(), "reel.components.Color", {color});
        break;
      case 3:  // CYLINDER: along z, diameter scale.x
        r.add_f32(Cylinders3D::descriptor_lengths(), "reel.components.Length", {float(sz[k])}, 1);
        r.add_f32(Cylinders3D::descriptor_radii(), "reel.components.Radius", {float(sx[k] / 2)}, 1);
        r.add_f32(Cylinders3D::descriptor_centers(), "reel.components.Translation3D", center, 3);
        r.add_f32(Cylinders3D::descriptor_quaternions(), "reel.components.RotationQuat", quat, 4);
        r.add_u32(Cylinders3D::descriptor_colors(), "reel.components.Color", {color});
        break;
      case 4:    // LINE_STRIP
      case 5: {  // LINE_LIST: one strip per pair
        std::vector<std::vector<float>> strips;
        if (int(type[k]) == 4) {
          strips.push_back(pts);
        } else {
          for (size_t p = 0; p + 6 <= pts.size(); p += 6)
            strips.emplace_back(pts.begin() + p, pts.begin() + p + 6);
        }
        r.add_strips(LineStrips3D::descriptor_strips(), strips);
        r.add_f32(LineStrips3D::descriptor_radii(), "reel.components.Radius", {float(sx[k] / 2)},
                  1);
        r.add_u32(LineStrips3D::descriptor_colors(), "reel.components.Color", {color});
        break;
      }
      case 6: {  // CUBE_LIST
        std::vector<float> halves;
        for (size_t p = 0; p < pts.size() / 3; ++p)
          halves.insert(halves.end(), half.begin(), half.end());
        r.add_f32(Boxes3D::descriptor_half_sizes(), "reel.components.HalfSize3D", halves, 3);
        r.add_f32(Boxes3D::descriptor_centers(), "reel.components.Position3D", pts, 3);
        r.add_u32(Boxes3D::descriptor_colors(), "reel.components.Color", pt_colors);
        break;
      }
      case 7:    // SPHERE_LIST
      case 8: {  // POINTS
        r.add_f32(Points3D::descriptor_positions(), "reel.components.Position3D", pts, 3);
        r.add_f32(Points3D::descriptor_radii(), "reel.components.Radius", {float(sx[k] / 2)}, 1);
        r.add_u32(Points3D::descriptor_colors(), "reel.components.Color", pt_colors);
        break;
      }
      case 9:  // TEXT_VIEW_FACING
        r.add_f32(Points3D::descriptor_positions(), "reel.components.Position3D", center, 3);
        r.add_text(Points3D::descriptor_labels(), "reel.components.Text",
                   std::string(text ? text_at(*text, i) : ""));
        r.add_u32(Points3D::descriptor_colors(), "reel.components.Color", {color});
        break;
      case 11:  // TRIANGLE_LIST
        r.add_f32(Mesh3D::descriptor_vertex_positions(), "reel.components.Position3D", pts, 3);
        r.add_u32(Mesh3D::descriptor_vertex_colors(), "reel.components.Color", pt_colors);
        break;
      default:  // MESH_RESOURCE (a file by URL) and unknown types: nothing to draw
        break;
    }
  }
  for (const auto& key : order) {
    Group& g = groups[key];
    EntityRows rows;
    rows.child = g.child;
    rows.source = std::move(g.source);
    rows.ros_time = std::move(g.stamps);
    rows.components = g.rows.finish();
    if (!rows.components.empty()) out.push_back(std::move(rows));
  }
  return Status::OK();
}

}  // namespace

Status map_marker(const MapInput& in, std::vector<EntityRows>& out) {
  std::vector<int64_t> source(size_t(in.rows->length));
  for (int64_t i = 0; i < in.rows->length; ++i) source[size_t(i)] = i;
  return map_markers(in.rows, source, out);
}

Status map_marker_array(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr list = child(in.rows, "markers");
  const ListRows markers = list_rows(list);
  if (!markers.valid() || in.rows->length == 0) return Status::Invalid("no markers");
  const int64_t first = markers.begin(0), last = markers.end(in.rows->length - 1);
  std::vector<int64_t> source;
  for (int64_t i = 0; i < in.rows->length; ++i) {
    for (int64_t k = markers.begin(i); k < markers.end(i); ++k) source.push_back(i);
  }
  return map_markers(list->children[0]->slice(first, last - first), source, out);
}

}  // namespace reel::import::internal
