#include "notify/contact_address.h"

#include <algorithm>

namespace th::notify {
namespace {

constexpr std::size_t kMaxEmailOctets = 254;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_forbidden_in_address(unsigned char c) {
  constexpr std::string_view kForbidden = " \"<>(),;:[]\\";
  return c < 0x20 || c == 0x7F || kForbidden.find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view address) {
  const std::string_view trimmed = trim(address);
  const auto at = trimmed.find('@');
  if (trimmed.empty() || trimmed.size() > kMaxEmailOctets || at == std::string_view::npos ||
      trimmed.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view local = trimmed.substr(0, at);
  const std::string_view domain = trimmed.substr(at + 1);
  const bool domain_ok = domain.find('.') != std::string_view::npos && domain.front() != '.' &&
                         domain.back() != '.' && domain.find("..") == std::string_view::npos;
  if (local.empty() || !domain_ok || std::any_of(trimmed.begin(), trimmed.end(), [](char c) {
        return is_forbidden_in_address(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  return std::string(trimmed);
}

std::optional<std::string> normalize_phone(std::string_view number) {
  const std::string_view trimmed = trim(number);
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < trimmed.size(); ++i) {
    const char c = trimmed[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (plus) {
    if (digits.size() < 8 || digits.size() > 15 || digits.front() == '0') {
      return std::nullopt;
    }
    return "+" + digits;
  }
  if (digits.size() == 11 && digits.front() == '1') {
    digits.erase(0, 1);
  }
  // A North American number: area code and exchange do not start with 0 or 1.
  if (digits.size() != 10 || digits[0] < '2' || digits[3] < '2') {
    return std::nullopt;
  }
  return "+1" + digits;
}

std::string mailbox_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  if (open != std::string_view::npos) {
    const auto close = mailbox.find('>', open);
    mailbox = mailbox.substr(open + 1, close == std::string_view::npos ? close : close - open - 1);
  }
  return std::string(trim(mailbox));
}

std::string email_domain(std::string_view mailbox) {
  const std::string address = mailbox_address(mailbox);
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

}  // namespace th::notify
