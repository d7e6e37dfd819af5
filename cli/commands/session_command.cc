// thctl session: the signed-in sessions of users, and ending them.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kSessionColumns = {
    {"id", "id"},
    {"user_id", "user"},
    {"role", "role"},
    {"created_at", "created"},
    {"last_seen_at", "last seen"},
    {"expires_at", "expires"},
    {"idle_timeout_seconds", "idle timeout (s)"},
    {"source_address", "source"},
    {"revoked", "revoked"},
};

struct SessionOptions {
  std::string user;
  std::string id;
};

Status list_sessions(CommandEnv& env, ApiClient& client, const SessionOptions& options) {
  auto sessions = get_items(client, "/api/v1/sessions" + query_string("user", options.user));
  if (!sessions.ok()) {
    return sessions.error();
  }
  show_listing(env, *sessions, kSessionColumns);
  return ok_status();
}

Status revoke_session(CommandEnv& env, ApiClient& client, const SessionOptions& options) {
  auto id = path_segment(options.id, "a session id");
  if (!id.ok()) {
    return id.error();
  }
  auto reply = call_object(client, "DELETE", "/api/v1/sessions/" + *id);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "revoked session '" + options.id + "'");
  return ok_status();
}

}  // namespace

void register_session_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<SessionOptions>();
  CLI::App* session = app.add_subcommand("session", "List and revoke sign-in sessions");
  session->require_subcommand(1);

  add_verb(*session, "list", "List active sessions", env, [&env, options](ApiClient& c) {
    return list_sessions(env, c, *options);
  })->add_option("--user", options->user, "only the sessions of this ID or USERNAME");

  add_verb(*session, "revoke", "End a session at once", env,
           [&env, options](ApiClient& c) { return revoke_session(env, c, *options); })
      ->add_option("id", options->id, "ID of the session")
      ->required();
}

}  // namespace th::cli
