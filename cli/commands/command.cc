#include "commands/command.h"

#include <Poco/URI.h>

#include <algorithm>

#include "exit_codes.h"

namespace th::cli {
namespace {

bool segment_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._-@+:").find(c) != std::string_view::npos;
}

// Edit distance counting a swap of neighbours as one edit (optimal string
// alignment), since "lsit" for "list" is the commonest typo. The names
// compared are a few letters long.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t change = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + change});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The known name closest to `word`: one it begins, or one within a typo or
// two of it; empty when none is close.
std::string closest_name(const std::string& word, const std::vector<const CLI::App*>& commands) {
  const std::size_t allowed = word.size() <= 4 ? 1 : 2;
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (const CLI::App* command : commands) {
    const std::string& name = command->get_name();
    if (word.size() >= 2 && name.starts_with(word)) {
      return name;
    }
    const std::size_t distance = edit_distance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

// Whether option `word` (seen at `command`, options falling through to the
// parents) takes the next word as its value.
bool takes_value(const CLI::App* command, const std::string& word) {
  for (; command != nullptr; command = command->get_parent()) {
    const CLI::Option* option = command->get_option_no_throw(word);
    if (option != nullptr) {
      return option->get_items_expected_max() > 0;
    }
  }
  return false;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    text += (text.empty() ? "" : " ") + word;
  }
  return text;
}

}  // namespace

void print_error(std::string_view message) {
  std::cerr << "thctl: error: " << message << "\n";
}

void run_command(CommandEnv& env, const std::function<Status(ApiClient&)>& body) {
  const auto format = parse_output_format(env.output_name);
  if (!format.ok()) {
    print_error(format.error().message());
    env.exit_code = kExitUsage;
    return;
  }
  env.options.output = *format;
  ApiClient client(env.options);
  const Status status = body(client);
  if (!status.ok()) {
    print_error(status.error().message());
    env.exit_code = exit_code_for(status.error().code());
  }
}

CLI::App* add_verb(CLI::App& noun, const std::string& name, const std::string& description,
                   CommandEnv& env, std::function<Status(ApiClient&)> body) {
  CLI::App* verb = noun.add_subcommand(name, description);
  verb->callback([&env, body = std::move(body)] { run_command(env, body); });
  return verb;
}

Result<std::string> path_segment(std::string_view value, std::string_view what) {
  if (value.empty() || !std::all_of(value.begin(), value.end(), segment_char)) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + " may hold only letters, digits and . _ - @ + :");
  }
  return std::string(value);
}

std::string query_string(std::string_view name, std::string_view value) {
  if (value.empty()) {
    return "";
  }
  std::string encoded;
  Poco::URI::encode(std::string(value), "!#$&'()*+,/:;=?@[]", encoded);
  return "?" + std::string(name) + "=" + encoded;
}

Result<Poco::JSON::Object::Ptr> call_object(ApiClient& client, const std::string& method,
                                            const std::string& path, Poco::JSON::Object::Ptr body) {
  if (!body && method == "POST") {
    body = new Poco::JSON::Object;
  }
  auto reply = client.call(method, path, body);
  if (!reply.ok()) {
    return reply.error();
  }
  if (reply->type() != typeid(Poco::JSON::Object::Ptr)) {
    return Error(ErrorCode::kInternal, "the daemon's reply is not a JSON object");
  }
  return reply->extract<Poco::JSON::Object::Ptr>();
}

Result<Poco::JSON::Array::Ptr> get_items(ApiClient& client, const std::string& path) {
  auto reply = client.get_object(path);
  if (!reply.ok()) {
    return reply.error();
  }
  Poco::JSON::Array::Ptr items = (*reply)->getArray("items");
  if (!items) {
    return Error(ErrorCode::kInternal, "the daemon's reply has no 'items' list");
  }
  return items;
}

void show_record(CommandEnv& env, const Poco::JSON::Object::Ptr& record,
                 const std::vector<Column>& columns) {
  if (!env.options.quiet) {
    print_record(*env.out, env.options.output, record, columns);
  }
}

Poco::JSON::Object::Ptr lists_as_text(const CommandEnv& env, const Poco::JSON::Object::Ptr& record,
                                      const std::vector<std::string>& fields) {
  if (env.options.output == OutputFormat::kJson) {
    return record;
  }
  Poco::JSON::Object::Ptr copy = new Poco::JSON::Object(*record);
  for (const std::string& field : fields) {
    const Poco::JSON::Array::Ptr items = record->getArray(field);
    if (!items) {
      continue;
    }
    std::string joined;
    for (std::size_t i = 0; i < items->size(); ++i) {
      joined += (i == 0 ? "" : " ") + items->getElement<std::string>(static_cast<unsigned>(i));
    }
    copy->set(field, joined);
  }
  return copy;
}

void show_listing(CommandEnv& env, const Poco::JSON::Array::Ptr& rows,
                  const std::vector<Column>& columns) {
  if (!env.options.quiet) {
    print_listing(*env.out, env.options.output, rows, columns);
  }
}

void show_done(CommandEnv& env, const Poco::JSON::Object::Ptr& reply, const std::string& done) {
  if (env.options.quiet) {
    return;
  }
  if (env.options.output == OutputFormat::kTable) {
    *env.out << done << "\n";
    return;
  }
  print_record(*env.out, env.options.output, reply, {{"ok", "ok"}});
}

void show_record_with_secret(CommandEnv& env, const Poco::JSON::Object::Ptr& record,
                             const std::vector<Column>& columns, const std::string& secret_field,
                             const std::string& label) {
  const std::string secret = field_text(record, secret_field);
  if (env.options.quiet) {
    if (!secret.empty()) {
      *env.out << secret << "\n";
    }
    return;
  }
  if (env.options.output != OutputFormat::kTable) {
    print_record(*env.out, env.options.output, record, columns);
    return;
  }
  std::vector<Column> shown;
  std::copy_if(columns.begin(), columns.end(), std::back_inserter(shown),
               [&](const Column& column) { return column.field != secret_field; });
  print_record(*env.out, env.options.output, record, shown);
  if (!secret.empty()) {
    *env.out << "\n" << label << " (shown once): " << secret << "\n";
  }
}

std::string unknown_command_message(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* command = &app;
  std::vector<std::string> path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") {
      break;
    }
    if (word.size() > 1 && word[0] == '-') {
      if (word.find('=') == std::string::npos && takes_value(command, word)) {
        ++i;
      }
      continue;
    }
    const auto known = command->get_subcommands([](const CLI::App*) { return true; });
    if (known.empty()) {
      return "";  // the verb's own arguments
    }
    const auto next = std::find_if(known.begin(), known.end(),
                                   [&](const CLI::App* sub) { return sub->check_name(word); });
    if (next == known.end()) {
      const std::string stem = joined(path);
      const std::string prefix = stem.empty() ? "" : stem + " ";
      const std::string suggestion = closest_name(word, known);
      return "unknown command '" + prefix + word + "' " +
             (suggestion.empty() ? "(see 'thctl " + prefix + "--help')"
                                 : "(did you mean '" + prefix + suggestion + "'?)");
    }
    command = *next;
    path.push_back(word);
  }
  const auto known = command->get_subcommands([](const CLI::App*) { return true; });
  if (path.empty() || known.empty()) {
    return "";
  }
  std::string names;
  for (const CLI::App* sub : known) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return "'" + joined(path) + "' needs a command: " + names;
}

}  // namespace th::cli
