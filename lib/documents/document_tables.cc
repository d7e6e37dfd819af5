#include "documents/document_tables.h"

#include "documents/document_checker.h"

namespace th::documents {

void register_document_tables(storage::IntegrityScanner& scanner,
                              storage::DataProtection& protection) {
  scanner.add(std::make_unique<DocumentChecker>(protection));
}

}  // namespace th::documents
