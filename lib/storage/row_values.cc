#include "storage/row_values.h"

namespace th::storage {

long long column_int64(const soci::row& row, std::size_t index) {
  if (row.get_indicator(index) == soci::i_null) {
    return 0;
  }
  switch (row.get_properties(index).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(index);
    case soci::dt_long_long:
      return row.get<long long>(index);
    case soci::dt_unsigned_long_long:
      return static_cast<long long>(row.get<unsigned long long>(index));
    case soci::dt_double:
      return static_cast<long long>(row.get<double>(index));
    default:
      return std::stoll(row.get<std::string>(index));
  }
}

std::string column_text(const soci::row& row, std::size_t index) {
  return row.get_indicator(index) == soci::i_null ? std::string() : row.get<std::string>(index);
}

bool column_bool(const soci::row& row, std::size_t index) {
  return column_int64(row, index) != 0;
}

}  // namespace th::storage
