#include "audit/canonical_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <utility>
#include <vector>

#include "audit/utf8.h"

namespace th::audit {
namespace {

// Number.MAX_SAFE_INTEGER: every integer up to this magnitude is exactly a double.
constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;

Error invalid_value(std::string_view path, std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument,
               "canonicalize json '" + std::string(path) + "': " + std::string(reason));
}

// RFC 8785 orders keys by their UTF-16 code units, so keys are converted once
// for sorting. The input has already been checked to be valid UTF-8.
std::u16string to_utf16(std::string_view text) {
  std::u16string units;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t code_point = *decode_utf8(text, pos);
    if (code_point < 0x10000) {
      units.push_back(static_cast<char16_t>(code_point));
    } else {
      const char32_t offset = code_point - 0x10000;
      units.push_back(static_cast<char16_t>(0xD800 + (offset >> 10)));
      units.push_back(static_cast<char16_t>(0xDC00 + (offset & 0x3FF)));
    }
  }
  return units;
}

void append_string(std::string& out, std::string_view text) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHexDigits[static_cast<unsigned char>(c) >> 4];
          out += kHexDigits[static_cast<unsigned char>(c) & 0x0F];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// Serializes one value tree, remembering where it is ("$.agent[0].who") so an
// error can name the member without quoting its content.
class CanonicalWriter {
 public:
  Status write(const Poco::Dynamic::Var& value, std::size_t depth);
  std::string take() { return std::move(out_); }

 private:
  Status write_scalar(const Poco::Dynamic::Var& value);
  Status write_integer(const Poco::Dynamic::Var& value);
  Status write_object(const Poco::JSON::Object& object, std::size_t depth);
  Status write_array(const Poco::JSON::Array& array, std::size_t depth);
  Status check_depth(std::size_t depth) const;

  std::string out_;
  std::string path_ = "$";
};

Status CanonicalWriter::check_depth(std::size_t depth) const {
  if (depth >= kMaxCanonicalJsonDepth) {
    return invalid_value(path_, "nested deeper than " + std::to_string(kMaxCanonicalJsonDepth));
  }
  return ok_status();
}

Status CanonicalWriter::write(const Poco::Dynamic::Var& value, std::size_t depth) {
  using Poco::JSON::Array;
  using Poco::JSON::Object;
  const std::type_info& type = value.type();

  // Containers may arrive by value or as shared pointers; a null pointer is
  // how Poco spells a JSON null inside a container.
  if (type == typeid(Object::Ptr)) {
    const auto& object = value.extract<Object::Ptr>();
    if (object.isNull()) {
      out_ += "null";
      return ok_status();
    }
    return write_object(*object, depth);
  }
  if (type == typeid(Object)) {
    return write_object(value.extract<Object>(), depth);
  }
  if (type == typeid(Array::Ptr)) {
    const auto& array = value.extract<Array::Ptr>();
    if (array.isNull()) {
      out_ += "null";
      return ok_status();
    }
    return write_array(*array, depth);
  }
  if (type == typeid(Array)) {
    return write_array(value.extract<Array>(), depth);
  }
  return write_scalar(value);
}

Status CanonicalWriter::write_scalar(const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) {
    out_ += "null";
    return ok_status();
  }
  if (value.type() == typeid(bool)) {
    out_ += value.extract<bool>() ? "true" : "false";
    return ok_status();
  }

  // Conversions below cannot fail for the types their guards admit, but Poco
  // reports range problems by throwing, so keep the exception inside.
  try {
    if (value.isString()) {
      const std::string text = value.convert<std::string>();
      if (!is_valid_utf8(text)) {
        return invalid_value(path_, "string is not valid utf-8");
      }
      append_string(out_, text);
      return ok_status();
    }
    if (value.isInteger()) {
      return write_integer(value);
    }
    if (value.isNumeric() && !value.isDate()) {
      auto number = canonical_number(value.convert<double>());
      if (!number.ok()) {
        return invalid_value(path_, "number is not finite");
      }
      out_ += *number;
      return ok_status();
    }
  } catch (const Poco::Exception&) {
    return invalid_value(path_, "value cannot be converted");
  }
  return invalid_value(path_, "unsupported value type");
}

