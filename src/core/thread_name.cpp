#include "core/thread_name.hpp"

#include <pthread.h>

namespace core {

void name_this_thread(const std::string& name) {
  // Failure only means a name longer than the kernel keeps: truncate and try once more.
  if (pthread_setname_np(pthread_self(), name.c_str()) != 0) {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  }
}

}  // namespace core
