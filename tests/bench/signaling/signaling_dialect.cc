#include "signaling_dialect.h"

namespace th::bench {
namespace {

// PeerJS names message types in capitals, telehealthd's kinds are lower case.
std::string_view kind_word(SignalKind kind, bool capitals) {
  switch (kind) {
    case SignalKind::kOffer:
      return capitals ? "OFFER" : "offer";
    case SignalKind::kAnswer:
      return capitals ? "ANSWER" : "answer";
    case SignalKind::kCandidate:
      break;
  }
  return capitals ? "CANDIDATE" : "candidate";
}

class PeerJsDialect final : public SignalingDialect {
 public:
  explicit PeerJsDialect(std::string path)
      : SignalingDialect("{\"type\":\"HEARTBEAT\"}", "\"OPEN\"", false), path_(std::move(path)) {
    if (path_.empty() || path_.back() != '/') {
      path_ += '/';
    }
  }

  UpgradeTarget upgrade(const Participant& who) const override {
    return {path_ + "peerjs?key=peerjs&id=" + who.peer_id + "&token=" + who.token, {}};
  }

  std::string relay(const Participant& to, SignalKind kind,
                    std::string_view payload) const override {
    std::string message = "{\"type\":\"";
    message += kind_word(kind, true);
    message += "\",\"dst\":\"" + to.peer_id + "\",\"payload\":";
    message.append(payload);
    message += "}";
    return message;
  }

 private:
  std::string path_;
};

class TelehealthdDialect final : public SignalingDialect {
 public:
  TelehealthdDialect() : SignalingDialect("{\"type\":\"ping\",\"id\":\"hb\"}", "\"hello\"", true) {}

  UpgradeTarget upgrade(const Participant& who) const override {
    return {"/api/v1/ws", {"Authorization: Bearer " + who.token}};
  }

  std::string relay(const Participant& to, SignalKind kind,
                    std::string_view payload) const override {
    std::string message = "{\"type\":\"signal\",\"payload\":{\"appointment_id\":\"" +
                          to.appointment_id + "\",\"to\":\"" + to.participant_id + "\",\"kind\":\"";
    message += kind_word(kind, false);
    message += "\",\"data\":";
    message.append(payload);
    message += "}}";
    return message;
  }
};

}  // namespace

std::unique_ptr<SignalingDialect> make_peerjs_dialect(std::string path) {
  return std::make_unique<PeerJsDialect>(std::move(path));
}

std::unique_ptr<SignalingDialect> make_telehealthd_dialect() {
  return std::make_unique<TelehealthdDialect>();
}

}  // namespace th::bench
