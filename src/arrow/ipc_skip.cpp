// The layout and name of Arrow IPC fields from the schema alone (ipc_internal.hpp): what the
// reader needs to pass over a field of a type reel does not represent.
//
// Buffer counts per type follow the Arrow columnar format ("Buffer Layouts", metadata V5):
// null none; fixed-width types (bool, ints, floats, decimals, dates, times, timestamps,
// intervals, durations, fixed-size binary) validity + values; binary and utf8, large or
// not, validity + offsets + data; views validity + views + the batch's variadic buffers;
// lists and maps validity + offsets; list views validity + offsets + sizes; fixed-size lists
// and structs validity; unions type ids (+ offsets when dense), no validity; run-end encoded
// none. A dictionary-encoded field holds its indices only (validity + values); its values come
// in dictionary batches. Every field has one field node, its children theirs after it.
#include <flatbuffers/flatbuffers.h>

#include "arrow/ipc_internal.hpp"
#include "arrow_ipc_generated.h"

namespace reel::arrow::ipc {

namespace {

std::string int_name(const fb::Int* t) {
  if (!t) return "int32";  // a dictionary's default index type
  return std::string(t->is_signed() ? "int" : "uint") + std::to_string(t->bit_width());
}

const char* unit_name(int16_t unit) {
  switch (unit) {
    case 0:
      return "s";
    case 1:
      return "ms";
    case 2:
      return "us";
    case 3:
      return "ns";
  }
  return "?";
}

std::string children_names(const fb::Field* f, int depth, const fb::Union* u = nullptr) {
  std::string s = "<";
  if (f->children()) {
    for (flatbuffers::uoffset_t i = 0; i < f->children()->size(); ++i) {
      const fb::Field* c = f->children()->Get(i);
      if (i) s += ", ";
      if (u && u->type_ids() && i < u->type_ids()->size()) {
        s += std::to_string(u->type_ids()->Get(i)) + " ";
      }
      s += (c && c->name() ? c->name()->str() : std::string()) + ": " +
           field_type_name(c, depth + 1);
    }
  }
  return s + ">";
}

std::string value_type_name(const fb::Field* f, int depth) {
  switch (f->type_type()) {
    case fb::Type_Null:
      return "null";
    case fb::Type_Bool:
      return "bool";
    case fb::Type_Int:
      return f->type_as_Int() ? int_name(f->type_as_Int()) : "int";
    case fb::Type_FloatingPoint: {
      const auto* t = f->type_as_FloatingPoint();
      const int p = t ? int(t->precision()) : -1;
      return p == 0 ? "float16" : p == 1 ? "float32" : p == 2 ? "float64" : "float";
    }
    case fb::Type_Binary:
      return "binary";
    case fb::Type_Utf8:
      return "utf8";
    case fb::Type_LargeBinary:
      return "large_binary";
    case fb::Type_LargeUtf8:
      return "large_utf8";
    case fb::Type_BinaryView:
      return "binary_view";
    case fb::Type_Utf8View:
      return "utf8_view";
    case fb::Type_Decimal: {
      const auto* t = f->type_as_Decimal();
      if (!t) return "decimal";
      return "decimal" + std::to_string(t->bit_width()) + "(" + std::to_string(t->precision()) +
             ", " + std::to_string(t->scale()) + ")";
    }
    case fb::Type_Date: {
      const auto* t = f->type_as_Date();
      return t && t->unit() == 0 ? "date32[day]" : "date64[ms]";
    }
    case fb::Type_Time: {
      const auto* t = f->type_as_Time();
      if (!t) return "time";
      return "time" + std::to_string(t->bit_width()) + "[" + unit_name(t->unit()) + "]";
    }
    case fb::Type_Timestamp: {
      const auto* t = f->type_as_Timestamp();
      if (!t) return "timestamp";
      return std::string("timestamp[") + unit_name(t->unit()) +
             (t->timezone() && t->timezone()->size() ? ", " + t->timezone()->str() : "") + "]";
    }
    case fb::Type_Duration: {
      const auto* t = f->type_as_Duration();
      return std::string("duration[") + (t ? unit_name(t->unit()) : "?") + "]";
    }
    case fb::Type_Interval: {
      const auto* t = f->type_as_Interval();
      const int u = t ? t->unit() : -1;
      return u == 0   ? "interval[year_month]"
             : u == 1 ? "interval[day_time]"
             : u == 2 ? "interval[month_day_nano]"
                      : "interval";
    }
    case fb::Type_FixedSizeBinary: {
      const auto* t = f->type_as_FixedSizeBinary();
      return "fixed_size_binary[" + std::to_string(t ? t->byte_width() : 0) + "]";
    }
    case fb::Type_List:
      return "list" + children_names(f, depth);
    case fb::Type_LargeList:
      return "large_list" + children_names(f, depth);
    case fb::Type_ListView:
      return "list_view" + children_names(f, depth);
    case fb::Type_LargeListView:
      return "large_list_view" + children_names(f, depth);
    case fb::Type_FixedSizeList: {
      const auto* t = f->type_as_FixedSizeList();
      return "fixed_size_list" + children_names(f, depth) + "[" +
             std::to_string(t ? t->list_size() : 0) + "]";
    }
    case fb::Type_Struct_:
      return "struct" + children_names(f, depth);
    case fb::Type_Map:
      return "map" + children_names(f, depth);
    case fb::Type_RunEndEncoded:
      return "run_end_encoded" + children_names(f, depth);
    case fb::Type_Union: {
      const auto* t = f->type_as_Union();
      const bool dense = t && t->mode() == kUnionModeDense;
      return std::string(dense ? "dense_union" : "sparse_union") + children_names(f, depth, t);
    }
    default:
      break;
  }
  return "type id " + std::to_string(int(f->type_type()));
}

}  // namespace

std::string field_type_name(const fb::Field* f, int depth) {
  if (!f) return "(missing)";
  if (depth > kMaxDepth) return "...";
  std::string values = value_type_name(f, depth);
  if (const auto* d = f->dictionary()) {
    return "dictionary<values=" + values + ", indices=" + int_name(d->index_type()) + ">";
  }
  return values;
}

Status add_field_layout(const fb::Field* f, int depth, FieldLayout& out) {
  if (depth > kMaxDepth) {
    return Status::Corrupt("schema nesting deeper than " + std::to_string(kMaxDepth));
  }
  if (!f) return Status::Corrupt("schema field is missing");
  out.nodes += 1;
  if (f->dictionary()) {  // the indices; the values are in dictionary batches
    out.buffers += 2;
    return Status::OK();
  }
  const size_t children = f->children() ? f->children()->size() : 0;
  auto need_children = [&](size_t n) -> Status {
    if (children == n) return Status::OK();
    return Status::Corrupt("field '" + (f->name() ? f->name()->str() : std::string()) +
                           "' of type " + value_type_name(f, depth) + " has " +
                           std::to_string(children) + " children, expected " + std::to_string(n));
  };
  switch (f->type_type()) {
    case fb::Type_Null:
      break;
    case fb::Type_Int:
    case fb::Type_FloatingPoint:
    case fb::Type_Bool:
    case fb::Type_Decimal:
    case fb::Type_Date:
    case fb::Type_Time:
    case fb::Type_Timestamp:
    case fb::Type_Interval:
    case fb::Type_Duration:
    case fb::Type_FixedSizeBinary:
      out.buffers += 2;
      break;
    case fb::Type_Binary:
    case fb::Type_Utf8:
    case fb::Type_LargeBinary:
    case fb::Type_LargeUtf8:
      out.buffers += 3;
      break;
    case fb::Type_BinaryView:
    case fb::Type_Utf8View:
      out.buffers += 2;
      out.variadic += 1;
      break;
    case fb::Type_List:
    case fb::Type_LargeList:
    case fb::Type_Map:
      REEL_RETURN_NOT_OK(need_children(1));
      out.buffers += 2;
      break;
    case fb::Type_ListView:
    case fb::Type_LargeListView:
      REEL_RETURN_NOT_OK(need_children(1));
      out.buffers += 3;
      break;
    case fb::Type_FixedSizeList:
      REEL_RETURN_NOT_OK(need_children(1));
      out.buffers += 1;
      break;
    case fb::Type_Struct_:
      out.buffers += 1;
      break;
    case fb::Type_Union: {
      const auto* t = f->type_as_Union();
      out.buffers += t && t->mode() == kUnionModeDense ? 2 : 1;
      break;
    }
    case fb::Type_RunEndEncoded:
      REEL_RETURN_NOT_OK(need_children(2));
      break;
    default:
      return Status::NotImplemented("field '" + (f->name() ? f->name()->str() : std::string()) +
                                    "' has Arrow type id " + std::to_string(int(f->type_type())) +
                                    ", whose layout reel does not know");
  }
  if (f->children()) {
    for (const auto* c : *f->children()) REEL_RETURN_NOT_OK(add_field_layout(c, depth + 1, out));
  }
  return Status::OK();
}

}  // namespace reel::arrow::ipc
