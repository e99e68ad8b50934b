#pragma once
// Names the calling thread as `top`, `perf` and /proc/<pid>/task/*/comm show it, so that an
// operator can tell the I/O threads from the store worker. Linux keeps 15 bytes.

#include <string>

namespace core {

void name_this_thread(const std::string& name);

}  // namespace core
