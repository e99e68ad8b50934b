#pragma once
// The ids of recently seen events and messages, in memory, bounded: the fast answer to
// Feishu resending an event (it does when an answer takes over 3 s, and again after
// 15 s, 5 min, 1 h and 6 h). The store keeps the ids across restarts; this only spares it
// the common case. Safe to use from every I/O thread.

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bots::feishu {

class SeenIds {
 public:
  explicit SeenIds(std::size_t capacity);

  // True when none of `ids` was seen before; then all of them are remembered. When one
  // was seen, nothing changes except that the ones seen become the most recent.
  bool remember_all(const std::vector<std::string>& ids);
  // Forgets `ids` (processing them could not start after all).
  void forget(const std::vector<std::string>& ids);
  std::size_t size() const;

 private:
  using Order = std::list<std::string>;  // most recent first

  std::size_t capacity_;
  mutable std::mutex mutex_;
  Order order_;
  std::unordered_map<std::string_view, Order::iterator> index_;
};

}  // namespace bots::feishu
