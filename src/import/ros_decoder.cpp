// ROS 2 CDR and ROS 1 serialization, decoded from the schema tree straight into columns.
//
// The schema is compiled once into a plan per message type (one op per field, with the
// node it writes and what its elements need); decoding walks the plan over the bytes. Arrays of
// fixed-width numbers (and uint8 data) are one bounds check and one copy, whatever their length.
//
// Layouts. CDR (XCDR1, what ROS 2 middlewares write): after the 4-byte encapsulation header,
// every primitive is aligned to its size (8 at most) relative to the end of that header;
// strings are a uint32 length that counts a trailing NUL, then the bytes and the NUL;
// sequences a uint32 count (aligned to 4), then the elements (aligned only when there is at
// least one); Time/Duration are int32 sec + uint32 nanosec. ROS 1: little-endian, no
// alignment, strings a uint32 length without NUL, arrays a uint32 count; time is uint32 sec +
// uint32 nsec, duration int32 + int32.
#include <cstring>

#include "import/decoder_internal.hpp"
#include "reel/common/byte_order.hpp"

namespace reel::import {

namespace {

using internal::ColumnTree;
using internal::DecodeError;
using internal::Node;

struct Op {
  enum Code : uint8_t {
    kPrim,  // a fixed-width number
    kBool,
    kString,
    kTime,  // kTime or kDuration
    kStruct,
    kBytes,       // uint8[] / uint8[<=N] -> binary
    kFixedBytes,  // uint8[N] -> fixed_size_binary
    kPrimArray,   // numbers[] -> list / fixed_size_list of a fixed-width child
    kBoolArray,
    kStringArray,
    kTimeArray,
    kStructArray,
  };
  Code code = kPrim;
  ArrayKind array = ArrayKind::kNone;
  ScalarType scalar = ScalarType::kInt32;
  uint8_t size = 0;           // bytes of one number
  uint32_t count = 0;         // kFixed: N; kBounded: the bound
  uint32_t string_bound = 0;  // 0: none
  uint64_t elem_min = 0;      // the fewest bytes one element takes
  int32_t node = -1;
  int32_t elem = -1;
  int32_t sub = -1;  // plan of the nested message
  const std::string* name = nullptr;
};

struct Plan {
  int32_t node = -1;
  uint64_t min_size = 0;
  std::vector<Op> ops;
};

uint8_t number_size(ScalarType s) {
  switch (s) {
    case ScalarType::kInt8:
    case ScalarType::kUInt8:
      return 1;
    case ScalarType::kInt16:
    case ScalarType::kUInt16:
      return 2;
    case ScalarType::kInt32:
    case ScalarType::kUInt32:
    case ScalarType::kFloat32:
      return 4;
    case ScalarType::kInt64:
    case ScalarType::kUInt64:
    case ScalarType::kFloat64:
      return 8;
    default:
      return 0;
  }
}

uint64_t sat_mul(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}
uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

void swap_in_place(uint8_t* p, size_t count, uint8_t size) {
  for (size_t i = 0; i < count; ++i, p += size) {
    if (size == 2) {
      bytes::store_be(p, bytes::load_le<uint16_t>(p));
    } else if (size == 4) {
      bytes::store_be(p, bytes::load_le<uint32_t>(p));
    } else if (size == 8) {
      bytes::store_be(p, bytes::load_le<uint64_t>(p));
    }
  }
}

// Walks a plan over one message. kCdr: CDR alignment, NUL-terminated strings and ROS 2 times;
// kSwap: big-endian data.
template <bool kCdr, bool kSwap>
class Walker {
 public:
  Walker(ColumnTree& tree, const std::vector<Plan>& plans, std::span<const uint8_t> bytes,
         size_t start, DecodeError& err)
      : tree_(tree),
        plans_(plans),
        p_(bytes.data()),
        size_(bytes.size()),
        pos_(start),
        origin_(start),
        budget_(uint64_t(bytes.size()) * 8 + 65536),
        err_(err) {}

  bool message(const Plan& plan) {
    if (++work_ > budget_) return fail("the message nests more empty elements than it has bytes");
    for (const Op& op : plan.ops) {
      if (!field(op)) {
        err_.path.push_back(*op.name);
        return false;
      }
    }
    ColumnTree::close_entry(tree_.node(plan.node));
    return true;
  }

