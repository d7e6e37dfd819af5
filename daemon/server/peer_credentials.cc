#include "server/peer_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace th::server {

Result<PeerCredentials> read_peer_credentials(int socket_fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    return Error(ErrorCode::kInternal,
                 std::string("read peer credentials: ") + std::strerror(errno));
  }
  return PeerCredentials{credentials.pid, credentials.uid, credentials.gid};
}

Result<gid_t> lookup_group(const std::string& name) {
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  const int rc = getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) {
    return Error(ErrorCode::kNotFound, "look up group '" + name + "': no such group");
  }
  return found->gr_gid;
}

bool is_local_operator(const PeerCredentials& peer, gid_t admin_group) {
  if (peer.uid == 0 || peer.gid == admin_group) {
    return true;
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(peer.uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return false;
  }
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
    getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count);
  }
  groups.resize(static_cast<std::size_t>(count));
  for (const gid_t group : groups) {
    if (group == admin_group) {
      return true;
    }
  }
  return false;
}

}  // namespace th::server
