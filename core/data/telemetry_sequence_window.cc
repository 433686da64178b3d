#include "core/data/telemetry_sequence_window.h"

namespace gridpilot::data {

namespace {

constexpr uint64_t kWords = TelemetrySequenceWindow::kSpan / 64;
constexpr uint64_t kMask = TelemetrySequenceWindow::kSpan - 1;

// b - a for a <= b as int64 values, exact in uint64 whatever their signs.
uint64_t Distance(int64_t a, int64_t b) {
  return static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
}

}  // namespace

TelemetrySequenceWindow::Seen TelemetrySequenceWindow::Classify(int64_t sequence) const {
  if (bits_.empty() || sequence > newest_) return Seen::kNew;
  if (Distance(sequence, newest_) >= kSpan) return Seen::kTooOld;
  return Bit(static_cast<uint64_t>(sequence)) ? Seen::kDuplicate : Seen::kNew;
}

void TelemetrySequenceWindow::Accept(int64_t sequence) {
  if (bits_.empty()) {
    bits_.assign(kWords, 0);
    newest_ = sequence;
  } else if (sequence > newest_) {
    const uint64_t ahead = Distance(newest_, sequence);
    if (ahead >= kSpan) {
      bits_.assign(kWords, 0);
    } else {
      ClearBits(static_cast<uint64_t>(newest_) + 1, ahead);
    }
    newest_ = sequence;
  }
  SetBit(static_cast<uint64_t>(sequence));
}

bool TelemetrySequenceWindow::Bit(uint64_t sequence) const {
  const uint64_t slot = sequence & kMask;
  return (bits_[slot / 64] >> (slot % 64)) & 1;
}

void TelemetrySequenceWindow::SetBit(uint64_t sequence) {
  const uint64_t slot = sequence & kMask;
  bits_[slot / 64] |= uint64_t{1} << (slot % 64);
}

void TelemetrySequenceWindow::ClearBits(uint64_t first, uint64_t count) {
  uint64_t slot = first & kMask;
  while (count > 0) {
    const uint64_t bit = slot % 64;
    if (bit == 0 && count >= 64) {
      bits_[slot / 64] = 0;
      slot = (slot + 64) & kMask;
      count -= 64;
    } else {
      bits_[slot / 64] &= ~(uint64_t{1} << bit);
      slot = (slot + 1) & kMask;
      --count;
    }
  }
}

}  // namespace gridpilot::data
