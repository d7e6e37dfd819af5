#include "signal_payload.h"

#include <charconv>

namespace th::bench {
namespace {

constexpr std::size_t kDescriptionBytes = 3072;
constexpr std::string_view kStampName = "\"bench_stamp\"";

// Lines of a browser's offer for one audio and one video track (documentation
// addresses, made-up fingerprints), already escaped for a JSON string.
constexpr std::string_view kSdpLines[] = {
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS 6c0d1e2f",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
    "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:Hq3v",
    "a=ice-pwd:7Yw2pQk9LmN4xR8tZc1VbF5s",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 3B:91:0C:5E:7A:22:D4:8F:16:AB:9C:E0:41:77:2D:C8:5F:03:B6:9A:"
    "E1:24:7D:C0:88:13:FA:56:0B:E9:34:62",
    "a=setup:actpass",
    "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
    "a=sendrecv",
    "a=msid:6c0d1e2f 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2",
    "a=rtcp-fb:111 transport-cc",
    "a=fmtp:111 minptime=10;useinbandfec=1",
    "a=rtpmap:63 red/48000/2",
    "a=fmtp:63 111/111",
    "a=rtpmap:9 G722/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:13 CN/8000",
    "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000",
    "a=ssrc:1001445362 cname:Zk4pQ8wT2vYb6nLr",
    "a=ssrc:1001445362 msid:6c0d1e2f 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46",
    "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:Hq3v",
    "a=ice-pwd:7Yw2pQk9LmN4xR8tZc1VbF5s",
    "a=ice-options:trickle",
    "a=setup:actpass",
    "a=mid:1",
    "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset",
    "a=extmap:13 urn:3gpp:video-orientation",
    "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
    "a=sendrecv",
    "a=msid:6c0d1e2f 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
    "a=rtcp-mux",
    "a=rtcp-rsize",
    "a=rtpmap:96 VP8/90000",
    "a=rtcp-fb:96 goog-remb",
    "a=rtcp-fb:96 transport-cc",
    "a=rtcp-fb:96 ccm fir",
    "a=rtcp-fb:96 nack",
    "a=rtcp-fb:96 nack pli",
    "a=rtpmap:97 rtx/90000",
    "a=fmtp:97 apt=96",
    "a=rtpmap:102 H264/90000",
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
    "a=rtpmap:103 rtx/90000",
    "a=fmtp:103 apt=102",
    "a=rtpmap:104 H264/90000",
    "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
    "a=rtpmap:105 rtx/90000",
    "a=fmtp:105 apt=104",
    "a=rtpmap:106 VP9/90000",
    "a=fmtp:106 profile-id=0",
    "a=rtpmap:107 rtx/90000",
    "a=fmtp:107 apt=106",
    "a=rtpmap:108 AV1/90000",
    "a=rtpmap:109 rtx/90000",
    "a=fmtp:109 apt=108",
    "a=ssrc-group:FID 2231627014 632943048",
    "a=ssrc:2231627014 cname:Zk4pQ8wT2vYb6nLr",
    "a=ssrc:2231627014 msid:6c0d1e2f 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
    "a=ssrc:632943048 cname:Zk4pQ8wT2vYb6nLr",
    "a=ssrc:632943048 msid:6c0d1e2f 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
};

// The SDP as the body of a JSON string: the lines above, then attribute
// lines of padding until the whole description object is about 3 KiB.
std::string escaped_sdp() {
  std::string sdp;
  for (const auto line : kSdpLines) {
    sdp.append(line).append("\\r\\n");
  }
  for (int i = 0; sdp.size() + 80 < kDescriptionBytes; ++i) {
    sdp += "a=rtcp-fb:" + std::to_string(110 + i % 10) + " nack\\r\\n";
  }
  return sdp;
}

std::string stamp_field(const Stamp& stamp) {
  return std::string(kStampName) + ":[" + std::to_string(stamp.sequence) + "," +
         std::to_string(stamp.sent_ns) + "]";
}

}  // namespace

SignalKind kind_at(std::int64_t index) {
  if (index % 10 != 9) {
    return SignalKind::kCandidate;
  }
  return (index / 10) % 2 == 0 ? SignalKind::kOffer : SignalKind::kAnswer;
}

std::string signal_payload(SignalKind kind, const Stamp& stamp) {
  static const std::string sdp = escaped_sdp();
  switch (kind) {
    case SignalKind::kOffer:
      return "{\"type\":\"offer\",\"sdp\":\"" + sdp + "\"," + stamp_field(stamp) + "}";
    case SignalKind::kAnswer:
      return "{\"type\":\"answer\",\"sdp\":\"" + sdp + "\"," + stamp_field(stamp) + "}";
    case SignalKind::kCandidate:
      break;
  }
  return "{\"candidate\":\"candidate:3041287551 1 udp 2122260223 192.0.2.34 54321 typ host "
         "generation 0 ufrag Hq3v network-id 1 network-cost 10\",\"sdpMid\":\"0\","
         "\"sdpMLineIndex\":0,\"usernameFragment\":\"Hq3v\"," +
         stamp_field(stamp) + "}";
}

std::optional<Stamp> find_stamp(std::string_view text) {
  const auto at = text.find(kStampName);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  // A server may write the relayed JSON back with spaces of its own.
  const char* cursor = text.data() + at + kStampName.size();
  const char* end = text.data() + text.size();
  const auto skip = [&](char expected) {
    while (cursor < end && *cursor == ' ') {
      ++cursor;
    }
    if (cursor == end || *cursor != expected) {
      return false;
    }
    ++cursor;
    while (cursor < end && *cursor == ' ') {
      ++cursor;
    }
    return true;
  };
  Stamp stamp;
  if (!skip(':') || !skip('[')) {
    return std::nullopt;
  }
  auto parsed = std::from_chars(cursor, end, stamp.sequence);
  cursor = parsed.ptr;
  if (parsed.ec != std::errc() || !skip(',')) {
    return std::nullopt;
  }
  parsed = std::from_chars(cursor, end, stamp.sent_ns);
  if (parsed.ec != std::errc()) {
    return std::nullopt;
  }
  return stamp;
}

}  // namespace th::bench
