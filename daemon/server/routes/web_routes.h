// The browser client (daemon/web, embedded in the binary): GET / serves its
// page, GET /guest the same page for invited guests (who open the link of
// their email there; its secret stays in the fragment, which no request
// carries, and the page's script shows the guest's view at that path), and
// GET /web/{file} its scripts and styles. Public: the files hold
// no personal data, and everything the client shows comes from the API
// after sign-in.
//
// Every answer carries an ETag and "Cache-Control: no-cache", so browsers
// keep the files but revalidate them (If-None-Match, then 304) and pick up
// a new daemon's client at once. The page gets a content security policy
// that allows only this origin's own scripts, styles and socket: no inline
// code, no framing.
#pragma once

#include <string>

#include "server/router.h"

namespace th::server {

// public_origin: "https://host[:port]" from server.public_base_url, or ""
// to name the origin from the request's Host header.
void add_web_routes(Router& router, std::string public_origin);

// The Content-Security-Policy of the client's page served from `origin`
// ("https://host[:port]"; "" allows no socket at all).
std::string web_page_policy(std::string_view origin);

}  // namespace th::server
