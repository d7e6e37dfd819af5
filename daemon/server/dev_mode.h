// Development mode: one self-contained instance in a state folder.
//
// Everything the instance keeps lives under the folder: the SQLite database,
// the TLS certificate and key (generated on first start, with a warning,
// since nobody should trust a self-signed certificate in production), and the
// admin socket, which the invoking user's own group may use. Several
// instances with different folders and ports can run side by side.
#pragma once

#include <string>

#include "config/config.h"
#include "util/result.h"

namespace th::server {

// Points cfg at state_dir and creates the folder (mode 0700) if needed.
Status apply_dev_mode(Config& config, const std::string& state_dir);

// Generates the self-signed certificate in state_dir if it is missing.
// Returns true when it generated one.
Result<bool> ensure_dev_certificate(const Config& config);

// Generates the development key-encryption key in state_dir if it is missing.
Status ensure_dev_kek(const Config& config);

// Generates the development audit signing key (Ed25519) in state_dir if it
// is missing.
Status ensure_dev_audit_key(const Config& config);

}  // namespace th::server
