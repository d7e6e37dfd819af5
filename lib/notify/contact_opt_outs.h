// ContactOptOuts: the channels a patient asked not to receive reminders on.
// A plain value.
#pragma once

#include "notify/channel.h"

namespace th::notify {

struct ContactOptOuts {
  bool email = false;
  bool sms = false;

  [[nodiscard]] bool excludes(Channel channel) const {
    return channel == Channel::kEmail ? email : sms;
  }
  void set(Channel channel, bool opted_out) {
    (channel == Channel::kEmail ? email : sms) = opted_out;
  }
};

}  // namespace th::notify
