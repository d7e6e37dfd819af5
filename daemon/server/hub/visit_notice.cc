#include "server/hub/visit_notice.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <array>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace th::server {
namespace {

using K = VisitNoticeKind;

constexpr std::array<std::pair<K, std::string_view>, 7> kKinds = {{
    {K::kRoomChanged, "room"},
    {K::kAdmitted, "admitted"},
    {K::kReturned, "returned"},
    {K::kTransferred, "transferred"},
    {K::kEnded, "ended"},
    {K::kSignal, "signal"},
    {K::kQueue, "queue"},
}};

std::string kind_name(K kind) {
  for (const auto& [value, name] : kKinds) {
    if (value == kind) {
      return std::string(name);
    }
  }
  return "room";
}

VisitNotice decode_fields(const Poco::JSON::Object::Ptr& json) {
  if (json.isNull()) {
    throw std::invalid_argument("not an object");
  }
  VisitNotice notice;
  const std::string kind = json->optValue<std::string>("k", "");
  bool known = false;
  for (const auto& [value, name] : kKinds) {
    if (name == kind) {
      notice.kind = value;
      known = true;
    }
  }
  if (!known) {
    throw std::invalid_argument("unknown kind");
  }
  notice.node = json->optValue<std::string>("n", "");
  notice.appointment_id = json->optValue<std::string>("a", "");
  notice.participant_id = json->optValue<std::string>("p", "");
  auto before = visits::parse_participant_state(json->optValue<std::string>("b", "left"));
  notice.before = before.ok() ? *before : visits::ParticipantState::kLeft;
  if (json->has("rn")) {
    notice.replaced = visits::Endpoint{json->optValue<std::string>("rn", ""),
                                       std::stoull(json->optValue<std::string>("rc", "0"))};
  }
  if (notice.kind == K::kSignal) {
    notice.to.node = json->optValue<std::string>("tn", "");
    notice.to.connection_id = std::stoull(json->optValue<std::string>("tc", "0"));
    notice.frame = json->optValue<std::string>("f", "");
    notice.stored_id = json->optValue<std::string>("s", "");
  }
  notice.detail = json->optValue<std::string>("d", "");
  return notice;
}

}  // namespace

std::string encode_visit_notice(const VisitNotice& notice) {
  Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
  json.set("k", kind_name(notice.kind));
  json.set("n", notice.node);
  json.set("a", notice.appointment_id);
  json.set("p", notice.participant_id);
  json.set("b", std::string(visits::participant_state_name(notice.before)));
  if (notice.replaced) {
    json.set("rn", notice.replaced->node);
    json.set("rc", std::to_string(notice.replaced->connection_id));
  }
  if (notice.kind == K::kSignal) {
    json.set("tn", notice.to.node);
    json.set("tc", std::to_string(notice.to.connection_id));
    json.set("f", notice.frame);
    json.set("s", notice.stored_id);
  }
  json.set("d", notice.detail);
  std::ostringstream out;
  json.stringify(out);
  return out.str();
}

// Parser and number conversions throw on a notice some other program sent.
Result<VisitNotice> decode_visit_notice(const std::string& text) {
  try {
    return decode_fields(Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>());
  } catch (const std::exception&) {
    return Error(ErrorCode::kInvalidArgument, "a visit notice that is not one");
  }
}

}  // namespace th::server
