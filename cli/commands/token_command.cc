// thctl token: long-lived bearer tokens for scripts and integrations, which
// act as a user (usually a service user) with that user's role or a narrower
// one.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kTokenColumns = {
    {"id", "id"},
    {"name", "name"},
    {"user_id", "user"},
    {"role", "role"},
    {"created_at", "created"},
    {"last_seen_at", "last used"},
    {"expires_at", "expires"},
    {"revoked", "revoked"},
};

struct TokenOptions {
  std::string user;
  std::string name;
  std::string role;
  int expires_in_days = 0;
  std::string id;
};

Status create_token(CommandEnv& env, ApiClient& client, const TokenOptions& options) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("user", options.user);
  body->set("name", options.name);
  if (!options.role.empty()) {
    body->set("role", options.role);
  }
  if (options.expires_in_days > 0) {
    body->set("expires_in_days", options.expires_in_days);
  }
  auto token = call_object(client, "POST", "/api/v1/tokens", body);
  if (!token.ok()) {
    return token.error();
  }
  std::vector<Column> columns = kTokenColumns;
  columns.push_back({"token", "token"});
  show_record_with_secret(env, *token, columns, "token", "token");
  return ok_status();
}

Status list_tokens(CommandEnv& env, ApiClient& client, const TokenOptions& options) {
  auto tokens = get_items(client, "/api/v1/tokens" + query_string("user", options.user));
  if (!tokens.ok()) {
    return tokens.error();
  }
  show_listing(env, *tokens, kTokenColumns);
  return ok_status();
}

Status revoke_token(CommandEnv& env, ApiClient& client, const TokenOptions& options) {
  auto id = path_segment(options.id, "a token id");
  if (!id.ok()) {
    return id.error();
  }
  auto reply = call_object(client, "DELETE", "/api/v1/tokens/" + *id);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "revoked token '" + options.id + "'");
  return ok_status();
}

}  // namespace

void register_token_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<TokenOptions>();
  CLI::App* token = app.add_subcommand("token", "Manage API tokens for scripts and services");
  token->require_subcommand(1);

  CLI::App* create =
      add_verb(*token, "create", "Create a token and print it (it is shown only once)", env,
               [&env, options](ApiClient& c) { return create_token(env, c, *options); });
  create->add_option("--user", options->user, "ID or USERNAME the token acts as")->required();
  create->add_option("--name", options->name, "what the token is for")->required();
  create->add_option("--role", options->role, "role of the token (default: the user's)");
  create
      ->add_option("--expires-in-days", options->expires_in_days,
                   "lifetime in days (default: the daemon's setting)")
      ->check(CLI::Range(1, 3650));

  add_verb(*token, "list", "List tokens that are in force", env, [&env, options](ApiClient& c) {
    return list_tokens(env, c, *options);
  })->add_option("--user", options->user, "only the tokens of this ID or USERNAME");

  add_verb(*token, "revoke", "Revoke a token at once", env,
           [&env, options](ApiClient& c) { return revoke_token(env, c, *options); })
      ->add_option("id", options->id, "ID of the token")
      ->required();
}

}  // namespace th::cli
