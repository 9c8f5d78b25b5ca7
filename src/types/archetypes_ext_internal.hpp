// The hand-written parts of generated archetypes' collect(): checks and derived values for
// the archetypes whose definition says `collect_ext = true` (src/types/definitions.toml).
#pragma once

#include "reel/types/archetypes.hpp"

namespace reel {

void collect_ext(const Image& a, ComponentBatchList& out);
void collect_ext(const DepthImage& a, ComponentBatchList& out);
void collect_ext(const EncodedImage& a, ComponentBatchList& out);
void collect_ext(const Tensor& a, ComponentBatchList& out);
void collect_ext(const SegmentationImage& a, ComponentBatchList& out);
void collect_ext(const Mesh3D& a, ComponentBatchList& out);
void collect_ext(const Asset3D& a, ComponentBatchList& out);
void collect_ext(const BarChart& a, ComponentBatchList& out);

}  // namespace reel
