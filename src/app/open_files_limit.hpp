#pragma once
// Every connection takes a descriptor, and a proxied one two (client and upstream), while
// systemd starts services with a soft limit of 1,024 open files: about 500 open streams.
// The hard limit is what the administrator allows, so the gateway raises its soft limit to
// it at start, as Go's runtime does for every program.

#include <cstdint>

namespace app {

struct OpenFilesLimit {
  std::uint64_t before = 0;  // the soft limit the process started with
  std::uint64_t now = 0;     // the soft limit after raising it (the hard limit, if allowed)
};

OpenFilesLimit raise_open_files_limit();

}  // namespace app
