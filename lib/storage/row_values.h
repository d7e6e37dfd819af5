// Reading typed values out of a soci::row in a backend-neutral way.
//
// SQLite and PostgreSQL report integer columns as int or long long depending
// on the declared type and the value; these helpers accept either, so stores
// need not care which backend they run on.
#pragma once

#include <soci/soci.h>

#include <string>

namespace th::storage {

long long column_int64(const soci::row& row, std::size_t index);
std::string column_text(const soci::row& row, std::size_t index);  // "" for NULL
bool column_bool(const soci::row& row, std::size_t index);

}  // namespace th::storage
