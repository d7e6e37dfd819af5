#include "server/web_assets.h"

#include <algorithm>

namespace th::server {

const WebAsset* find_web_asset(std::string_view name) {
  const std::span<const WebAsset> assets = web_assets();
  const auto found = std::lower_bound(
      assets.begin(), assets.end(), name,
      [](const WebAsset& asset, std::string_view wanted) { return asset.name < wanted; });
  return found != assets.end() && found->name == name ? &*found : nullptr;
}

}  // namespace th::server
