// thctl keys: the key-encryption keys (KEKs) that wrap the data keys
// protecting personal fields at rest. `generate` writes a new KEK file here,
// without the daemon; `rotate` and `status` ask the daemon to re-wrap the
// data keys under its current KEK and to show how far that has gone.
#include <openssl/crypto.h>

#include <memory>

#include "commands/command.h"
#include "crypto/key_ring.h"

namespace th::cli {
namespace {

const std::vector<Column> kGenerateColumns = {
    {"file", "file"},
    {"kek_id", "key-encryption key"},
};

const std::vector<Column> kRotateColumns = {
    {"current_kek_id", "current key-encryption key"},
    {"rewrapped", "re-wrapped now"},
    {"from_kek_ids", "from"},
    {"total", "data keys"},
    {"remaining", "under an earlier key"},
    {"complete", "complete"},
    {"next_step", "next step"},
};

const std::vector<Column> kStatusColumns = {
    {"node", "node"},
    {"current_kek_id", "current key-encryption key"},
    {"kek_ids", "keys held"},
    {"total", "data keys"},
    {"remaining", "under an earlier key"},
    {"complete", "complete"},
};

const std::vector<Column> kKeyColumns = {
    {"purpose", "purpose"},           {"id", "id"},         {"kek_id", "key-encryption key"},
    {"under_current_kek", "current"}, {"kek_held", "held"}, {"created_at", "created"},
    {"rewrapped_at", "re-wrapped"},
};

struct KeysOptions {
  std::string file;
};

// Done here rather than by the daemon, which can neither write where KEKs
// belong (outside its state) nor be trusted with choosing where they go. The
// id printed is the one `keys status` and the daemon's log will show.
Status generate_kek(CommandEnv& env, const KeysOptions& options) {
  TH_RETURN_IF_ERROR(crypto::generate_kek_file(options.file));
  auto kek = crypto::load_kek_file(options.file);
  if (!kek.ok()) {
    return kek.error();
  }
  const std::string id = crypto::kek_id_of(*kek);
  OPENSSL_cleanse(kek->data(), kek->size());
  Poco::JSON::Object::Ptr record = new Poco::JSON::Object;
  record->set("file", options.file);
  record->set("kek_id", id);
  if (env.options.output == OutputFormat::kTable) {
    if (!env.options.quiet) {
      *env.out << "wrote key-encryption key '" << id << "' to " << options.file << "\n";
    }
    return ok_status();
  }
  show_record(env, record, kGenerateColumns);
  return ok_status();
}

Status rotate_keys(CommandEnv& env, ApiClient& client) {
  auto result = call_object(client, "POST", "/api/v1/keys/rotate");
  if (!result.ok()) {
    return result.error();
  }
  if (env.options.output != OutputFormat::kTable) {
    show_record(env, lists_as_text(env, *result, {"from_kek_ids"}), kRotateColumns);
    return ok_status();
  }
  if (env.options.quiet) {
    return ok_status();
  }
  const Poco::JSON::Object::Ptr& reply = *result;
  *env.out << "re-wrapped " << field_text(reply, "rewrapped")
           << " data key(s) under key-encryption key '" << field_text(reply, "current_kek_id")
           << "'; " << field_text(reply, "remaining") << " of " << field_text(reply, "total")
           << " still under an earlier key\n";
  const std::string next = field_text(reply, "next_step");
  if (!next.empty()) {
    *env.out << next << "\n";
  }
  return ok_status();
}

// A summary and the keys (table), the whole object (json), or one row per
// key (csv).
Status show_key_status(CommandEnv& env, ApiClient& client) {
  auto status = call_object(client, "GET", "/api/v1/keys/status");
  if (!status.ok()) {
    return status.error();
  }
  const Poco::JSON::Array::Ptr keys = (*status)->getArray("keys");
  if (env.options.output == OutputFormat::kJson) {
    show_record(env, *status, kStatusColumns);
  } else if (env.options.output == OutputFormat::kCsv) {
    show_listing(env, keys, kKeyColumns);
  } else {
    show_record(env, lists_as_text(env, *status, {"kek_ids"}), kStatusColumns);
    if (!env.options.quiet) {
      *env.out << "\n";
    }
    show_listing(env, keys, kKeyColumns);
  }
  return ok_status();
}

}  // namespace

void register_keys_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<KeysOptions>();
  CLI::App* keys =
      app.add_subcommand("keys", "Manage the key-encryption keys that protect data at rest");
  keys->require_subcommand(1);

  add_verb(*keys, "generate", "Write a new key-encryption key file (mode 0600, never replaced)",
           env, [&env, options](ApiClient&) { return generate_kek(env, *options); })
      ->add_option("file", options->file, "FILE to create")
      ->required();

  add_verb(*keys, "rotate", "Re-wrap every data key under the daemon's current key", env,
           [&env](ApiClient& c) { return rotate_keys(env, c); });

  add_verb(*keys, "status", "Show the current key and which data keys are still under old ones",
           env, [&env](ApiClient& c) { return show_key_status(env, c); });
}

}  // namespace th::cli
