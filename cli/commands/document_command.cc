// thctl document: the documents uploaded to a patient's record, listed by
// their metadata (the content is fetched with the API, never printed
// here). Listing needs document.read and the patient in the caller's care
// scope, so it is run remotely with a clinician's or nurse's token; the
// local operator holds no clinical permission.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kDocumentColumns = {
    {"id", "id"},
    {"file_name", "name"},
    {"media_type", "type"},
    {"size_bytes", "bytes"},
    {"uploaded_by", "uploaded by"},
    {"created_at", "uploaded"},
    {"sha256", "sha-256"},
};

Status list_documents(CommandEnv& env, ApiClient& client, const std::string& patient) {
  auto segment = path_segment(patient, "a patient id or MRN");
  if (!segment.ok()) {
    return segment.error();
  }
  auto documents = get_items(client, "/api/v1/patients/" + *segment + "/documents");
  if (!documents.ok()) {
    return documents.error();
  }
  show_listing(env, *documents, kDocumentColumns);
  return ok_status();
}

}  // namespace

void register_document_command(CLI::App& app, CommandEnv& env) {
  auto patient = std::make_shared<std::string>();
  CLI::App* document = app.add_subcommand("document", "List the documents of patients");
  document->require_subcommand(1);

  add_verb(*document, "list", "List a patient's uploaded documents, newest first", env,
           [&env, patient](ApiClient& c) { return list_documents(env, c, *patient); })
      ->add_option("--patient", *patient, "ID or MRN of the patient")
      ->required();
}

}  // namespace th::cli
