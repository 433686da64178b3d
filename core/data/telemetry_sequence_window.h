// TelemetrySequenceWindow: which of one source's recent sequence numbers have been
// accepted, so that a redelivery is told from a message that is merely late. It holds the
// newest sequence number accepted and one bit for each of the kSpan numbers up to it
// (8 KiB a source); a number more than kSpan below the newest can no longer be told from
// a duplicate and is answered kTooOld. Pure; not thread-safe.
#ifndef GRIDPILOT_CORE_DATA_TELEMETRY_SEQUENCE_WINDOW_H_
#define GRIDPILOT_CORE_DATA_TELEMETRY_SEQUENCE_WINDOW_H_

#include <cstdint>
#include <vector>

namespace gridpilot::data {

class TelemetrySequenceWindow {
 public:
  // Sequence numbers tracked below and including the newest (a power of two).
  static constexpr uint64_t kSpan = 65536;

  enum class Seen {
    kNew,        // never accepted: Accept may take it
    kDuplicate,  // accepted before
    kTooOld,     // kSpan or more below the newest: cannot be told from a duplicate
  };

  Seen Classify(int64_t sequence) const;
  // Marks `sequence` accepted; it must have been classified kNew.
  void Accept(int64_t sequence);

  bool empty() const { return bits_.empty(); }
  int64_t newest() const { return newest_; }  // meaningful unless empty()

 private:
  bool Bit(uint64_t sequence) const;
  void SetBit(uint64_t sequence);
  void ClearBits(uint64_t first, uint64_t count);  // count < kSpan

  int64_t newest_ = 0;
  std::vector<uint64_t> bits_;  // kSpan bits, sequence mod kSpan; allocated on first Accept
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_TELEMETRY_SEQUENCE_WINDOW_H_
