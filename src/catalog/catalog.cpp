#include "catalog/catalog.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "providers/registry.hpp"

namespace catalog {
namespace {

ModelEntry make_model_entry(store::ModelRow row, const providers::Registry& registry) {
  ModelEntry entry;
  entry.id = row.id;
  entry.name = std::move(row.name);
  entry.provider = std::move(row.provider);
  entry.multiple = row.multiple;
  entry.price_in = row.price_in;
  entry.price_out = row.price_out;
  entry.created_at = row.created_at;
  const auto* provider = registry.find(entry.provider);
  if (!provider) {
    entry.config_error = "unknown provider '" + entry.provider + "'";
    return entry;
  }
  boost::system::error_code ec;
  auto config = boost::json::parse(row.config.empty() ? std::string_view("{}") : row.config, ec);
  if (ec || !config.is_object()) {
    entry.config_error = "the stored config is not a JSON object";
    return entry;
  }
  auto endpoint = provider->configure(config.get_object(), entry.name);
  if (!endpoint) {
    entry.config_error = endpoint.error().message;
    return entry;
  }
  entry.endpoint = std::move(*endpoint);
  return entry;
}

}  // namespace

std::shared_ptr<const Catalog> Catalog::build(store::CatalogData data,
                                              const providers::Registry& registry) {
  auto catalog = std::make_shared<Catalog>();
  catalog->keys_by_hash_.reserve(data.keys.size());
  for (auto& row : data.keys) {
    catalog->keys_by_hash_.emplace(std::move(row.key_hash),
                                   KeyEntry{row.id, std::move(row.name), row.role, row.group_id});
  }
  catalog->models_by_name_.reserve(data.models.size());
  for (auto& row : data.models) {
    std::string name = row.name;
    catalog->models_by_name_.emplace(std::move(name), make_model_entry(std::move(row), registry));
  }
  for (const auto& grant : data.group_grants) {
    catalog->group_grants_.emplace(grant.subject_id, grant.model_id);
  }
  for (const auto& grant : data.key_grants) {
    catalog->key_grants_.emplace(grant.subject_id, grant.model_id);
  }
  return catalog;
}

std::shared_ptr<const Catalog> Catalog::with_key(std::int64_t key_id,
                                                 const store::KeyRow* row) const {
  auto catalog = std::make_shared<Catalog>(*this);
  std::erase_if(catalog->keys_by_hash_,
                [key_id](const auto& entry) { return entry.second.id == key_id; });
  if (row != nullptr) {
    catalog->keys_by_hash_.emplace(row->key_hash,
                                   KeyEntry{row->id, row->name, row->role, row->group_id});
  }
  return catalog;
}

const KeyEntry* Catalog::find_key_by_hash(std::string_view key_hash) const {
  auto found = keys_by_hash_.find(key_hash);
  return found == keys_by_hash_.end() ? nullptr : &found->second;
}

const ModelEntry* Catalog::find_model(std::string_view name) const {
  auto found = models_by_name_.find(name);
  return found == models_by_name_.end() ? nullptr : &found->second;
}

bool Catalog::may_use(const KeyEntry& key, const ModelEntry& model) const {
  return group_grants_.contains({key.group_id, model.id}) ||
         key_grants_.contains({key.id, model.id});
}

std::vector<const ModelEntry*> Catalog::models_for(const KeyEntry& key) const {
  std::vector<const ModelEntry*> models;
  for (const auto& [name, model] : models_by_name_) {
    if (may_use(key, model)) models.push_back(&model);
  }
  std::sort(models.begin(), models.end(),
            [](const ModelEntry* a, const ModelEntry* b) { return a->name < b->name; });
  return models;
}

}  // namespace catalog
