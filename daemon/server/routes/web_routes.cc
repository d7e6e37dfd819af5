#include "server/routes/web_routes.h"

#include "server/web_assets.h"

namespace th::server {
namespace {

constexpr std::string_view kPageFile = "index.html";

// A Host header is the client's to choose: only a plain host name or
// address, with an optional port, is put into the policy.
bool is_plain_host(std::string_view host) {
  if (host.empty() || host.size() > 255) {
    return false;
  }
  for (const char c : host) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!plain) {
      return false;
    }
  }
  return true;
}

std::string page_origin(const ApiRequest& request, const std::string& public_origin) {
  if (!public_origin.empty()) {
    return public_origin;
  }
  const std::string host = request.header("Host");
  return is_plain_host(host) ? "https://" + host : "";
}

ApiResponse asset_response(const ApiRequest& request, const WebAsset& asset) {
  ApiResponse response;
  response.headers.emplace_back("ETag", std::string(asset.etag));
  response.headers.emplace_back("Cache-Control", "no-cache");
  if (request.header("If-None-Match") == asset.etag) {
    response.status = 304;
    response.content_type = std::string(asset.content_type);
    return response;
  }
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.body);
  return response;
}

Result<ApiResponse> page(const ApiRequest& request, const std::string& public_origin) {
  const WebAsset* asset = find_web_asset(kPageFile);
  if (asset == nullptr) {
    return Error(ErrorCode::kNotFound, "this daemon was built without the browser client");
  }
  ApiResponse response = asset_response(request, *asset);
  response.headers.emplace_back("Content-Security-Policy",
                                web_page_policy(page_origin(request, public_origin)));
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.emplace_back("Permissions-Policy",
                                "camera=(self), microphone=(self), display-capture=(self), "
                                "geolocation=(), payment=(), usb=()");
  return response;
}

// The page is served only from its own paths ("/", and "/guest" for
// invited guests), so that its policy always comes with it.
Result<ApiResponse> file(const ApiRequest& request) {
  const std::string& name = request.path_params.at("file");
  const WebAsset* asset = name == kPageFile ? nullptr : find_web_asset(name);
  if (asset == nullptr) {
    return Error(ErrorCode::kNotFound, "no such file");
  }
  return asset_response(request, *asset);
}

}  // namespace

std::string web_page_policy(std::string_view origin) {
  std::string socket = "'self'";
  if (origin.starts_with("https://")) {
    socket += " wss://" + std::string(origin.substr(8));
  }
  return "default-src 'self'; script-src 'self'; style-src 'self'; connect-src " + socket +
         "; media-src 'self' blob:; img-src 'self' data:; font-src 'self'; object-src 'none'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

void add_web_routes(Router& router, std::string public_origin) {
  for (const char* path : {"/", "/guest"}) {
    router.add("GET", path, Access::public_endpoint(),
               [public_origin](ApiRequest& request) { return page(request, public_origin); });
  }
  router.add("GET", "/web/{file}", Access::public_endpoint(), file);
}

}  // namespace th::server
