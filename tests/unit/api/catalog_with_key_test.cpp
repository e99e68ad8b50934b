// A write that changed one key hands the catalog that key's row alone (Catalog::with_key):
// the new snapshot answers for it as a rebuild would, and the old one is left as it was.

#include <gtest/gtest.h>

#include "catalog/catalog.hpp"
#include "providers/registry.hpp"

namespace catalog {
namespace {

store::KeyRow key_row(std::int64_t id, std::string hash, std::int64_t group_id) {
  store::KeyRow row;
  row.id = id;
  row.name = "key " + std::to_string(id);
  row.key_hash = std::move(hash);
  row.group_id = group_id;
  return row;
}

class CatalogWithKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::CatalogData data;
    data.keys = {key_row(1, "hash-1", 1), key_row(2, "hash-2", 1)};
    store::ModelRow model;
    model.id = 7;
    model.name = "gpt";
    model.provider = "openai-compatible";
    model.config = R"({"baseUrl": "http://127.0.0.1:9/v1", "apiKey": "sk-x"})";
    data.models = {model};
    data.group_grants = {{2, 7}};  // group 2 may use the model, group 1 may not
    base_ = Catalog::build(std::move(data), registry_);
  }

  providers::Registry registry_ = providers::make_default_registry();
  std::shared_ptr<const Catalog> base_;
};

TEST_F(CatalogWithKeyTest, AChangedKeyIsFoundByItsNewHashWithItsNewGroup) {
  auto moved = key_row(1, "hash-1-new", 2);
  auto next = base_->with_key(1, &moved);
  EXPECT_EQ(next->find_key_by_hash("hash-1"), nullptr);
  const KeyEntry* found = next->find_key_by_hash("hash-1-new");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->group_id, 2);
  EXPECT_TRUE(next->may_use(*found, *next->find_model("gpt")));
  // The other key, the model and the old snapshot are as they were.
  ASSERT_NE(next->find_key_by_hash("hash-2"), nullptr);
  EXPECT_EQ(next->find_model("gpt")->endpoint, base_->find_model("gpt")->endpoint);
  ASSERT_NE(base_->find_key_by_hash("hash-1"), nullptr);
  EXPECT_EQ(base_->find_key_by_hash("hash-1-new"), nullptr);
}

TEST_F(CatalogWithKeyTest, KeysAreAddedAndRemoved) {
  auto added = key_row(3, "hash-3", 1);
  auto with_three = base_->with_key(3, &added);
  ASSERT_NE(with_three->find_key_by_hash("hash-3"), nullptr);
  auto without_two = with_three->with_key(2, nullptr);
  EXPECT_EQ(without_two->find_key_by_hash("hash-2"), nullptr);
  EXPECT_NE(without_two->find_key_by_hash("hash-3"), nullptr);
  EXPECT_NE(without_two->find_key_by_hash("hash-1"), nullptr);
}

}  // namespace
}  // namespace catalog
