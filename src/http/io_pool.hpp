#pragma once
// One io_context per I/O thread. A connection lives on one context for its whole life, so
// its state (and the per-thread upstream pool) needs no locks.

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace http {

class IoPool {
 public:
  explicit IoPool(std::size_t threads);
  ~IoPool();

  // Round-robin choice for a new connection.
  boost::asio::io_context& next();
  boost::asio::io_context& at(std::size_t index);
  std::size_t size() const { return contexts_.size(); }

  void start();  // one thread per context
  void stop();   // stops every context (pending work is abandoned)
  void join();

 private:
  struct Slot;
  std::vector<std::unique_ptr<Slot>> contexts_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
};

}  // namespace http
