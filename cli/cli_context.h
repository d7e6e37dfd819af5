// CliContext: thctl's global options and the services every command uses.
// Filled by main() from the command line and environment before a command's
// callback runs.
#pragma once

#include <string>

#include "output/output_format.h"

namespace th::cli {

inline constexpr const char* kDefaultSocket = "/run/telehealthd/admin.sock";

struct GlobalOptions {
  std::string socket_path = kDefaultSocket;
  std::string url;         // https://HOST:PORT; when set, used instead of the socket
  std::string token_file;  // bearer token for --url
  std::string ca_file;     // trust anchor for --url; empty means the system's CAs
  OutputFormat output = OutputFormat::kTable;
  bool quiet = false;
};

}  // namespace th::cli
