#pragma once
// The request path's view of keys, models and grants: built from the store, never changed
// after construction, shared by every request through CatalogHolder.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/money.hpp"
#include "providers/provider.hpp"
#include "store/store.hpp"

namespace providers {
class Registry;
}

namespace catalog {

struct KeyEntry {
  std::int64_t id = 0;
  std::string name;
  store::Role role = store::Role::kUser;
  std::int64_t group_id = store::kDefaultGroupId;
};

struct ModelEntry {
  std::int64_t id = 0;
  std::string name;
  std::string provider;
  bool multiple = false;
  core::Money price_in;
  core::Money price_out;
  std::int64_t created_at = 0;
  // Null when the stored config no longer validates (e.g. a provider removed); the error
  // then says why, and requests to the model fail with it instead of crashing.
  std::shared_ptr<const providers::Endpoint> endpoint;
  std::string config_error;
};

class Catalog {
 public:
  static std::shared_ptr<const Catalog> build(store::CatalogData data,
                                              const providers::Registry& registry);
  // This catalog with one key's row replaced (or added, or, with `row` null, removed): a
  // write that changed that key alone. Models and grants are shared, not rebuilt; the keys
  // are copied, which at 10,000 keys is a tenth of a rebuild from the store.
  std::shared_ptr<const Catalog> with_key(std::int64_t key_id, const store::KeyRow* row) const;

  const KeyEntry* find_key_by_hash(std::string_view key_hash) const;
  const ModelEntry* find_model(std::string_view name) const;
  bool may_use(const KeyEntry& key, const ModelEntry& model) const;
  // The models a key may use, ordered by name.
  std::vector<const ModelEntry*> models_for(const KeyEntry& key) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  struct PairHash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& pair) const {
      return std::hash<std::int64_t>{}(pair.first * 1'000'003 ^ pair.second);
    }
  };
  using Grants = std::unordered_set<std::pair<std::int64_t, std::int64_t>, PairHash>;

  std::unordered_map<std::string, KeyEntry, StringHash, std::equal_to<>> keys_by_hash_;
  std::unordered_map<std::string, ModelEntry, StringHash, std::equal_to<>> models_by_name_;
  Grants group_grants_;  // (group id, model id)
  Grants key_grants_;    // (key id, model id)
};

// Holds the current snapshot; readers on any thread, one writer at a time.
class CatalogHolder {
 public:
  CatalogHolder() : current_(std::make_shared<const Catalog>()) {}
  std::shared_ptr<const Catalog> current() const {
    return current_.load(std::memory_order_acquire);
  }
  void replace(std::shared_ptr<const Catalog> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Catalog>> current_;
};

}  // namespace catalog
