#include "http/io_pool.hpp"

#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/thread_name.hpp"

namespace http {

struct IoPool::Slot {
  boost::asio::io_context context{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
      context.get_executor()};
};

IoPool::IoPool(std::size_t threads) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < threads; ++i) contexts_.push_back(std::make_unique<Slot>());
}

IoPool::~IoPool() {
  stop();
  join();
}

boost::asio::io_context& IoPool::next() {
  auto& context = contexts_[next_]->context;
  next_ = (next_ + 1) % contexts_.size();
  return context;
}

boost::asio::io_context& IoPool::at(std::size_t index) { return contexts_.at(index)->context; }

void IoPool::start() {
  for (std::size_t index = 0; index < contexts_.size(); ++index) {
    threads_.emplace_back([&context = contexts_[index]->context, index] {
      core::name_this_thread("llmgate-io" + std::to_string(index));
      context.run();
    });
  }
}

void IoPool::stop() {
  for (auto& slot : contexts_) {
    slot->guard.reset();
    slot->context.stop();
  }
}

void IoPool::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace http
