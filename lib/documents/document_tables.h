// The table of documents, for the integrity check: metadata sealed and
// tagged, content sealed and checked against its SHA-256 (DocumentChecker).
#pragma once

#include "storage/data_protection.h"
#include "storage/integrity_scanner.h"

namespace th::documents {

// Registers the documents table's checker; `protection` must outlive the
// scanner.
void register_document_tables(storage::IntegrityScanner& scanner,
                              storage::DataProtection& protection);

}  // namespace th::documents
