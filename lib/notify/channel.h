// Channel: the ways a message reaches a patient. A plain value.
#pragma once

#include <string_view>

#include "util/result.h"

namespace th::notify {

enum class Channel { kEmail, kSms };

inline constexpr Channel kAllChannels[] = {Channel::kEmail, Channel::kSms};

// "email" or "sms", as stored and shown.
std::string_view channel_name(Channel channel);

// kInvalidArgument for anything but "email" and "sms".
[[nodiscard]] Result<Channel> parse_channel(std::string_view name);

}  // namespace th::notify
