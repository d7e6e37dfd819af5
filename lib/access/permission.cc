#include "access/permission.h"

#include <algorithm>

namespace th::access {

bool is_known_permission(std::string_view name) {
  return std::ranges::find(kAllPermissions, name) != std::end(kAllPermissions);
}

}  // namespace th::access
