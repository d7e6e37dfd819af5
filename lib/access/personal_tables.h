// The tables of the access-control layer, as the integrity check knows
// them: those that hold personal data (patients, users and emergency
// grants, sealed and tagged), and those that decide what a credential may
// do (sessions and service tokens, roles with their permissions: tagged).
// Other layers register their own tables the same way when they add them.
#pragma once

#include "storage/data_protection.h"
#include "storage/integrity_scanner.h"

namespace th::access {

// Registers a checker per table; `protection` must outlive the scanner.
void register_personal_tables(storage::IntegrityScanner& scanner,
                              storage::DataProtection& protection);

}  // namespace th::access
