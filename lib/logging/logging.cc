#include "logging/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>

#include "util/clock.h"

namespace th::logging {
namespace {

void put(spdlog::memory_buf_t& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

void append_json_escaped(std::string_view text, spdlog::memory_buf_t& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    switch (c) {
      case '"':
        put(out, "\\\"");
        break;
      case '\\':
        put(out, "\\\\");
        break;
      case '\n':
        put(out, "\\n");
        break;
      case '\r':
        put(out, "\\r");
        break;
      case '\t':
        put(out, "\\t");
        break;
      default:
        if (c < 0x20) {
          const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out.append(escaped, escaped + sizeof escaped);
        } else {
          out.push_back(raw);
        }
    }
  }
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto micros = duration_cast<microseconds>(msg.time.time_since_epoch()).count();
    const std::string time = format_rfc3339_micros(micros);
    const auto level = spdlog::level::to_string_view(msg.level);

    put(dest, "{\"time\":\"");
    put(dest, time);
    put(dest, "\",\"level\":\"");
    dest.append(level.data(), level.data() + level.size());
    put(dest, "\",\"msg\":\"");
    append_json_escaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    put(dest, "\"}\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

Result<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  };
  for (const auto& [text, level] : kLevels) {
    if (text == name) {
      return level;
    }
  }
  return Error(ErrorCode::kInvalidArgument, "unknown log level '" + std::string(name) + "'");
}

Result<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") {
    return LogFormat::kText;
  }
  if (name == "json") {
    return LogFormat::kJson;
  }
  return Error(ErrorCode::kInvalidArgument, "unknown log format '" + std::string(name) + "'");
}

std::unique_ptr<spdlog::formatter> make_json_formatter() {
  return std::make_unique<JsonFormatter>();
}

void configure(LogFormat format, spdlog::level::level_enum level) {
  // Reconfiguring (on SIGHUP) changes the existing logger in place: other
  // threads hold the default logger while they log, so replacing it would
  // free it under them.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto created = std::make_shared<spdlog::logger>("telehealthd", sink);
    created->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(created);
    return created;
  }();
  if (format == LogFormat::kJson) {
    logger->set_formatter(make_json_formatter());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
}

void set_level(spdlog::level::level_enum level) {
  spdlog::default_logger()->set_level(level);
}

}  // namespace th::logging