 private:
  bool fail(std::string what) {
    err_.offset = pos_;
    err_.what = std::move(what);
    return false;
  }
  size_t left() const { return pos_ <= size_ ? size_ - pos_ : 0; }
  bool need(uint64_t n, const char* what) {
    if (pos_ <= size_ && n <= size_ - pos_) return true;
    return fail(std::string(what) + " of " + std::to_string(n) + " bytes runs past the end (" +
                std::to_string(left()) + " left)");
  }
  void align(size_t a) {
    if constexpr (kCdr) {
      if (a > 8) a = 8;
      const size_t rel = (pos_ - origin_) % a;
      if (rel) pos_ += a - rel;
    }
  }
  template <typename T>
  bool number(T& v, const char* what) {
    align(sizeof(T));
    if (!need(sizeof(T), what)) return false;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    if constexpr (kSwap) v = bytes::byteswap(v);
    pos_ += sizeof(T);
    return true;
  }
  bool length(uint32_t& n) { return number(n, "a length"); }

  bool count(const Op& op, uint32_t& n) {
    if (op.array == ArrayKind::kFixed) {
      n = op.count;
      return true;
    }
    if (!length(n)) return false;
    if (op.array == ArrayKind::kBounded && n > op.count) {
      return fail(std::to_string(n) + " elements exceed the bound of " + std::to_string(op.count));
    }
    if (op.elem_min > 0 && uint64_t(n) > left() / op.elem_min) {
      return fail(std::to_string(n) + " elements of at least " + std::to_string(op.elem_min) +
                  " bytes cannot fit in the " + std::to_string(left()) + " bytes left");
    }
    return true;
  }

  bool close(const Op& op) {
    Node& n = tree_.node(op.node);
    if (op.array == ArrayKind::kFixed) {
      ColumnTree::close_entry(n);
      return true;
    }
    return tree_.close_list(n) || fail("the batch holds more than 2^31 elements");
  }

  bool string(Node& node, uint32_t bound) {
    uint32_t n;
    if (!length(n)) return false;
    if (!need(n, "a string")) return false;
    const uint8_t* s = p_ + pos_;
    pos_ += n;
    size_t len = n;
    if constexpr (kCdr) {
      if (len > 0 && s[len - 1] == 0) --len;  // the NUL that CDR lengths count
    }
    if (bound && len > bound) {
      return fail("a string of " + std::to_string(len) + " bytes exceeds its bound of " +
                  std::to_string(bound));
    }
    bool ok;
    if (internal::is_valid_utf8(s, len)) {
      ok = ColumnTree::append_bytes(node, s, len);
    } else {
      const std::string clean = internal::sanitize_utf8(s, len);
      ok = ColumnTree::append_bytes(node, clean.data(), clean.size());
    }
    return ok || fail("the batch holds more than 2 GiB of strings");
  }

  bool time(Node& node, ScalarType kind) {
    int64_t ns;
    if (kCdr || kind == ScalarType::kDuration) {
      int32_t sec;
      if (!number(sec, "a time")) return false;
      if (kCdr) {
        uint32_t nsec;
        if (!number(nsec, "a time")) return false;
        ns = int64_t(sec) * 1000000000 + int64_t(nsec);
      } else {
        int32_t nsec;
        if (!number(nsec, "a duration")) return false;
        ns = int64_t(sec) * 1000000000 + int64_t(nsec);
      }
    } else {
      uint32_t sec, nsec;
      if (!number(sec, "a time") || !number(nsec, "a time")) return false;
      ns = int64_t(sec) * 1000000000 + int64_t(nsec);
    }
    ColumnTree::append_value(node, ns);
    return true;
  }

  bool prim(Node& node, uint8_t size) {
    align(size);
    if (!need(size, "a number")) return false;
    if constexpr (kSwap) {
      uint8_t tmp[8];
      std::memcpy(tmp, p_ + pos_, size);
      swap_in_place(tmp, 1, size);
      ColumnTree::append_fixed(node, tmp);
    } else {
      ColumnTree::append_fixed(node, p_ + pos_);
    }
    pos_ += size;
    return true;
  }

