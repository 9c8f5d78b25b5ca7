// foxglove.SceneUpdate: each SceneEntity is the entity <topic>/<id>, its primitives the shapes
// reel has (cubes Boxes3D, spheres Ellipsoids3D, cylinders Cylinders3D, arrows Arrows3D, lines
// LineStrips3D, texts labelled Points3D, triangle lists Mesh3D), with the SceneEntity's
// frame_id as CoordinateFrame and its timestamp as ros_time. A deletion of one id is a Clear
// of its entity; a deletion of all a recursive Clear of the topic. Models (meshes by URL or
// embedded glTF) are not drawn.
#include "import/columns_internal.hpp"
#include "import/mapping_internal.hpp"
#include "import/shapes_internal.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

// The pose and color columns of a primitive list's values, read once per batch.
struct Primitives {
  ListRows rows;  // per SceneEntity row
  arrow::ArrayPtr values;
  std::vector<double> px, py, pz, qx, qy, qz, qw, r, g, b, a;

  explicit Primitives(const arrow::ArrayPtr& entities, const char* name) {
    const arrow::ArrayPtr list = child(entities, name);
    rows = list_rows(list);
    if (!rows.valid()) return;
    values = list->children[0];
    numbers(child(values, "pose.position.x"), px);
    numbers(child(values, "pose.position.y"), py);
    numbers(child(values, "pose.position.z"), pz);
    numbers(child(values, "pose.orientation.x"), qx);
    numbers(child(values, "pose.orientation.y"), qy);
    numbers(child(values, "pose.orientation.z"), qz);
    numbers(child(values, "pose.orientation.w"), qw);
    numbers(child(values, "color.r"), r);
    numbers(child(values, "color.g"), g);
    numbers(child(values, "color.b"), b);
    numbers(child(values, "color.a"), a);
  }
  bool valid() const { return rows.valid(); }
  int64_t begin(int64_t e) const { return rows.begin(e); }
  int64_t end(int64_t e) const { return rows.end(e); }
  static double at(const std::vector<double>& v, int64_t k) {
    return size_t(k) < v.size() ? v[size_t(k)] : 0.0;
  }
  Vec3 position(int64_t k) const { return {at(px, k), at(py, k), at(pz, k)}; }
  // An absent orientation (all zero) is the identity.
  Quat orientation(int64_t k) const {
    Quat q{at(qx, k), at(qy, k), at(qz, k), at(qw, k)};
    if (q.x == 0 && q.y == 0 && q.z == 0 && q.w == 0) q.w = 1;
    return q;
  }
  uint32_t color(int64_t k) const { return rgba(at(r, k), at(g, k), at(b, k), at(a, k)); }
  std::vector<double> number(const char* field) const {
    std::vector<double> v;
    numbers(child(values, field), v);
    return v;
  }
};

void append(std::vector<float>& out, const Vec3& v) {
  out.insert(out.end(), {float(v.x), float(v.y), float(v.z)});
}

struct Group {
  std::vector<std::string> child;
  std::vector<int64_t> source, stamps;
  bool stamped = true;
  RowAssembler rows;
};

}  // namespace

