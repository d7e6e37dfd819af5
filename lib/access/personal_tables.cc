#include "access/personal_tables.h"

#include "access/emergency_store.h"
#include "access/patient_store.h"
#include "access/role_store.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "storage/sealed_table_checker.h"

namespace th::access {

void register_personal_tables(storage::IntegrityScanner& scanner,
                              storage::DataProtection& protection) {
  for (const storage::SealedTableLayout* layout :
       {&PatientStore::layout(), &UserStore::layout(), &EmergencyStore::layout(),
        &SessionStore::layout()}) {
    scanner.add(std::make_unique<storage::SealedTableChecker>(*layout, protection));
  }
  scanner.add(RoleStore(protection).checker());
}

}  // namespace th::access
