// ComponentBatch: the instances of one component in one log call, as the batcher takes them.
//
// A batch is a view: fixed-width values point at the caller's memory (valid until the log
// call returns, or as long as `owner` lives when it is set); other values are an Arrow array.
// Archetypes produce batches into a ComponentBatchList, which lives on the stack (no heap
// allocation for the list itself).
#pragma once

#include <array>
#include <cstdint>
#include <new>
#include <span>
#include <string>

#include "reel/arrow/array.hpp"
#include "reel/chunk/component.hpp"
#include "reel/status.hpp"
#include "reel/types/collection.hpp"
#include "reel/types/components.hpp"

namespace reel {

struct ComponentBatch {
  ComponentDescriptor descriptor;
  const arrow::TypePtr* type = nullptr;  // element type (points at a static TypePtr)
  int64_t num_instances = 0;
  const void* data = nullptr;  // fixed-width: num_instances * width bytes
  int64_t width = 0;           // bytes per instance; 0 when `array` holds the values
  arrow::ArrayPtr array;       // variable-size values (num_instances long)
  // Set when `data` is immutable and stays valid while this lives (an owned Collection): the
  // batcher may then reference large values instead of copying them.
  std::shared_ptr<const void> owner;

  template <typename T>
  static ComponentBatch from(const ComponentDescriptor& descriptor, std::span<const T> values) {
    ComponentBatch b;
    b.descriptor = descriptor;
    b.type = &ComponentTraits<T>::type();
    b.num_instances = int64_t(values.size());
    if constexpr (ComponentTraits<T>::kFlat) {
      static_assert(std::is_trivially_copyable_v<T>);
      b.data = values.data();
      b.width = int64_t(sizeof(T));
    } else {
      b.array = ComponentTraits<T>::to_arrow(values);
    }
    return b;
  }

  // The values as an Arrow array (copies fixed-width values).
  arrow::ArrayPtr to_arrow() const;
};

// Up to kMaxComponents batches of one log call. Storage is raw and constructed on push, so
// that an empty list costs nothing to create (it is made once per log call).
class ComponentBatchList {
 public:
  static constexpr size_t kMaxComponents = 24;

  ComponentBatchList() = default;
  ComponentBatchList(const ComponentBatchList&) = delete;
  ComponentBatchList& operator=(const ComponentBatchList&) = delete;
  ~ComponentBatchList() {
    for (size_t i = 0; i < size_; ++i) slot(i)->~ComponentBatch();
  }

  template <typename T>
  void add(const ComponentDescriptor& descriptor, const Collection<T>& values) {
    if (!values.is_set()) return;
    ComponentBatch batch = ComponentBatch::from<T>(descriptor, values.span());
    if (batch.data) batch.owner = values.owner();
    push(std::move(batch));
  }
  void push(ComponentBatch batch) {
    if (size_ == kMaxComponents) {
      overflow_ = true;
      return;
    }
    new (slot(size_++)) ComponentBatch(std::move(batch));
  }
  // Records a shape or value error found while collecting; `log` reports it.
  void fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

  size_t size() const { return size_; }
  const ComponentBatch& operator[](size_t i) const { return *slot(i); }
  const ComponentBatch* begin() const { return slot(0); }
  const ComponentBatch* end() const { return slot(size_); }
  bool overflow() const { return overflow_; }
  const Status& status() const { return status_; }

 private:
  ComponentBatch* slot(size_t i) { return reinterpret_cast<ComponentBatch*>(storage_) + i; }
  const ComponentBatch* slot(size_t i) const {
    return reinterpret_cast<const ComponentBatch*>(storage_) + i;
  }
  alignas(ComponentBatch) unsigned char storage_[kMaxComponents * sizeof(ComponentBatch)];
  size_t size_ = 0;
  bool overflow_ = false;
  Status status_;
};

// Something `log` accepts: an archetype, or anything with `collect(ComponentBatchList&)`.
template <typename T>
concept AsComponents = requires(const T& t, ComponentBatchList& out) {
  t.collect(out);
};

// Checks an archetype's batch sizes: every optional component has 0, 1 (a splat) or
// `primary` instances. The error names the archetype and both counts.
Status check_instance_counts(const ComponentBatchList& batches, size_t first, size_t last,
                             std::string_view archetype);

// A single component batch logged on its own: rec.log("x", reel::component_batch(...)).
struct LooseBatch {
  ComponentBatch batch;
  void collect(ComponentBatchList& out) const { out.push(batch); }
};
template <typename T>
LooseBatch component_batch(const ComponentDescriptor& descriptor, std::span<const T> values) {
  return {ComponentBatch::from<T>(descriptor, values)};
}

}  // namespace reel
