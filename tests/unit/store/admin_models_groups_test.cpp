// SqliteStore, issue 3: models and groups.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "admin_fixtures.hpp"

namespace store::sqlite {
namespace {

using core::ErrorKind;
using core::Money;
using namespace testing;

template <class Row>
std::vector<std::string> names(const Page<Row>& page) {
  std::vector<std::string> result;
  for (const auto& row : page.items) {
    if constexpr (std::is_same_v<Row, GroupListRow>) {
      result.push_back(row.group.name);
    } else {
      result.push_back(row.name);
    }
  }
  return result;
}

using Names = std::vector<std::string>;

ModelFilter model_filter(std::string q = "", std::string provider = "", std::int64_t limit = 20,
                         std::int64_t offset = 0) {
  ModelFilter filter;
  filter.page = ListQuery{std::move(q), limit, offset};
  filter.provider = std::move(provider);
  return filter;
}

TEST(AdminModelsTest, FindModel) {
  auto store = open_migrated();
  auto model = must(store->insert_model(new_model("gpt-4o")));
  auto found = must(store->find_model(model.id));
  EXPECT_EQ(found.name, "gpt-4o");
  EXPECT_EQ(found.config, R"({"apiKey":"sk-1"})");
  auto missing = store->find_model(7);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "model 7 not found");
}

TEST(AdminModelsTest, ListSearchFilterAndPaging) {
  auto store = open_migrated();
  must(store->insert_model(new_model("gpt-4o", "openai-compatible")));
  must(store->insert_model(new_model("claude-3", "bedrock")));
  must(store->insert_model(new_model("GPT-mini", "openai-compatible")));
  must(store->insert_model(new_model("llama", "bedrock-converse")));

  auto all = must(store->list_models(model_filter()));
  EXPECT_EQ(all.total, 4);
  EXPECT_EQ(names(all), (Names{"llama", "GPT-mini", "claude-3", "gpt-4o"}));
  // q: name or provider, case-insensitive.
  EXPECT_EQ(names(must(store->list_models(model_filter("gpt")))), (Names{"GPT-mini", "gpt-4o"}));
  EXPECT_EQ(names(must(store->list_models(model_filter("BEDROCK")))), (Names{"llama", "claude-3"}));
  // provider: exact.
  EXPECT_EQ(names(must(store->list_models(model_filter("", "bedrock")))), (Names{"claude-3"}));
  EXPECT_EQ(must(store->list_models(model_filter("", "Bedrock"))).total, 0);
  EXPECT_EQ(names(must(store->list_models(model_filter("mini", "openai-compatible")))),
            (Names{"GPT-mini"}));

  auto page = must(store->list_models(model_filter("", "", 2, 2)));
  EXPECT_EQ(page.total, 4);
  EXPECT_EQ(names(page), (Names{"claude-3", "gpt-4o"}));
}

TEST(AdminModelsTest, UpdateChangesOnlyTheFieldsGiven) {
  auto store = open_migrated();
  auto model = must(store->insert_model(new_model("gpt-4o")));
  exec(*store, "UPDATE models SET updated_at = 0");

  ModelUpdate update;
  update.price_out = Money::from_nanos(1);
  update.multiple = true;
  auto updated = must(store->update_model(model.id, update));
  EXPECT_EQ(updated.price_out, Money::from_nanos(1));
  EXPECT_TRUE(updated.multiple);
  EXPECT_EQ(updated.name, "gpt-4o");
  EXPECT_EQ(updated.provider, model.provider);
  EXPECT_EQ(updated.config, model.config);
  EXPECT_EQ(updated.price_in, model.price_in);
  EXPECT_GT(updated.updated_at, 0);

  ModelUpdate rest;
  rest.name = "gpt-4.1";
  rest.provider = "azure";
  rest.config = "{}";
  rest.price_in = Money::from_nanos(2);
  rest.multiple = false;
  updated = must(store->update_model(model.id, rest));
  EXPECT_EQ(updated.name, "gpt-4.1");
  EXPECT_EQ(updated.provider, "azure");
  EXPECT_EQ(updated.config, "{}");
  EXPECT_EQ(updated.price_in, Money::from_nanos(2));
  EXPECT_EQ(updated.price_out, Money::from_nanos(1));
  EXPECT_FALSE(updated.multiple);

  exec(*store, "UPDATE models SET updated_at = 0");
  EXPECT_EQ(must(store->update_model(model.id, ModelUpdate{})).updated_at, 0);
  EXPECT_EQ(must(store->update_model(model.id, rest)).updated_at, 0);  // same values again
}

TEST(AdminModelsTest, UpdateWithGroupGrantsIt) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  auto model = must(store->insert_model(new_model("m", "p", kDefaultGroupId)));
  ModelUpdate update;
  update.group_id = staff.id;
  must(store->update_model(model.id, update));
  must(store->update_model(model.id, update));  // idempotent
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 2);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models WHERE group_id = " +
                               std::to_string(staff.id)),
            1);
}

