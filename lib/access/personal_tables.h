// The tables of the access-control layer that hold personal data, as the
// integrity check knows them: patients, users and emergency grants, all
// sealed and tagged. Other layers register their own tables the same way
// when they add them.
#pragma once

#include "storage/data_protection.h"
#include "storage/integrity_scanner.h"

namespace th::access {

// Registers a checker per table; `protection` must outlive the scanner.
void register_personal_tables(storage::IntegrityScanner& scanner,
                              storage::DataProtection& protection);

}  // namespace th::access
