// reel: record, store, query and view multimodal time-series data.
//
// The one header a program needs for logging: RecordingStream, archetypes, components and
// the in-process ChunkStore.
#pragma once

#include "reel/arrow/array.hpp"
#include "reel/chunk/chunk.hpp"
#include "reel/query/latest_at.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/sdk/sink.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/types/archetypes.hpp"
#include "reel/types/components.hpp"
#include "reel/version.hpp"
