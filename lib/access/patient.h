// Patient: the demographic record of a person receiving care. Every field
// but the id and the US state is personal and stored sealed.
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace th::access {

struct Patient {
  std::string id;
  std::string mrn;  // medical record number, unique
  std::string given_name;
  std::string family_name;
  std::string birth_date;  // YYYY-MM-DD
  std::string sex;         // female, male, other, unknown
  std::string phone;
  std::string email;
  std::string address;
  std::string state;  // two-letter US state or territory code
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;
  std::int64_t version = 1;
};

// Checks the fields a clinic must get right; messages name the field, never
// its value.
Status validate_patient(const Patient& patient);

// The two-letter codes of US states, DC and territories.
bool is_us_state_code(std::string_view code);

}  // namespace th::access
