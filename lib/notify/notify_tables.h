// The tables of reminders and calendar feeds that hold personal data, as the
// integrity check knows them: the outbox (recipient, subject, body and
// attachment sealed until sent) and the feeds' entries (initials sealed).
#pragma once

#include "storage/data_protection.h"
#include "storage/integrity_scanner.h"

namespace th::notify {

// Registers a checker per table; `protection` must outlive the scanner.
void register_notify_tables(storage::IntegrityScanner& scanner,
                            storage::DataProtection& protection);

}  // namespace th::notify
