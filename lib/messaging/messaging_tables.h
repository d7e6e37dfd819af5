// The tables of secure messaging that hold personal data, for the integrity
// check: conversations (sealed subject, tagged) and messages (sealed body,
// tagged).
#pragma once

#include "storage/data_protection.h"
#include "storage/integrity_scanner.h"

namespace th::messaging {

// Registers a checker per table; `protection` must outlive the scanner.
void register_messaging_tables(storage::IntegrityScanner& scanner,
                               storage::DataProtection& protection);

}  // namespace th::messaging
