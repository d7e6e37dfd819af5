// The local operator check for the admin socket: the peer process's
// credentials come from the kernel (SO_PEERCRED), so they cannot be forged by
// the client. Root and members of the admin group are the local operator.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "util/result.h"

namespace th::server {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Reads the credentials of the process at the other end of a Unix socket.
Result<PeerCredentials> read_peer_credentials(int socket_fd);

// Resolves a group name; kNotFound when the system has no such group.
Result<gid_t> lookup_group(const std::string& name);

// True for uid 0, and for a uid whose primary or supplementary groups include
// admin_group.
bool is_local_operator(const PeerCredentials& peer, gid_t admin_group);

}  // namespace th::server
