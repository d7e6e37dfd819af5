// thctl audit: the integrity of the audit log. Verification of the whole
// log, its signed checkpoints, the public key that checks them, and RFC 6962
// proofs that anyone can check with that key and a few lines of code.
#include <memory>

#include "commands/command.h"
#include "exit_codes.h"

namespace th::cli {
namespace {

// The last two are shown only when verification failed.
const std::vector<Column> kVerifyColumns = {
    {"ok", "ok"},
    {"events_checked", "events checked"},
    {"checkpoints_checked", "checkpoints checked"},
    {"failed_seq", "first failure at seq"},
    {"failure_reason", "reason"},
};

const std::vector<Column> kCheckpointColumns = {
    {"origin", "origin"},       {"tree_size", "tree size"}, {"root_hash", "root hash"},
    {"timestamp", "timestamp"}, {"time", "time"},           {"node", "signed by node"},
};

const std::vector<Column> kPublicKeyColumns = {
    {"origin", "origin"},
    {"algorithm", "algorithm"},
    {"public_key", "public key"},
    {"verifier_key", "verifier key"},
};

const std::vector<Column> kInclusionColumns = {
    {"event_id", "event"},      {"leaf_index", "leaf index"}, {"tree_size", "tree size"},
    {"leaf_hash", "leaf hash"}, {"root_hash", "root hash"},   {"audit_path", "audit path"},
};

const std::vector<Column> kConsistencyColumns = {
    {"from_tree_size", "from tree size"},     {"from_root_hash", "from root hash"},
    {"to_tree_size", "to tree size"},         {"to_root_hash", "to root hash"},
    {"consistency_path", "consistency path"},
};

struct AuditOptions {
  bool now = false;
  std::string event_id;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
};

// Verification found the log altered: what it found is the output, and the
// exit code says "data error", whatever the format.
void report_tampering(CommandEnv& env, const std::string& message) {
  print_error(message);
  env.exit_code = kExitDataError;
}

Status verify_log(CommandEnv& env, ApiClient& client) {
  auto report = call_object(client, "POST", "/api/v1/audit/verify");
  if (!report.ok()) {
    if (report.error().code() == ErrorCode::kDataLoss) {
      report_tampering(env, report.error().message());
      return ok_status();
    }
    return report.error();
  }
  const Poco::JSON::Object::Ptr failure = (*report)->getObject("first_failure");
  if (env.options.output == OutputFormat::kJson) {
    show_record(env, *report, kVerifyColumns);
  } else {
    Poco::JSON::Object::Ptr flat = new Poco::JSON::Object(**report);
    flat->remove("first_failure");
    std::vector<Column> columns = kVerifyColumns;
    if (failure) {
      flat->set("failed_seq", failure->get("seq"));
      flat->set("failure_reason", failure->get("reason"));
    } else {
      columns.resize(3);
    }
    show_record(env, flat, columns);
  }
  if (failure) {
    report_tampering(env, "audit log verification failed at seq " +
                              failure->getValue<std::string>("seq") + ": " +
                              failure->getValue<std::string>("reason"));
  }
  return ok_status();
}

Status show_checkpoint(CommandEnv& env, ApiClient& client, const AuditOptions& options) {
  auto checkpoint = options.now ? call_object(client, "POST", "/api/v1/audit/checkpoint")
                                : call_object(client, "GET", "/api/v1/audit/checkpoint");
  if (!checkpoint.ok()) {
    return checkpoint.error();
  }
  // The note exactly as signed, so that it can be saved and checked as is.
  if (env.options.output == OutputFormat::kTable) {
    if (!env.options.quiet) {
      *env.out << (*checkpoint)->getValue<std::string>("note");
    }
    return ok_status();
  }
  show_record(env, *checkpoint, kCheckpointColumns);
  return ok_status();
}

Status show_public_key(CommandEnv& env, ApiClient& client) {
  auto key = call_object(client, "GET", "/api/v1/audit/public-key");
  if (!key.ok()) {
    return key.error();
  }
  if (env.options.output == OutputFormat::kTable) {
    if (!env.options.quiet) {
      *env.out << (*key)->getValue<std::string>("public_key_pem")
               << (*key)->getValue<std::string>("verifier_key") << "\n";
    }
    return ok_status();
  }
  show_record(env, *key, kPublicKeyColumns);
  return ok_status();
}

Status prove_event(CommandEnv& env, ApiClient& client, const AuditOptions& options) {
  auto id = path_segment(options.event_id, "an event id");
  if (!id.ok()) {
    return id.error();
  }
  auto proof = call_object(client, "GET", "/api/v1/audit/proofs/inclusion/" + *id);
  if (!proof.ok()) {
    return proof.error();
  }
  show_record(env, *proof, kInclusionColumns);
  return ok_status();
}

Status prove_consistency(CommandEnv& env, ApiClient& client, const AuditOptions& options) {
  auto proof = call_object(client, "GET",
                           "/api/v1/audit/proofs/consistency?from=" + std::to_string(options.from) +
                               "&to=" + std::to_string(options.to));
  if (!proof.ok()) {
    return proof.error();
  }
  show_record(env, *proof, kConsistencyColumns);
  return ok_status();
}

}  // namespace

void register_audit_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* audit = app.add_subcommand("audit", "Verify the audit log, its checkpoints and proofs");
  audit->require_subcommand(1);

  add_verb(*audit, "verify",
           "Recompute the log from the stored events and check every checkpoint (exit 65 if "
           "anything was altered)",
           env, [&env](ApiClient& c) { return verify_log(env, c); });

  add_verb(*audit, "checkpoint", "Print the newest signed checkpoint as it is", env,
           [&env, options](ApiClient& c) { return show_checkpoint(env, c, *options); })
      ->add_flag("--now", options->now, "sign a checkpoint of the whole log first");

  add_verb(*audit, "public-key", "Print the checkpoint signing key (PEM, and as a verifier key)",
           env, [&env](ApiClient& c) { return show_public_key(env, c); });

  add_verb(*audit, "prove", "Print an RFC 6962 inclusion proof of an event", env,
           [&env, options](ApiClient& c) { return prove_event(env, c, *options); })
      ->add_option("event_id", options->event_id, "ID of the audit event")
      ->required();

  CLI::App* consistency =
      add_verb(*audit, "consistency", "Print an RFC 6962 consistency proof between checkpoints",
               env, [&env, options](ApiClient& c) { return prove_consistency(env, c, *options); });
  consistency->add_option("--from", options->from, "tree size of the older checkpoint")->required();
  consistency->add_option("--to", options->to, "tree size of the newer checkpoint")->required();
}

}  // namespace th::cli
