#pragma once
// The keep-alive connections of one I/O thread that wait for their next request, by origin.
// Bounded in count and in age: a connection waits at most `max_age`, at most
// `max_per_origin` wait for one origin and `max_total` in all, so origins used once (a
// client's image URLs on ever new hosts, a model whose baseUrl changed) cannot pile up open
// sockets until the process runs out of descriptors. Old connections are dropped by a sweep
// that a give_back() runs at most every `sweep_every` (or when the pool is full): no timer,
// no work of its own. One thread only; Connection has `idle_since`.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace http {

template <typename Connection>
class IdlePool {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::size_t max_per_origin;
    std::size_t max_total;
    Clock::duration max_age;
    Clock::duration sweep_every;
  };

  explicit IdlePool(Limits limits) : limits_(limits) {}

  // The most recently returned connection of `origin` that `usable` accepts; the others
  // tried on the way are dropped.
  template <typename Usable>
  std::unique_ptr<Connection> take(const std::string& origin, Usable&& usable) {
    auto found = by_origin_.find(origin);
    if (found == by_origin_.end()) return nullptr;
    auto& idle = found->second;
    std::unique_ptr<Connection> taken;
    while (!idle.empty() && !taken) {
      auto connection = std::move(idle.back());
      idle.pop_back();
      --total_;
      if (usable(*connection)) taken = std::move(connection);
    }
    return taken;  // an emptied origin stays until the next sweep: it is likely back soon
  }

  // Keeps `connection` for `origin`, or drops (closes) it when the pool is full.
  void give_back(const std::string& origin, std::unique_ptr<Connection> connection,
                 Clock::time_point now) {
    if (now - last_sweep_ >= limits_.sweep_every || total_ >= limits_.max_total) sweep(now);
    if (total_ >= limits_.max_total) return;
    auto& idle = by_origin_[origin];
    if (idle.size() >= limits_.max_per_origin) return;
    connection->idle_since = now;
    idle.push_back(std::move(connection));
    ++total_;
  }

  std::size_t size() const { return total_; }
  std::size_t origins() const { return by_origin_.size(); }

 private:
  void sweep(Clock::time_point now) {
    last_sweep_ = now;
    for (auto entry = by_origin_.begin(); entry != by_origin_.end();) {
      auto& idle = entry->second;
      std::erase_if(idle, [&](const std::unique_ptr<Connection>& connection) {
        if (now - connection->idle_since <= limits_.max_age) return false;
        --total_;
        return true;
      });
      entry = idle.empty() ? by_origin_.erase(entry) : std::next(entry);  // origins too
    }
  }

  Limits limits_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> by_origin_;
  std::size_t total_ = 0;
  Clock::time_point last_sweep_{};
};

}  // namespace http