TEST(AdminModelsTest, UpdateErrorsWriteNothing) {
  auto store = open_migrated();
  auto first = must(store->insert_model(new_model("first")));
  auto second = must(store->insert_model(new_model("second")));

  ModelUpdate update;
  update.name = "x";
  auto missing = store->update_model(7, update);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "model 7 not found");

  ModelUpdate duplicate;
  duplicate.name = "first";
  duplicate.price_in = Money::from_nanos(1);
  duplicate.group_id = kDefaultGroupId;
  auto conflict = store->update_model(second.id, duplicate);
  ASSERT_FALSE(conflict);
  expect_error(conflict.error(), ErrorKind::kConflict, "a model named 'first' already exists",
               "name");
  EXPECT_EQ(must(store->find_model(second.id)).price_in, second.price_in);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 0);  // the grant rolled back

  ModelUpdate bad_group;
  bad_group.name = "renamed";
  bad_group.group_id = 3;
  auto bad = store->update_model(first.id, bad_group);
  ASSERT_FALSE(bad);
  expect_error(bad.error(), ErrorKind::kBadRequest, "group 3 not found", "group_id");
  EXPECT_EQ(must(store->find_model(first.id)).name, "first");
}

TEST(AdminModelsTest, DeleteModelRemovesItsGrants) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice")));
  auto model = must(store->insert_model(new_model("m", "p", kDefaultGroupId)));
  auto other = must(store->insert_model(new_model("other", "p", kDefaultGroupId)));
  ASSERT_TRUE(store->grant_model_to_key(key.id, model.id));
  ASSERT_TRUE(store->delete_model(model.id));
  EXPECT_FALSE(store->find_model(model.id));
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM key_models"), 0);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 1);
  EXPECT_TRUE(store->find_model(other.id));
  auto again = store->delete_model(model.id);
  ASSERT_FALSE(again);
  expect_error(again.error(), ErrorKind::kNotFound,
               "model " + std::to_string(model.id) + " not found");
}

TEST(AdminGroupsTest, InsertFindAndDuplicate) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  EXPECT_GT(staff.id, kDefaultGroupId);
  EXPECT_EQ(staff.name, "staff");
  EXPECT_GT(staff.created_at, 0);
  EXPECT_EQ(must(store->find_group(staff.id)).name, "staff");
  EXPECT_EQ(must(store->find_group(kDefaultGroupId)).name, "default");

  auto duplicate = store->insert_group("staff");
  ASSERT_FALSE(duplicate);
  expect_error(duplicate.error(), ErrorKind::kConflict, "a group named 'staff' already exists",
               "name");
  auto missing = store->find_group(3);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "group 3 not found");
}

