#pragma once
// The storage interface. Implementations are synchronous; callers run them on a
// store::Worker thread so that no I/O thread ever waits on the database.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace store {

enum class Role { kUser, kAdmin };
const char* to_string(Role role);
std::optional<Role> role_from_string(std::string_view text);

inline constexpr std::int64_t kDefaultGroupId = 1;

struct KeyRow {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  Role role = Role::kUser;
  std::int64_t group_id = kDefaultGroupId;
  std::string key_hash;  // hex SHA-256 of the plain key
  std::string key_hint;  // the masked form, "br-AbCd…wXyZ"
  core::Money month_quota;
  core::Money month_fee;
  core::Money balance;
  core::Money total_fee;
  std::string fee_month;        // "2026-11": the month month_fee belongs to
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t updated_at = 0;
};

struct GroupRow {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct ModelRow {
  std::int64_t id = 0;
  std::string name;       // what clients send as "model"; unique
  std::string provider;   // e.g. "openai-compatible"
  std::string config;     // JSON object text, secrets in clear (masking is the API's job)
  core::Money price_in;   // per one million input tokens
  core::Money price_out;  // per one million output tokens
  bool multiple = false;  // accepts images
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct Grant {
  std::int64_t subject_id = 0;  // group id or key id
  std::int64_t model_id = 0;
};

// Everything the in-memory catalog is built from.
struct CatalogData {
  std::vector<KeyRow> keys;
  std::vector<GroupRow> groups;
  std::vector<ModelRow> models;
  std::vector<Grant> group_grants;
  std::vector<Grant> key_grants;
};

struct NewKey {
  std::string name;
  std::string email;
  Role role = Role::kUser;
  std::int64_t group_id = kDefaultGroupId;
  std::string key_hash;
  std::string key_hint;
  core::Money month_quota;
  core::Money balance;
};

struct NewModel {
  std::string name;
  std::string provider;
  std::string config;
  core::Money price_in;
  core::Money price_out;
  bool multiple = false;
  std::optional<std::int64_t> group_id;  // also grant the model to this group
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema to the newest version; creates group 1 "default".
  virtual core::Status migrate() = 0;
  // A trivial query: true when the database answers.
  virtual bool ping() = 0;
  virtual core::Result<CatalogData> load_catalog() = 0;

  virtual bool has_admin_key() = 0;
  virtual std::optional<KeyRow> find_key_by_hash(const std::string& key_hash) = 0;
  // Errors: unknown group (kBadRequest, field "group_id"), duplicate hash (kConflict).
  virtual core::Result<KeyRow> insert_key(const NewKey& key) = 0;
  // Errors: duplicate name (kConflict, field "name"); unknown group_id (kBadRequest).
  // Inserting the model and its optional group grant is one transaction.
  virtual core::Result<ModelRow> insert_model(const NewModel& model) = 0;
  // Idempotent. Errors: unknown group/key or model (kNotFound naming which).
  virtual core::Status grant_model_to_group(std::int64_t group_id, std::int64_t model_id) = 0;
  virtual core::Status grant_model_to_key(std::int64_t key_id, std::int64_t model_id) = 0;
};

// Opens the database named by a URL: "sqlite://path/to/file.db" (directories created,
// ":memory:" allowed for tests). Errors name the URL and the reason.
core::Result<std::unique_ptr<Store>> open_store(const std::string& url);

}  // namespace store
