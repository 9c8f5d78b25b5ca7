// Converters between reel's and Rerun's Arrow layouts of the components whose layouts differ
// (definitions.toml `rerun_convert`): blobs and image buffers, line strips, marker shapes,
// image formats, tensor data, annotation contexts. They work on whole component columns
// (list<T> arrays, one row per chunk row): the annotation context changes the row's shape.
#pragma once

#include <string_view>

#include "reel/arrow/array.hpp"
#include "reel/status.hpp"

namespace reel::format::rrd::internal {

// `convert` is the component's rerun_convert ("" = none: the column is returned as is).
Result<arrow::ArrayPtr> column_to_rerun(std::string_view convert, const arrow::ArrayPtr& column);
// The inverse. Fails (the caller keeps Rerun's column as an unknown component) when the
// column's type is not Rerun's layout or holds what reel's layout cannot express.
Result<arrow::ArrayPtr> column_from_rerun(std::string_view convert, const arrow::ArrayPtr& column,
                                          const arrow::TypePtr& reel_value_type);

// Rerun's Arrow type of a converted component's values (the list's element type).
Result<arrow::TypePtr> rerun_value_type(std::string_view convert, const arrow::TypePtr& reel_type);

}  // namespace reel::format::rrd::internal