TEST(AdminGroupsTest, Rename) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  must(store->insert_group("ops"));
  exec(*store, "UPDATE groups SET updated_at = 0");
  EXPECT_EQ(must(store->rename_group(staff.id, "staff")).updated_at, 0);
  auto renamed = must(store->rename_group(staff.id, "team"));
  EXPECT_EQ(renamed.name, "team");
  EXPECT_GT(renamed.updated_at, 0);

  auto duplicate = store->rename_group(staff.id, "ops");
  ASSERT_FALSE(duplicate);
  expect_error(duplicate.error(), ErrorKind::kConflict, "a group named 'ops' already exists",
               "name");
  EXPECT_EQ(must(store->find_group(staff.id)).name, "team");
  auto missing = store->rename_group(9, "x");
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "group 9 not found");
}

TEST(AdminGroupsTest, ListCountsKeysAndModels) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("Staff"));
  auto ops = must(store->insert_group("ops"));
  must(store->insert_key(new_key("a", "", staff.id)));
  must(store->insert_key(new_key("b", "", staff.id)));
  must(store->insert_key(new_key("c")));
  must(store->insert_model(new_model("m1", "p", staff.id)));
  auto m2 = must(store->insert_model(new_model("m2", "p", staff.id)));
  ASSERT_TRUE(store->grant_model_to_group(ops.id, m2.id));

  auto all = must(store->list_groups(ListQuery{}));
  EXPECT_EQ(all.total, 3);
  EXPECT_EQ(names(all), (Names{"ops", "Staff", "default"}));
  EXPECT_EQ(all.items[0].key_count, 0);
  EXPECT_EQ(all.items[0].model_count, 1);
  EXPECT_EQ(all.items[1].key_count, 2);
  EXPECT_EQ(all.items[1].model_count, 2);
  EXPECT_EQ(all.items[2].key_count, 1);
  EXPECT_EQ(all.items[2].model_count, 0);

  EXPECT_EQ(names(must(store->list_groups(ListQuery{"STA", 20, 0}))), (Names{"Staff"}));
  auto page = must(store->list_groups(ListQuery{"", 1, 1}));
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(names(page), (Names{"Staff"}));
}

TEST(AdminGroupsTest, TheDefaultGroupCannotBeDeleted) {
  auto store = open_migrated();
  auto status = store->delete_group(kDefaultGroupId, true);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kBadRequest);
  EXPECT_EQ(status.error().message, "the default group cannot be deleted");
  EXPECT_TRUE(store->find_group(kDefaultGroupId));
}

TEST(AdminGroupsTest, DeleteUnknownIsNotFound) {
  auto store = open_migrated();
  auto status = store->delete_group(3, false);
  ASSERT_FALSE(status);
  expect_error(status.error(), ErrorKind::kNotFound, "group 3 not found");
}

TEST(AdminGroupsTest, DeleteWithKeysIsAConflictUnlessForced) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  auto a = must(store->insert_key(new_key("a", "", staff.id)));
  auto b = must(store->insert_key(new_key("b", "", staff.id)));
  auto model = must(store->insert_model(new_model("m", "p", staff.id)));
  ASSERT_TRUE(store->grant_model_to_group(kDefaultGroupId, model.id));

  auto refused = store->delete_group(staff.id, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kConflict);
  EXPECT_NE(refused.error().message.find("2 api keys"), std::string::npos);
  EXPECT_TRUE(store->find_group(staff.id));
  EXPECT_EQ(must(store->find_key(a.id)).group_id, staff.id);

  ASSERT_TRUE(store->delete_group(staff.id, true));
  EXPECT_FALSE(store->find_group(staff.id));
  EXPECT_EQ(must(store->find_key(a.id)).group_id, kDefaultGroupId);
  EXPECT_EQ(must(store->find_key(b.id)).group_id, kDefaultGroupId);
  // The group's grants went with it; the default group's grant stayed.
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 1);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models WHERE group_id = 1"), 1);
}

TEST(AdminGroupsTest, DeleteAnEmptyGroup) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  must(store->insert_model(new_model("m", "p", staff.id)));
  ASSERT_TRUE(store->delete_group(staff.id, false));
  EXPECT_FALSE(store->find_group(staff.id));
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 0);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM models"), 1);
}

}  // namespace
}  // namespace store::sqlite
