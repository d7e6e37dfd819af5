#include "notify/channel.h"

#include <string>

namespace th::notify {

std::string_view channel_name(Channel channel) {
  switch (channel) {
    case Channel::kEmail:
      return "email";
    case Channel::kSms:
      return "sms";
  }
  return "email";
}

Result<Channel> parse_channel(std::string_view name) {
  for (const Channel channel : kAllChannels) {
    if (channel_name(channel) == name) {
      return channel;
    }
  }
  return Error(ErrorCode::kInvalidArgument, "channel must be email or sms");
}

}  // namespace th::notify
