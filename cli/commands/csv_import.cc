#include "commands/csv_import.h"

#include "config/small_file.h"

namespace th::cli {
namespace {

// The daemon limits request bodies itself; this keeps a mistaken argument
// (a disk image, say) from being read into memory first.
constexpr std::size_t kMaxImportBytes = 16 * 1024 * 1024;

void print_import_problems(const std::string& file, const Poco::JSON::Object::Ptr& detail) {
  const Poco::JSON::Array::Ptr rows = detail ? detail->getArray("rows") : nullptr;
  if (!rows) {
    return;
  }
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto row = rows->getObject(static_cast<unsigned>(i));
    const std::string line = field_text(row, "line");
    std::cerr << file << (line.empty() || line == "0" ? "" : ":" + line) << ": "
              << field_text(row, "message") << "\n";
  }
}

}  // namespace

Status import_csv_file(CommandEnv& env, ApiClient& client, const std::string& file,
                       const std::string& path, const std::vector<Column>& columns) {
  auto text = read_small_file(file, kMaxImportBytes, "import file");
  if (!text.ok()) {
    return text.error();
  }
  Poco::JSON::Object::Ptr detail;
  auto reply = client.call_text("POST", path, *text, "text/csv", &detail);
  if (!reply.ok()) {
    print_import_problems(file, detail);
    return reply.error();
  }
  const Poco::JSON::Array::Ptr created =
      reply->type() == typeid(Poco::JSON::Object::Ptr)
          ? reply->extract<Poco::JSON::Object::Ptr>()->getArray("items")
          : nullptr;
  if (!created) {
    return Error(ErrorCode::kInternal, "the daemon's reply has no 'items' list");
  }
  if (env.options.quiet) {
    return ok_status();
  }
  print_listing(*env.out, env.options.output, created, columns);
  return ok_status();
}

}  // namespace th::cli
