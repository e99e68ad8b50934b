#include "bots/feishu/seen_ids.hpp"

#include <algorithm>

namespace bots::feishu {

SeenIds::SeenIds(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

bool SeenIds::remember_all(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  bool seen = false;
  for (const auto& id : ids) {
    if (auto found = index_.find(id); found != index_.end()) {
      order_.splice(order_.begin(), order_, found->second);
      seen = true;
    }
  }
  if (seen) return false;
  for (const auto& id : ids) {
    if (index_.contains(id)) continue;  // the same id twice in one call
    order_.push_front(id);
    index_.emplace(order_.front(), order_.begin());
    if (order_.size() > capacity_) {
      index_.erase(order_.back());
      order_.pop_back();
    }
  }
  return true;
}

void SeenIds::forget(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  for (const auto& id : ids) {
    if (auto found = index_.find(id); found != index_.end()) {
      auto position = found->second;
      index_.erase(found);
      order_.erase(position);
    }
  }
}

std::size_t SeenIds::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace bots::feishu
