// Python values -> reel component collections.
//
// `to_collection<T>(value, where, keep)` turns what a user passes for one archetype field
// into the Collection<T> the C++ archetype takes: numpy arrays (or anything numpy can read)
// of the right shape, Python scalars, strings, bytes. Numeric arrays of the component's
// dtype and C layout are borrowed, not copied (`keep` holds them alive); others are cast
// once. Errors are Python exceptions naming the field: "Points3D.positions: expected an
// array of shape (N, 3) or (3,), got shape (5, 2)" (ValueError for shapes and values,
// TypeError for dtypes and types).
//
// docs/python.md lists the accepted forms per component.
#pragma once

#include <string>
#include <vector>

#include "common.hpp"
#include "reel/types/collection.hpp"
#include "reel/types/components.hpp"

namespace reel::py_bindings {

using Keep = std::vector<py::object>;

// Which archetype field a value is for, for error messages.
struct Where {
  const char* archetype;
  const char* field;
  std::string str() const { return std::string(archetype) + "." + field; }
};

template <typename T>
Collection<T> to_collection(py::handle value, const Where& where, Keep& keep);

// numpy.asarray(value) with a clear error, checked to hold real numbers (not bool, str,
// object). `integers_only` rejects floats too.
py::array number_array(py::handle value, const Where& where, bool integers_only = false);

// Names <-> enums ("RGB", "U8", ...).
ColorModel parse_color_model(py::handle value, const Where& where);
ChannelDatatype datatype_of(const py::dtype& dtype, const Where& where);
ChannelDatatype parse_channel_datatype(py::handle value, const Where& where);
py::dtype dtype_of(ChannelDatatype datatype);
const char* color_model_name(ColorModel m);
const char* channel_datatype_name(ChannelDatatype d);

// The bytes of a buffer-protocol object (bytes, bytearray, memoryview, numpy array) without
// copying; `keep` holds the exporter. C-contiguous only.
std::span<const uint8_t> buffer_bytes(py::handle value, const Where& where, Keep& keep);

// A numpy array of the given component as C-contiguous memory with its values.
TensorData tensor_from_array(py::handle value, const Where& where, Keep& keep);

// Python classes for the struct-like component values (rr.AnnotationInfo, rr.ImageFormat).
void register_component_types(py::module_& m);
// rr.Quaternion, rr.RotationAxisAngle, rr.Angle (convert_spatial.cpp).
void register_rotation_types(py::module_& m);

}  // namespace reel::py_bindings
