// Fnv1a: the 64-bit FNV-1a hash, fed field by field. Model caches key their files on it,
// so equal inputs give equal keys across runs and builds (it hashes bytes as stored; the
// project builds for one architecture). Not cryptographic.
#ifndef GRIDPILOT_CORE_BASE_FNV1A_H_
#define GRIDPILOT_CORE_BASE_FNV1A_H_

#include <cstddef>
#include <cstdint>
#include <optional>

namespace gridpilot::base {

class Fnv1a {
 public:
  void Bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      hash_ ^= p[i];
      hash_ *= 0x100000001b3ULL;
    }
  }
  template <typename T>
  void Value(const T& v) {
    Bytes(&v, sizeof(v));
  }
  // A missing value hashes differently from every number.
  void Optional(const std::optional<double>& v) {
    Value<uint8_t>(v.has_value() ? 1 : 0);
    if (v.has_value()) Value(*v);
  }
  uint64_t hash() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_FNV1A_H_
