// Checks on the addresses messages go to. An address that fails them is not
// used (the channel is skipped for that patient), so nothing malformed, and
// nothing that could inject a mail header or a JSON field, reaches a sender.
// Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace th::notify {

// The address trimmed of surrounding spaces when it is one plain mailbox
// ("name@example.org": one '@', a local part and a domain with a dot, no
// spaces, control characters, quotes, angle brackets, commas or
// semicolons), at most 254 octets; nullopt otherwise.
[[nodiscard]] std::optional<std::string> normalize_email(std::string_view address);

// The number in E.164 form ("+14155550123") when it is one: a leading '+'
// and 8 to 15 digits, or a 10-digit US number (optionally with the leading
// 1), written with any spaces, dots, dashes and parentheses; nullopt
// otherwise.
[[nodiscard]] std::optional<std::string> normalize_phone(std::string_view number);

// The address of a "Name <address>" mailbox, or the text itself trimmed.
[[nodiscard]] std::string mailbox_address(std::string_view mailbox);

// The domain of an address or of a "Name <address>" mailbox; empty if none.
[[nodiscard]] std::string email_domain(std::string_view mailbox);

}  // namespace th::notify
