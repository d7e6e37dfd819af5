#include "messaging/messaging_tables.h"

#include "messaging/conversation_store.h"
#include "messaging/message_store.h"
#include "storage/sealed_table_checker.h"

namespace th::messaging {

void register_messaging_tables(storage::IntegrityScanner& scanner,
                               storage::DataProtection& protection) {
  for (const storage::SealedTableLayout* layout :
       {&ConversationStore::layout(), &MessageStore::layout()}) {
    scanner.add(std::make_unique<storage::SealedTableChecker>(*layout, protection));
  }
}

}  // namespace th::messaging
