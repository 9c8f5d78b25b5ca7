// Collection<T>: the values of one component in a log call, borrowed or owned.
//
// Constructed from an lvalue container or span it borrows (no copy: the data must stay
// alive until the log call returns, which copies it into the batcher); from an rvalue vector,
// an initializer list or a single value it owns. A single value is stored inline, without a
// heap allocation. Owned values are immutable and shared (copies of the collection share
// them): a log call may keep a reference to them instead of copying (large fixed-width
// batches become chunk buffers as they are; `owner()`).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace reel {

template <typename T>
class Collection {
 public:
  using value_type = T;
  Collection() = default;
  Collection(const T& single) : mode_(Mode::kSingle), single_(single) {}        // NOLINT
  Collection(T&& single) : mode_(Mode::kSingle), single_(std::move(single)) {}  // NOLINT
  Collection(std::span<const T> borrowed)  // NOLINT(google-explicit-constructor)
      : mode_(Mode::kBorrowed), borrowed_(borrowed.data()), size_(borrowed.size()) {}
  Collection(const std::vector<T>& borrowed)  // NOLINT(google-explicit-constructor)
      : Collection(std::span<const T>(borrowed)) {}
  Collection(std::vector<T>&& owned)  // NOLINT(google-explicit-constructor)
      : mode_(Mode::kOwned), owned_(std::make_shared<const std::vector<T>>(std::move(owned))) {}
  Collection(std::initializer_list<T> values)  // NOLINT(google-explicit-constructor)
      : mode_(Mode::kOwned), owned_(std::make_shared<const std::vector<T>>(values)) {}
  template <size_t N>
  Collection(const T (&array)[N])  // NOLINT(google-explicit-constructor)
      : Collection(std::span<const T>(array, N)) {}

  // Takes ownership of a copy of the values (for archetypes that outlive the source).
  static Collection owned_copy(std::span<const T> values) {
    return Collection(std::vector<T>(values.begin(), values.end()));
  }

  const T* data() const {
    switch (mode_) {
      case Mode::kSingle:
        return &single_;
      case Mode::kBorrowed:
        return borrowed_;
      case Mode::kOwned:
        return owned_->data();
      default:
        return nullptr;
    }
  }
  size_t size() const {
    switch (mode_) {
      case Mode::kSingle:
        return 1;
      case Mode::kBorrowed:
        return size_;
      case Mode::kOwned:
        return owned_->size();
      default:
        return 0;
    }
  }
  bool empty() const { return size() == 0; }
  // Whether this collection was given at all (an empty given collection is 0 instances).
  bool is_set() const { return mode_ != Mode::kUnset; }
  // What keeps owned values alive (they never change): null for borrowed or single values,
  // which are valid only during the log call.
  std::shared_ptr<const void> owner() const {
    return mode_ == Mode::kOwned ? std::shared_ptr<const void>(owned_) : nullptr;
  }
  std::span<const T> span() const { return {data(), size()}; }
  const T& operator[](size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }

 private:
  enum class Mode : unsigned char { kUnset, kSingle, kBorrowed, kOwned };
  Mode mode_ = Mode::kUnset;
  T single_{};
  const T* borrowed_ = nullptr;
  size_t size_ = 0;
  std::shared_ptr<const std::vector<T>> owned_;
};

}  // namespace reel