Status map_scene_update(const MapInput& in, std::vector<EntityRows>& out) {
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  auto group = [&](const std::string& key, std::vector<std::string> child) -> Group& {
    auto [it, added] = groups.try_emplace(key);
    if (added) {
      order.push_back(key);
      it->second.child = std::move(child);
    }
    return it->second;
  };
  auto stamp_row = [](Group& g, const arrow::ArrayPtr& stamps, int64_t k) {
    if (stamps && stamps->type->id() == arrow::TypeId::kInt64 && stamps->is_valid(k)) {
      g.stamps.push_back(stamps->values<int64_t>()[k]);
    } else {
      g.stamped = false;
    }
  };
  // A message's deletions come before its entities: one that deletes and re-adds an entity
  // shows the new one last.
  const arrow::ArrayPtr deletions_list = child(in.rows, "deletions");
  const ListRows deletions = list_rows(deletions_list);
  const arrow::ArrayPtr d = deletions.valid() ? deletions_list->children[0] : nullptr;
  const arrow::ArrayPtr deleted_ids = child(d, "id"), deletion_stamps = child(d, "timestamp");
  std::vector<double> deletion_type;
  numbers(child(d, "type"), deletion_type);
  auto delete_rows = [&](int64_t i) {
    if (!deletions.valid()) return;
    for (int64_t k = deletions.begin(i); k < deletions.end(i); ++k) {
      const bool all = size_t(k) < deletion_type.size() && deletion_type[size_t(k)] == 1;
      const std::string id(deleted_ids ? text_at(*deleted_ids, k) : "");
      Group& g = all ? group("", {}) : group("\n" + id, {id});
      g.source.push_back(i);
      stamp_row(g, deletion_stamps, k);
      g.rows.begin_row();
      g.rows.add_bool(Clear::descriptor_is_recursive(), all);
    }
  };
  const arrow::ArrayPtr entities_list = child(in.rows, "entities");
  const ListRows entities = list_rows(entities_list);
  if (!entities.valid()) return Status::Invalid("no entities");
  const arrow::ArrayPtr e = entities_list->children[0];
  const arrow::ArrayPtr ids = child(e, "id"), frames = child(e, "frame_id"),
                        stamps = child(e, "timestamp");
  const Primitives cubes(e, "cubes"), spheres(e, "spheres"), cylinders(e, "cylinders"),
      arrows(e, "arrows"), lines(e, "lines"), texts(e, "texts"), triangles(e, "triangles");
  const std::vector<double> cube_sx = cubes.number("size.x"), cube_sy = cubes.number("size.y"),
                            cube_sz = cubes.number("size.z");
  const std::vector<double> sphere_sx = spheres.number("size.x"),
                            sphere_sy = spheres.number("size.y"),
                            sphere_sz = spheres.number("size.z");
  const std::vector<double> cyl_sx = cylinders.number("size.x"),
                            cyl_sz = cylinders.number("size.z");
  const std::vector<double> shaft = arrows.number("shaft_length"),
                            head = arrows.number("head_length");
  const std::vector<double> line_type = lines.number("type"), thickness = lines.number("thickness");
  const arrow::ArrayPtr text_values = texts.valid() ? child(texts.values, "text") : nullptr;
  // Points of lines and triangle lists (Point3 lists inside each primitive).
  struct PointLists {
    ListRows rows;
    std::vector<double> x, y, z;
  };
  auto point_lists = [](const Primitives& p) {
    PointLists l;
    if (!p.valid()) return l;
    const arrow::ArrayPtr list = child(p.values, "points");
    l.rows = list_rows(list);
    if (!l.rows.valid()) return l;
    numbers(child(list->children[0], "x"), l.x);
    numbers(child(list->children[0], "y"), l.y);
    numbers(child(list->children[0], "z"), l.z);
    return l;
  };
  const PointLists line_points = point_lists(lines), triangle_points = point_lists(triangles);
  auto points_of = [](const Primitives& p, const PointLists& l, int64_t k) {
    std::vector<float> pts;
    if (!l.rows.valid()) return pts;
    const Vec3 pos = p.position(k);
    const Quat q = p.orientation(k);
    for (int64_t j = l.rows.begin(k); j < l.rows.end(k); ++j) {
      const Vec3 v = rotate(q, {l.x[size_t(j)], l.y[size_t(j)], l.z[size_t(j)]});
      append(pts, {pos.x + v.x, pos.y + v.y, pos.z + v.z});
    }
    return pts;
  };
  for (int64_t i = 0; i < in.rows->length; ++i) {
    delete_rows(i);
    for (int64_t k = entities.begin(i); k < entities.end(i); ++k) {
      const std::string id(ids ? text_at(*ids, k) : "");
      Group& g = group("\n" + id, {id});
      g.source.push_back(i);
      stamp_row(g, stamps, k);
      RowAssembler& r = g.rows;
      r.begin_row();
      if (frames && !text_at(*frames, k).empty()) {
        r.add_text(CoordinateFrame::descriptor_frame(), "reel.components.TransformFrameId",
                   std::string(text_at(*frames, k)));
      }
      auto each = [](const Primitives& p, int64_t entity, auto&& f) {
        if (!p.valid()) return;
        for (int64_t j = p.begin(entity); j < p.end(entity); ++j) f(j);
      };
      std::vector<float> centers, halves, quats;
      std::vector<uint32_t> colors;
      auto posed = [&](const Primitives& p, int64_t j) {
        append(centers, p.position(j));
        const Quat q = p.orientation(j);
        quats.insert(quats.end(), {float(q.x), float(q.y), float(q.z), float(q.w)});
        colors.push_back(p.color(j));
      };
      auto flush = [&](const ComponentDescriptor& h, const char* h_type,
                       const ComponentDescriptor& c, const char* c_type,
                       const ComponentDescriptor& q, const ComponentDescriptor& col) {
        if (centers.empty()) return;
        if (!h.identifier().empty()) r.add_f32(h, h_type, halves, 3);
        r.add_f32(c, c_type, centers, 3);
        r.add_f32(q, "reel.components.RotationQuat", quats, 4);
        r.add_u32(col, "reel.components.Color", colors);
        centers.clear();
        halves.clear();
        quats.clear();
        colors.clear();
      };
      each(cubes, k, [&](int64_t j) {
        posed(cubes, j);
        append(halves, {Primitives::at(cube_sx, j) / 2, Primitives::at(cube_sy, j) / 2,
                        Primitives::at(cube_sz, j) / 2});
      });
      flush(Boxes3D::descriptor_half_sizes(), "reel.components.HalfSize3D",
            Boxes3D::descriptor_centers(), "reel.components.Position3D",
            Boxes3D::descriptor_quaternions(), Boxes3D::descriptor_colors());
      each(spheres, k, [&](int64_t j) {
        posed(spheres, j);
        append(halves, {Primitives::at(sphere_sx, j) / 2, Primitives::at(sphere_sy, j) / 2,
                        Primitives::at(sphere_sz, j) / 2});
      });
      flush(Ellipsoids3D::descriptor_half_sizes(), "reel.components.HalfSize3D",
            Ellipsoids3D::descriptor_centers(), "reel.components.Translation3D",
            Ellipsoids3D::descriptor_quaternions(), Ellipsoids3D::descriptor_colors());
      std::vector<float> lengths, radii;
      each(cylinders, k, [&](int64_t j) {
        posed(cylinders, j);
        lengths.push_back(float(Primitives::at(cyl_sz, j)));
        radii.push_back(float(Primitives::at(cyl_sx, j) / 2));
      });
      if (!centers.empty()) {
        r.add_f32(Cylinders3D::descriptor_lengths(), "reel.components.Length", lengths, 1);
        r.add_f32(Cylinders3D::descriptor_radii(), "reel.components.Radius", radii, 1);
      }
      flush(ComponentDescriptor(), "", Cylinders3D::descriptor_centers(),
            "reel.components.Translation3D", Cylinders3D::descriptor_quaternions(),
            Cylinders3D::descriptor_colors());
      // Arrows: from the pose along its x axis, shaft and head together.
      std::vector<float> origins, vectors;
      std::vector<uint32_t> arrow_colors;
      each(arrows, k, [&](int64_t j) {
        append(origins, arrows.position(j));
        append(vectors, rotate(arrows.orientation(j),
                               {Primitives::at(shaft, j) + Primitives::at(head, j), 0, 0}));
        arrow_colors.push_back(arrows.color(j));
      });
      if (!origins.empty()) {
        r.add_f32(Arrows3D::descriptor_vectors(), "reel.components.Vector3D", vectors, 3);
        r.add_f32(Arrows3D::descriptor_origins(), "reel.components.Position3D", origins, 3);
        r.add_u32(Arrows3D::descriptor_colors(), "reel.components.Color", arrow_colors);
      }
      // Lines: LINE_STRIP 0, LINE_LOOP 1 (closed), LINE_LIST 2 (pairs).
      std::vector<std::vector<float>> strips;
      std::vector<float> strip_radii;
      std::vector<uint32_t> strip_colors;
      each(lines, k, [&](int64_t j) {
        std::vector<float> pts = points_of(lines, line_points, j);
        const int type = int(Primitives::at(line_type, j));
        const float radius = float(Primitives::at(thickness, j) / 2);
        if (type == 2) {
          for (size_t p = 0; p + 6 <= pts.size(); p += 6) {
            strips.emplace_back(pts.begin() + long(p), pts.begin() + long(p) + 6);
            strip_radii.push_back(radius);
            strip_colors.push_back(lines.color(j));
          }
          return;
        }
        if (type == 1 && pts.size() >= 3) pts.insert(pts.end(), pts.begin(), pts.begin() + 3);
        strips.push_back(std::move(pts));
        strip_radii.push_back(radius);
        strip_colors.push_back(lines.color(j));
      });
      if (!strips.empty()) {
        r.add_strips(LineStrips3D::descriptor_strips(), strips);
        r.add_f32(LineStrips3D::descriptor_radii(), "reel.components.Radius", strip_radii, 1);
        r.add_u32(LineStrips3D::descriptor_colors(), "reel.components.Color", strip_colors);
      }
      std::vector<float> label_positions;
      std::vector<uint32_t> label_colors;
      std::vector<std::string> labels;
      each(texts, k, [&](int64_t j) {
        append(label_positions, texts.position(j));
        label_colors.push_back(texts.color(j));
        labels.emplace_back(text_values ? text_at(*text_values, j) : "");
      });
      if (!labels.empty()) {
        r.add_f32(Points3D::descriptor_positions(), "reel.components.Position3D", label_positions,
                  3);
        r.add_u32(Points3D::descriptor_colors(), "reel.components.Color", label_colors);
        for (const auto& l : labels)
          r.add_text(Points3D::descriptor_labels(), "reel.components.Text", l);
      }
      std::vector<float> vertices;
      std::vector<uint32_t> vertex_colors;
      each(triangles, k, [&](int64_t j) {
        std::vector<float> pts = points_of(triangles, triangle_points, j);
        vertex_colors.insert(vertex_colors.end(), pts.size() / 3, triangles.color(j));
        vertices.insert(vertices.end(), pts.begin(), pts.end());
      });
      if (!vertices.empty()) {
        r.add_f32(Mesh3D::descriptor_vertex_positions(), "reel.components.Position3D", vertices, 3);
        r.add_u32(Mesh3D::descriptor_vertex_colors(), "reel.components.Color", vertex_colors);
      }
    }
  }
  for (const auto& key : order) {
    Group& g = groups[key];
    EntityRows rows;
    rows.child = g.child;
    rows.source = std::move(g.source);
    if (g.stamped) rows.ros_time = std::move(g.stamps);
    rows.components = g.rows.finish();
    if (!rows.components.empty()) out.push_back(std::move(rows));
  }
  return Status::OK();
}

}  // namespace reel::import::internal