Status CanonicalWriter::write_integer(const Poco::Dynamic::Var& value) {
  // Written from the integer itself rather than through a double: inside the
  // safe range both give the same digits, and this avoids any rounding.
  if (value.isSigned()) {
    const auto number = value.convert<Poco::Int64>();
    if (number > kMaxSafeInteger || number < -kMaxSafeInteger) {
      return invalid_value(path_, "integer outside the exactly representable range");
    }
    out_ += std::to_string(number);
    return ok_status();
  }
  const auto number = value.convert<Poco::UInt64>();
  if (number > static_cast<Poco::UInt64>(kMaxSafeInteger)) {
    return invalid_value(path_, "integer outside the exactly representable range");
  }
  out_ += std::to_string(number);
  return ok_status();
}

Status CanonicalWriter::write_object(const Poco::JSON::Object& object, std::size_t depth) {
  TH_RETURN_IF_ERROR(check_depth(depth));

  struct Member {
    std::u16string sort_key;
    const std::string* key;
    const Poco::Dynamic::Var* value;
  };
  std::vector<Member> members;
  for (const auto& [key, value] : object) {
    if (!is_valid_utf8(key)) {
      return invalid_value(path_, "member name is not valid utf-8");
    }
    members.push_back(Member{to_utf16(key), &key, &value});
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });

  out_ += '{';
  const std::size_t path_length = path_.size();
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i > 0) {
      out_ += ',';
    }
    append_string(out_, *members[i].key);
    out_ += ':';
    path_ += '.';
    path_ += *members[i].key;
    TH_RETURN_IF_ERROR(write(*members[i].value, depth + 1));
    path_.resize(path_length);
  }
  out_ += '}';
  return ok_status();
}

Status CanonicalWriter::write_array(const Poco::JSON::Array& array, std::size_t depth) {
  TH_RETURN_IF_ERROR(check_depth(depth));

  out_ += '[';
  const std::size_t path_length = path_.size();
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (i > 0) {
      out_ += ',';
    }
    path_ += '[' + std::to_string(i) + ']';
    TH_RETURN_IF_ERROR(write(array.get(static_cast<unsigned int>(i)), depth + 1));
    path_.resize(path_length);
  }
  out_ += ']';
  return ok_status();
}

}  // namespace

Result<std::string> canonical_json(const Poco::Dynamic::Var& value) {
  CanonicalWriter writer;
  if (auto status = writer.write(value, 0); !status.ok()) {
    return status.error();
  }
  return writer.take();
}

Result<std::string> canonical_json(const Poco::JSON::Object::Ptr& object) {
  if (object.isNull()) {
    return invalid_value("$", "object is null");
  }
  return canonical_json(Poco::Dynamic::Var(object));
}

Result<std::string> canonical_number(double value) {
  if (!std::isfinite(value)) {
    return Error(ErrorCode::kInvalidArgument, "canonicalize number: not finite");
  }
  if (value == 0) {
    return std::string("0");  // covers -0, which ECMAScript also writes as "0"
  }

  std::string out;
  if (value < 0) {
    out += '-';
    value = -value;
  }

  // std::to_chars without a precision yields the shortest digit string that
  // reads back to the same double, which is the digit string ECMAScript asks
  // for. Scientific form gives those digits and the decimal exponent apart.
  char buffer[64];
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  if (error != std::errc()) {
    return Error(ErrorCode::kInternal, "canonicalize number: formatting failed");
  }
  const std::string_view scientific(buffer, static_cast<std::size_t>(end - buffer));
  const std::size_t e_pos = scientific.find('e');
  std::string digits(1, scientific[0]);
  if (e_pos > 2) {
    digits.append(scientific.substr(2, e_pos - 2));
  }
  std::string_view exponent_text = scientific.substr(e_pos + 1);
  if (exponent_text.front() == '+') {
    exponent_text.remove_prefix(1);
  }
  int exponent = 0;
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);

  // ECMAScript's names: k digits, value = digits * 10^(n - k).
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += n - 1 >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

}  // namespace th::audit
