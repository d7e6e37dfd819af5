// PostgreSQL array literals ('{"a","b"}', '{1,2}') for binding a whole
// column of values as one parameter, so that a statement such as
//   INSERT INTO t (a, b) SELECT * FROM unnest(CAST(:a AS text[]), CAST(:b AS bigint[]))
// has the same text (and so the same plan) whatever the number of rows, and
// costs one round trip. The literal is a bound value, never SQL text: the
// quoting here only keeps element boundaries, it is not what stops injection.
// Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace th::storage {

// Every element double-quoted, with backslash and double quote escaped, so
// any text (commas, braces, "NULL", the empty string) is read back exactly.
// Text holding a NUL byte cannot be stored by PostgreSQL at all.
std::string postgresql_text_array(const std::vector<std::string_view>& values);

std::string postgresql_integer_array(const std::vector<long long>& values);

}  // namespace th::storage
