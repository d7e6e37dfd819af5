#include "documents/document_checker.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "documents/document_store.h"
#include "storage/row_values.h"

namespace th::documents {

DocumentChecker::DocumentChecker(storage::DataProtection& protection)
    : protection_(protection), metadata_(DocumentStore::layout(), protection) {}

Result<storage::CheckedPage> DocumentChecker::check_page(soci::session& session,
                                                         const std::string& after_id,
                                                         std::size_t limit) const {
  auto page = metadata_.check_page(session, after_id, limit);
  if (!page.ok() || page->rows == 0) {
    return page;
  }

  // The same rows again (bounded by the metadata page's last id, so a row
  // written meanwhile is not half checked), for their contents.
  std::vector<std::string> ids;
  {
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT id FROM documents WHERE id > :after AND id <= :last "
                            "ORDER BY id",
         soci::use(after_id), soci::use(page->last_id));
    for (const soci::row& row : rows) {
      ids.push_back(storage::column_text(row, 0));
    }
  }
  for (const std::string& id : ids) {
    std::vector<std::string> problems = check_content(session, id);
    if (problems.empty()) {
      continue;
    }
    auto failed = std::find_if(page->failures.begin(), page->failures.end(),
                               [&](const storage::RecordFailure& f) { return f.row_id == id; });
    if (failed == page->failures.end()) {
      page->failures.push_back({std::string(table()), id, std::move(problems)});
    } else {
      failed->problems.insert(failed->problems.end(), problems.begin(), problems.end());
    }
  }
  std::sort(page->failures.begin(), page->failures.end(),
            [](const storage::RecordFailure& a, const storage::RecordFailure& b) {
              return a.row_id < b.row_id;
            });
  return page;
}

// The content against the size and SHA-256 stored beside it. Whether those
// two are themselves genuine is the tag's check, reported by the metadata.
std::vector<std::string> DocumentChecker::check_content(soci::session& session,
                                                        const std::string& id) const {
  Document described;
  described.id = id;
  std::string sealed;
  long long size = 0;
  soci::indicator sealed_indicator = soci::i_ok;
  soci::indicator size_indicator = soci::i_ok;
  soci::indicator sha_indicator = soci::i_ok;
  session << "SELECT content_enc, size_bytes, sha256 FROM documents WHERE id = :id", soci::use(id),
      soci::into(sealed, sealed_indicator), soci::into(size, size_indicator),
      soci::into(described.sha256_hex, sha_indicator);
  if (!session.got_data()) {
    return {};  // removed while the scan ran
  }
  described.size_bytes = size;

  auto content = protection_.open(sealed_indicator == soci::i_ok ? sealed : std::string(),
                                  {"documents", "content", id});
  if (!content.ok()) {
    return {content.error().message()};
  }
  const bool matches = content_matches(described, *content);
  OPENSSL_cleanse(content->data(), content->size());
  if (!matches) {
    return {"content does not match its recorded size and SHA-256"};
  }
  return {};
}

}  // namespace th::documents
