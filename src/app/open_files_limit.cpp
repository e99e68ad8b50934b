#include "app/open_files_limit.hpp"

#include <sys/resource.h>

namespace app {

OpenFilesLimit raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  OpenFilesLimit result{limit.rlim_cur, limit.rlim_cur};
  if (limit.rlim_cur >= limit.rlim_max) return result;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  // An unlimited hard limit may not be a valid soft one (above fs.nr_open): stay put then.
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) result.now = raised.rlim_cur;
  return result;
}

}  // namespace app