  bool field(const Op& op) {
    switch (op.code) {
      case Op::kPrim:
        return prim(tree_.node(op.node), op.size);
      case Op::kBool: {
        if (!need(1, "a bool")) return false;
        ColumnTree::append_bool(tree_.node(op.node), p_[pos_++] != 0);
        return true;
      }
      case Op::kString:
        return string(tree_.node(op.node), op.string_bound);
      case Op::kTime:
        return time(tree_.node(op.node), op.scalar);
      case Op::kStruct:
        return message(plans_[size_t(op.sub)]);
      case Op::kBytes: {
        uint32_t n;
        if (!count(op, n) || !need(n, "a byte array")) return false;
        if (!ColumnTree::append_bytes(tree_.node(op.node), p_ + pos_, n)) {
          return fail("the batch holds more than 2 GiB of bytes");
        }
        pos_ += n;
        return true;
      }
      case Op::kFixedBytes: {
        if (!need(op.count, "a byte array")) return false;
        ColumnTree::append_fixed_bytes(tree_.node(op.node), p_ + pos_);
        pos_ += op.count;
        return true;
      }
      case Op::kPrimArray: {
        uint32_t n;
        if (!count(op, n)) return false;
        if (n > 0) {
          align(op.size);
          const uint64_t bytes = uint64_t(n) * op.size;
          if (!need(bytes, "an array")) return false;
          Node& child = tree_.node(op.elem);
          const size_t at = child.values.size();
          child.values.append(p_ + pos_, size_t(bytes));
          if constexpr (kSwap) swap_in_place(child.values.data() + at, n, op.size);
          if (child.has_nulls) {
            for (uint32_t i = 0; i < n; ++i) ColumnTree::valid(child);
          } else {
            child.length += n;
          }
          pos_ += size_t(bytes);
        }
        return close(op);
      }
      case Op::kBoolArray: {
        uint32_t n;
        if (!count(op, n) || !need(n, "a bool array")) return false;
        Node& child = tree_.node(op.elem);
        for (uint32_t i = 0; i < n; ++i) ColumnTree::append_bool(child, p_[pos_ + i] != 0);
        pos_ += n;
        return close(op);
      }
      case Op::kStringArray:
      case Op::kTimeArray:
      case Op::kStructArray: {
        uint32_t n;
        if (!count(op, n)) return false;
        Node& child = tree_.node(op.elem);
        for (uint32_t i = 0; i < n; ++i) {
          bool ok;
          if (op.code == Op::kStringArray) {
            ok = string(child, op.string_bound);
          } else if (op.code == Op::kTimeArray) {
            ok = time(child, op.scalar);
          } else {
            ok = message(plans_[size_t(op.sub)]);
          }
          if (!ok) {
            err_.path.push_back("[" + std::to_string(i) + "]");
            return false;
          }
        }
        return close(op);
      }
    }
    return fail("bad plan");
  }

  ColumnTree& tree_;
  const std::vector<Plan>& plans_;
  const uint8_t* p_;
  size_t size_;
  size_t pos_;
  size_t origin_;
  uint64_t work_ = 0;
  uint64_t budget_;
  DecodeError& err_;
};

class RosDecoder final : public MessageDecoder {
 public:
  RosDecoder(MessageSchema schema, bool cdr, DecoderOptions options)
      : MessageDecoder(options), schema_(std::move(schema)), cdr_(cdr) {}

  Status init() {
    REEL_RETURN_NOT_OK(init_columns(schema_));
    const auto& slots = columns().tree.slots();
    plans_.resize(slots.size());
    // Slots are numbered parent before child; compile children first for their sizes.
    for (size_t i = slots.size(); i-- > 0;) REEL_RETURN_NOT_OK(compile(slots, i));
    return Status::OK();
  }

  const MessageSchema& schema() const override { return schema_; }

 protected:
  Status decode(std::span<const uint8_t> message) override {
    DecodeError err;
    bool ok;
    ColumnTree& tree = columns().tree;
    if (!cdr_) {
      ok = Walker<false, false>(tree, plans_, message, 0, err).message(plans_[0]);
    } else {
      if (message.size() < 4) {
        return Status::Corrupt("a " + std::to_string(message.size()) +
                               "-byte message is shorter than the 4-byte CDR encapsulation header");
      }
      const uint8_t kind = message[1];
      if (message[0] != 0 || kind > 0x15) {
        return Status::Corrupt("unknown CDR encapsulation " + std::to_string(message[0]) + "," +
                               std::to_string(kind));
      }
      if (kind == 2 || kind == 3) {
        return Status::NotImplemented(
            "PL_CDR encapsulation (parameter lists, mutable types) is not supported: ROS 2 "
            "messages are plain CDR_LE or CDR_BE");
      }
      if (kind >= 6) {
        return Status::NotImplemented("XCDR2 encapsulation " + std::to_string(kind) +
                                      " is not supported: ROS 2 messages are plain XCDR1");
      }
      if (kind == 1) {
        ok = Walker<true, false>(tree, plans_, message, 4, err).message(plans_[0]);
      } else if (kind == 0) {
        ok = Walker<true, true>(tree, plans_, message, 4, err).message(plans_[0]);
      } else {
        return Status::Corrupt("unknown CDR encapsulation kind " + std::to_string(kind));
      }
    }
    if (ok) return Status::OK();
    return err.to_status(message.size());
  }

