#include "notify/notify_tables.h"

#include "notify/calendar_entry_store.h"
#include "notify/outbox.h"
#include "storage/sealed_table_checker.h"

namespace th::notify {

void register_notify_tables(storage::IntegrityScanner& scanner,
                            storage::DataProtection& protection) {
  for (const storage::SealedTableLayout* layout :
       {&Outbox::layout(), &CalendarEntryStore::layout()}) {
    scanner.add(std::make_unique<storage::SealedTableChecker>(*layout, protection));
  }
}

}  // namespace th::notify
