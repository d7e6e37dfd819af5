// The signaling payloads both servers relay in the benchmark: an ICE
// candidate of about 200 bytes and an SDP offer or answer of about 3 KiB,
// as JSON objects shaped like the browser's RTCIceCandidateInit and
// RTCSessionDescriptionInit. Each carries a stamp, its sequence number and
// the time it was meant to be sent, so the receiving client can tell the
// latency without any state shared with the sender.
//
// Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace th::bench {

enum class SignalKind { kOffer, kAnswer, kCandidate };

// Which message the benchmark sends at one place of its stream: one in ten
// is a description (offers and answers alternating), the rest candidates,
// about the mix of one call's setup.
[[nodiscard]] SignalKind kind_at(std::int64_t index);

struct Stamp {
  std::int64_t sequence = 0;
  // Nanoseconds of the load generator's steady clock.
  std::int64_t sent_ns = 0;
};

// The JSON object of a candidate or description carrying `stamp`.
[[nodiscard]] std::string signal_payload(SignalKind kind, const Stamp& stamp);

// The stamp inside a relayed message, wherever the server put the payload
// in its envelope; nullopt when the text carries none (any other message).
[[nodiscard]] std::optional<Stamp> find_stamp(std::string_view text);

}  // namespace th::bench
