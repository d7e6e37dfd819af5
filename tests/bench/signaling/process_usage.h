// What the kernel accounts to another process: CPU time of all its threads
// (utime + stime from /proc/PID/stat) and resident memory (VmRSS from
// /proc/PID/status). The benchmark reads the server's figures this way, so
// each server is charged exactly what it spent, whatever the load
// generator costs. Safe from any thread.
#pragma once

#include <sys/types.h>

#include "util/result.h"

namespace th::bench {

struct ProcessUsage {
  double cpu_seconds = 0;
  long resident_kib = 0;
};

// kNotFound when the process is gone.
[[nodiscard]] Result<ProcessUsage> read_process_usage(pid_t pid);

// CPU time of the calling process so far (getrusage), user plus system.
[[nodiscard]] double own_cpu_seconds();

}  // namespace th::bench
