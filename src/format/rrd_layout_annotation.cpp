// AnnotationContext between layouts: reel logs one class description per instance
// (struct<class_id, label, color>); Rerun logs one instance per row holding the list of class
// descriptions, each with (here always empty) keypoint annotations and connections.
#include "format/rrd_layout_internal.hpp"

namespace reel::format::rrd::internal {

using arrow::ArrayData;
using arrow::ArrayPtr;
using arrow::Buffer;
using arrow::BufferPtr;
using arrow::TypeId;
using arrow::TypePtr;

namespace {

TypePtr info_type() {
  using namespace arrow;
  return struct_({field("id", uint16(), false), field("label", utf8()), field("color", uint32())});
}
TypePtr keypoint_pair_type() {
  using namespace arrow;
  return struct_({field("keypoint0", uint16(), false), field("keypoint1", uint16(), false)});
}
TypePtr description_type() {
  using namespace arrow;
  return struct_({field("info", info_type(), false),
                  field("keypoint_annotations", list(info_type(), false), false),
                  field("keypoint_connections", list(keypoint_pair_type(), false), false)});
}
TypePtr entry_type() {
  using namespace arrow;
  return struct_(
      {field("class_id", uint16(), false), field("class_description", description_type(), false)});
}

// The validity of `a`'s rows starting at bit 0 (null when there are no nulls).
BufferPtr rebased_validity(const ArrayData& a) {
  if (a.null_count == 0 || !a.buffers[0]) return nullptr;
  auto bits = Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(a.length)));
  arrow::bit_util::copy_bits(a.buffers[0]->data(), a.offset, a.length, bits->mutable_data(), 0);
  return bits;
}

ArrayPtr empty_lists(const TypePtr& item, int64_t n) {
  auto offsets = Buffer::allocate(size_t(n + 1) * 4);  // zeroed: every list empty
  return ArrayData::make(arrow::list(item, false), n, 0, {nullptr, offsets},
                         {arrow::make_null_array(item, 0)});
}

const ArrayPtr* child(const ArrayData& s, std::string_view name) {
  const auto& f = s.type->fields();
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i]->name == name) return &s.children[i];
  }
  return nullptr;
}

}  // namespace

TypePtr rerun_annotation_context() { return arrow::list(entry_type(), false); }

Result<ArrayPtr> annotation_context_to_rerun(const ArrayPtr& column) {
  ArrayPtr c = arrow::copy_array(column->children[0]);
  if (c->type->id() != TypeId::kStruct) return Status::TypeError("not reel's AnnotationContext");
  const ArrayPtr *id = child(*c, "class_id"), *label = child(*c, "label"),
                 *color = child(*c, "color");
  if (!id || !label || !color) return Status::TypeError("not reel's AnnotationContext");
  const int64_t n = c->length;
  auto info = ArrayData::make(info_type(), n, 0, {nullptr}, {*id, *label, *color});
  auto description =
      ArrayData::make(description_type(), n, 0, {nullptr},
                      {info, empty_lists(info_type(), n), empty_lists(keypoint_pair_type(), n)});
  auto entries = ArrayData::make(entry_type(), n, 0, {nullptr}, {*id, description});
  auto inner = ArrayData::make(rerun_annotation_context(), column->length, column->null_count,
                               {column->buffers[0], column->buffers[1]}, {entries}, column->offset);
  auto outer_offsets = Buffer::allocate(size_t(column->length + 1) * 4);
  for (int64_t i = 0; i <= column->length; ++i) {
    outer_offsets->mutable_data_as<int32_t>()[i] = int32_t(i);
  }
  return ArrayData::make(arrow::list(inner->type), column->length, column->null_count,
                         {rebased_validity(*column), outer_offsets}, {inner});
}

Result<ArrayPtr> annotation_context_from_rerun(const ArrayPtr& column, const TypePtr& reel_type) {
  const ArrayPtr& inner = column->children[0];
  if (inner->type->id() != TypeId::kList || inner->type->value_type()->id() != TypeId::kStruct) {
    return Status::TypeError("not Rerun's AnnotationContext");
  }
  const ArrayData& e = *inner->children[0];
  const ArrayPtr* id = child(e, "class_id");
  const ArrayPtr* desc = child(e, "class_description");
  const ArrayPtr* info = desc ? child(**desc, "info") : nullptr;
  const ArrayPtr* label = info ? child(**info, "label") : nullptr;
  const ArrayPtr* color = info ? child(**info, "color") : nullptr;
  if (!id || !label || !color || (*id)->type->id() != TypeId::kUInt16) {
    return Status::TypeError("Rerun's AnnotationContext without class_id, label or color");
  }
  std::vector<int64_t> take_idx;
  std::vector<int32_t> offsets = {0};
  const int32_t* oo = column->length ? column->values<int32_t>(1) : nullptr;
  for (int64_t i = 0; i < column->length; ++i) {
    if (column->is_valid(i)) {
      if (oo[i + 1] - oo[i] > 1) {
        return Status::NotImplemented("a row with several annotation contexts");
      }
      const int64_t el = oo[i];
      if (oo[i + 1] > oo[i] && inner->is_valid(el)) {
        const int32_t* io = inner->values<int32_t>(1);
        for (int64_t k = io[el]; k < io[el + 1]; ++k) take_idx.push_back(k);
      }
    }
    offsets.push_back(int32_t(take_idx.size()));
  }
  // Struct children are indexed with the struct's offset; the descriptions' keypoints are
  // dropped (reel's AnnotationContext has none).
  auto taken = [&](const ArrayPtr& a, int64_t offset) -> Result<ArrayPtr> {
    return arrow::take(*a->slice(offset, e.length), take_idx);
  };
  const int64_t info_offset = e.offset + (*desc)->offset + (*info)->offset;
  REEL_ASSIGN_OR_RETURN(auto ids, taken(*id, e.offset));
  REEL_ASSIGN_OR_RETURN(auto labels, taken(*label, info_offset));
  REEL_ASSIGN_OR_RETURN(auto colors, taken(*color, info_offset));
  const auto& rf = reel_type->fields();
  if (rf.size() != 3 || !type_equals(labels->type, rf[1]->type) ||
      !type_equals(colors->type, rf[2]->type)) {
    return Status::TypeError("AnnotationContext fields of other types");
  }
  auto values =
      ArrayData::make(reel_type, int64_t(take_idx.size()), 0, {nullptr}, {ids, labels, colors});
  return ArrayData::make(
      arrow::list(reel_type), column->length, column->null_count,
      {rebased_validity(*column), Buffer::copy_of(offsets.data(), offsets.size() * 4)}, {values});
}

}  // namespace reel::format::rrd::internal
