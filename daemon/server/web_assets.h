// WebAsset: one file of the browser client (daemon/web), compiled into the
// daemon by cmake/EmbedWebAssets.cmake so that the binary serves it with no
// files installed beside it. Immutable static data: safe to share between
// threads.
#pragma once

#include <span>
#include <string_view>

namespace th::server {

struct WebAsset {
  std::string_view name;          // the file name, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // a strong validator, quoted, from the file's SHA-256
  std::string_view body;
};

// Every embedded file, sorted by name.
std::span<const WebAsset> web_assets();

// The file of that name, or null when there is none.
const WebAsset* find_web_asset(std::string_view name);

}  // namespace th::server