 private:
  Status compile(const std::vector<internal::StructSlot>& slots, size_t index) {
    const internal::StructSlot& slot = slots[index];
    Plan& plan = plans_[index];
    plan.node = slot.node;
    for (const internal::FieldSlot& f : slot.fields) {
      const FieldType& t = f.def->type;
      Op op;
      op.name = &f.def->name;
      op.array = t.array;
      op.scalar = t.scalar;
      op.count = t.array_size;
      op.string_bound = t.string_bound;
      op.node = f.node;
      op.elem = f.elem;
      op.size = number_size(t.scalar);
      // Planned sizes of one element / one value.
      uint64_t one = 0;
      switch (t.scalar) {
        case ScalarType::kWString:
          return Status::NotImplemented("field '" + f.def->name + "' of " + slot.type->name +
                                        ": wstring has no portable serialization");
        case ScalarType::kBytes:
          return Status::NotImplemented("field '" + f.def->name + "': bytes are not a ROS type");
        case ScalarType::kBool:
          one = 1;
          break;
        case ScalarType::kString:
          one = 4;
          break;
        case ScalarType::kTime:
        case ScalarType::kDuration:
          one = 8;
          break;
        case ScalarType::kMessage: {
          op.sub = f.sub;
          one = plans_[size_t(f.sub)].min_size;
          break;
        }
        default:
          one = op.size;
          break;
      }
      op.elem_min = one;
      if (!t.is_array()) {
        switch (t.scalar) {
          case ScalarType::kBool:
            op.code = Op::kBool;
            break;
          case ScalarType::kString:
            op.code = Op::kString;
            break;
          case ScalarType::kTime:
          case ScalarType::kDuration:
            op.code = Op::kTime;
            break;
          case ScalarType::kMessage:
            op.code = Op::kStruct;
            break;
          default:
            op.code = Op::kPrim;
            break;
        }
        plan.min_size = sat_add(plan.min_size, one);
      } else {
        if (internal::is_byte_array(t)) {
          op.code = t.array == ArrayKind::kFixed ? Op::kFixedBytes : Op::kBytes;
        } else {
          switch (t.scalar) {
            case ScalarType::kBool:
              op.code = Op::kBoolArray;
              break;
            case ScalarType::kString:
              op.code = Op::kStringArray;
              break;
            case ScalarType::kTime:
            case ScalarType::kDuration:
              op.code = Op::kTimeArray;
              break;
            case ScalarType::kMessage:
              op.code = Op::kStructArray;
              break;
            default:
              op.code = Op::kPrimArray;
              break;
          }
        }
        plan.min_size =
            sat_add(plan.min_size, t.array == ArrayKind::kFixed ? sat_mul(one, t.array_size) : 4);
      }
      plan.ops.push_back(op);
    }
    return Status::OK();
  }

  MessageSchema schema_;
  bool cdr_;
  std::vector<Plan> plans_;
};

}  // namespace

Result<std::unique_ptr<MessageDecoder>> make_cdr_decoder(MessageSchema schema,
                                                         DecoderOptions options) {
  auto d = std::make_unique<RosDecoder>(std::move(schema), true, options);
  REEL_RETURN_NOT_OK(d->init());
  return std::unique_ptr<MessageDecoder>(std::move(d));
}

Result<std::unique_ptr<MessageDecoder>> make_ros1_decoder(MessageSchema schema,
                                                          DecoderOptions options) {
  auto d = std::make_unique<RosDecoder>(std::move(schema), false, options);
  REEL_RETURN_NOT_OK(d->init());
  return std::unique_ptr<MessageDecoder>(std::move(d));
}

}  // namespace reel::import
