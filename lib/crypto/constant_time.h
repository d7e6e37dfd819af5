// Comparison of secrets (tokens, MACs, OTP codes) in time that does not
// depend on where the inputs first differ, so an attacker who measures
// response times learns nothing about a secret's content.
#pragma once

#include <string_view>

namespace th::crypto {

// True when a and b hold the same bytes. Inputs of different lengths compare
// unequal at once: only the length, never the content, shows in the timing.
// Callers comparing secrets of a fixed, public length (MACs, hashes) lose
// nothing by this. Pure; safe from any thread.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace th::crypto
