// SqliteStore, issue 3: keys and payments.

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "admin_fixtures.hpp"

namespace store::sqlite {
namespace {

using core::ErrorKind;
using core::Money;
using namespace testing;

std::vector<std::int64_t> ids(const Page<KeyListRow>& page) {
  std::vector<std::int64_t> result;
  for (const auto& row : page.items) result.push_back(row.key.id);
  return result;
}

KeyFilter filter(std::string q = "", std::int64_t limit = 20, std::int64_t offset = 0) {
  KeyFilter result;
  result.page = ListQuery{std::move(q), limit, offset};
  return result;
}

TEST(AdminKeysTest, FindKey) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice", "a@x.io")));
  auto found = must(store->find_key(key.id));
  EXPECT_EQ(found.name, "alice");
  EXPECT_EQ(found.key_hash, "hash-alice");
  auto missing = store->find_key(9);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "api key 9 not found");
}

TEST(AdminKeysTest, ListNewestFirstWithGroupNameAndPaging) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  std::vector<std::int64_t> inserted;
  for (int i = 0; i < 5; ++i) {
    inserted.push_back(
        must(store->insert_key(new_key("k" + std::to_string(i), "", i == 4 ? staff.id : 1))).id);
  }
  auto all = must(store->list_keys(filter()));
  EXPECT_EQ(all.total, 5);
  EXPECT_EQ(ids(all), (std::vector<std::int64_t>{inserted[4], inserted[3], inserted[2], inserted[1],
                                                 inserted[0]}));
  EXPECT_EQ(all.items[0].group_name, "staff");
  EXPECT_EQ(all.items[1].group_name, "default");
  EXPECT_EQ(all.items[0].key.name, "k4");

  auto page = must(store->list_keys(filter("", 2, 1)));
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(ids(page), (std::vector<std::int64_t>{inserted[3], inserted[2]}));
  auto past_end = must(store->list_keys(filter("", 2, 10)));
  EXPECT_EQ(past_end.total, 5);
  EXPECT_TRUE(past_end.items.empty());
}

TEST(AdminKeysTest, ListSearchAndFilters) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  auto alice = must(store->insert_key(new_key("Alice", "alice@corp.io")));
  auto bob = must(store->insert_key(new_key("bob", "BOB@Home.io", staff.id)));
  auto carol = must(store->insert_key(new_key("carol", "c@corp.io", staff.id, Role::kAdmin)));

  // q: name or email, case-insensitive.
  auto corp = must(store->list_keys(filter("CORP")));
  EXPECT_EQ(corp.total, 2);
  EXPECT_EQ(ids(corp), (std::vector<std::int64_t>{carol.id, alice.id}));
  EXPECT_EQ(ids(must(store->list_keys(filter("home")))), (std::vector<std::int64_t>{bob.id}));
  EXPECT_EQ(ids(must(store->list_keys(filter("aLi")))), (std::vector<std::int64_t>{alice.id}));

  // name: the name only.
  KeyFilter by_name = filter();
  by_name.name = "O";
  EXPECT_EQ(ids(must(store->list_keys(by_name))), (std::vector<std::int64_t>{carol.id, bob.id}));
  by_name.name = "corp";  // in emails, not names
  EXPECT_EQ(must(store->list_keys(by_name)).total, 0);

  KeyFilter by_group = filter();
  by_group.group_id = staff.id;
  EXPECT_EQ(ids(must(store->list_keys(by_group))), (std::vector<std::int64_t>{carol.id, bob.id}));
  by_group.role = Role::kAdmin;
  EXPECT_EQ(ids(must(store->list_keys(by_group))), (std::vector<std::int64_t>{carol.id}));
  by_group.role = Role::kUser;
  by_group.page.q = "bob";
  auto combined = must(store->list_keys(by_group));
  EXPECT_EQ(combined.total, 1);
  EXPECT_EQ(ids(combined), (std::vector<std::int64_t>{bob.id}));
}

TEST(AdminKeysTest, SearchTextIsLiteral) {
  auto store = open_migrated();
  auto percent = must(store->insert_key(new_key("100%_sure")));
  must(store->insert_key(new_key("plain")));
  EXPECT_EQ(ids(must(store->list_keys(filter("%")))), (std::vector<std::int64_t>{percent.id}));
  EXPECT_EQ(ids(must(store->list_keys(filter("_")))), (std::vector<std::int64_t>{percent.id}));
  EXPECT_EQ(must(store->list_keys(filter("' OR 1=1 --"))).total, 0);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM api_keys"), 2);
}

TEST(AdminKeysTest, UpdateChangesOnlyTheFieldsGiven) {
  auto store = open_migrated();
  auto staff = must(store->insert_group("staff"));
  auto key = must(store->insert_key(new_key("alice", "a@x.io")));
  exec(*store, "UPDATE api_keys SET updated_at = 0");

  KeyUpdate update;
  update.email = "new@x.io";
  update.month_quota = Money::from_nanos(7);
  auto updated = must(store->update_key(key.id, update));
  EXPECT_EQ(updated.email, "new@x.io");
  EXPECT_EQ(updated.month_quota, Money::from_nanos(7));
  EXPECT_EQ(updated.name, "alice");
  EXPECT_EQ(updated.role, Role::kUser);
  EXPECT_EQ(updated.group_id, 1);
  EXPECT_EQ(updated.balance, key.balance);
  EXPECT_EQ(updated.key_hash, key.key_hash);
  EXPECT_GT(updated.updated_at, 0);
  EXPECT_EQ(updated.created_at, key.created_at);

  KeyUpdate more;
  more.name = "Alice B";
  more.group_id = staff.id;
  more.role = Role::kAdmin;
  updated = must(store->update_key(key.id, more));
  EXPECT_EQ(updated.name, "Alice B");
  EXPECT_EQ(updated.group_id, staff.id);
  EXPECT_EQ(updated.role, Role::kAdmin);
  EXPECT_EQ(updated.email, "new@x.io");
  EXPECT_TRUE(store->has_admin_key());
}

TEST(AdminKeysTest, UpdateWithNothingToChangeKeepsUpdatedAt) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice", "a@x.io")));
  exec(*store, "UPDATE api_keys SET updated_at = 0");
  auto same = must(store->update_key(key.id, KeyUpdate{}));
  EXPECT_EQ(same.updated_at, 0);
  EXPECT_EQ(same.name, "alice");
  KeyUpdate equal;
  equal.name = "alice";
  equal.group_id = 1;
  equal.month_quota = key.month_quota;
  EXPECT_EQ(must(store->update_key(key.id, equal)).updated_at, 0);
}

TEST(AdminKeysTest, UpdateErrors) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice")));
  KeyUpdate update;
  update.name = "x";
  auto missing = store->update_key(9, update);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "api key 9 not found");

  update.group_id = 42;
  auto bad_group = store->update_key(key.id, update);
  ASSERT_FALSE(bad_group);
  expect_error(bad_group.error(), ErrorKind::kBadRequest, "group 42 not found", "group_id");
  // Nothing of the failed update was written.
  EXPECT_EQ(must(store->find_key(key.id)).name, "alice");
  // And the connection is usable for the next write.
  update.group_id.reset();
  EXPECT_EQ(must(store->update_key(key.id, update)).name, "x");
}

TEST(AdminKeysTest, KeyNamesNeedNotBeUnique) {
  auto store = open_migrated();
  must(store->insert_key(new_key("alice")));
  auto bob = must(store->insert_key(new_key("bob")));
  KeyUpdate update;
  update.name = "alice";
  EXPECT_EQ(must(store->update_key(bob.id, update)).name, "alice");
}

TEST(AdminKeysTest, ReplaceKeyHash) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice")));
  auto other = must(store->insert_key(new_key("bob")));
  auto replaced = must(store->replace_key_hash(key.id, "new-hash", "br-new…hint"));
  EXPECT_EQ(replaced.key_hash, "new-hash");
  EXPECT_EQ(replaced.key_hint, "br-new…hint");
  EXPECT_EQ(replaced.balance, key.balance);
  EXPECT_FALSE(store->find_key_by_hash("hash-alice"));
  EXPECT_EQ(store->find_key_by_hash("new-hash")->id, key.id);

  auto missing = store->replace_key_hash(9, "h", "x");
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "api key 9 not found");

  auto duplicate = store->replace_key_hash(other.id, "new-hash", "x");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(must(store->find_key(other.id)).key_hash, "hash-bob");
}

TEST(AdminKeysTest, DeleteKeyCascadesToGrantsAndPayments) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice")));
  auto other = must(store->insert_key(new_key("bob")));
  auto model = must(store->insert_model(new_model("m", "p", 1)));
  ASSERT_TRUE(store->grant_model_to_key(key.id, model.id));
  ASSERT_TRUE(store->grant_model_to_key(other.id, model.id));
  must(store->recharge_key(key.id, Money::from_nanos(5), std::nullopt));
  must(store->recharge_key(other.id, Money::from_nanos(5), std::nullopt));

  ASSERT_TRUE(store->delete_key(key.id));
  auto gone = store->find_key(key.id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(store->find_key_by_hash("hash-alice"));
  EXPECT_EQ(
      scalar(*store, "SELECT COUNT(*) FROM key_models WHERE key_id = " + std::to_string(key.id)),
      0);
  EXPECT_EQ(
      scalar(*store, "SELECT COUNT(*) FROM payments WHERE key_id = " + std::to_string(key.id)), 0);
  // The other key's rows and the group grant stay.
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM key_models"), 1);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM payments"), 1);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 1);

  auto again = store->delete_key(key.id);
  ASSERT_FALSE(again);
  expect_error(again.error(), ErrorKind::kNotFound,
               "api key " + std::to_string(key.id) + " not found");
}

TEST(AdminPaymentsTest, RechargeAddsAndRecordsThePayment) {
  auto store = open_migrated();
  auto admin = must(store->insert_key(new_key("root", "", 1, Role::kAdmin)));
  auto key = must(store->insert_key(new_key("alice")));
  exec(*store, "UPDATE api_keys SET updated_at = 0");

  auto recharge = must(store->recharge_key(key.id, Money::from_nanos(1'500'000'001), admin.id));
  EXPECT_EQ(recharge.key.id, key.id);
  EXPECT_EQ(recharge.key.balance, Money::from_nanos(3'500'000'001));
  EXPECT_GT(recharge.key.updated_at, 0);
  EXPECT_EQ(recharge.key.month_quota, key.month_quota);
  const PaymentRow& payment = recharge.payment;
  EXPECT_GT(payment.id, 0);
  EXPECT_EQ(payment.key_id, key.id);
  EXPECT_EQ(payment.key_name, "alice");
  EXPECT_EQ(payment.amount, Money::from_nanos(1'500'000'001));
  EXPECT_EQ(payment.balance_after, Money::from_nanos(3'500'000'001));
  EXPECT_EQ(payment.admin_key_id, admin.id);
  EXPECT_EQ(payment.admin_key_name, "root");
  EXPECT_GT(payment.created_at, 0);
  EXPECT_EQ(must(store->find_key(key.id)).balance, Money::from_nanos(3'500'000'001));

  auto second = must(store->recharge_key(key.id, Money::from_nanos(1), std::nullopt));
  EXPECT_EQ(second.payment.balance_after, Money::from_nanos(3'500'000'002));
  EXPECT_FALSE(second.payment.admin_key_id);
  EXPECT_EQ(second.payment.admin_key_name, "");
}

TEST(AdminPaymentsTest, PaymentKeepsTheAdminNameAfterTheAdminIsDeleted) {
  auto store = open_migrated();
  auto admin = must(store->insert_key(new_key("root", "", 1, Role::kAdmin)));
  auto key = must(store->insert_key(new_key("alice")));
  must(store->recharge_key(key.id, Money::from_nanos(10), admin.id));
  ASSERT_TRUE(store->delete_key(admin.id));
  auto page = must(store->list_payments(key.id, ListQuery{}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].admin_key_id, admin.id);
  EXPECT_EQ(page.items[0].admin_key_name, "root");
  // An admin id that no longer exists is still recorded, with no name.
  auto later = must(store->recharge_key(key.id, Money::from_nanos(10), admin.id));
  EXPECT_EQ(later.payment.admin_key_id, admin.id);
  EXPECT_EQ(later.payment.admin_key_name, "");
}

TEST(AdminPaymentsTest, RechargeErrorsWriteNothing) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice")));

  auto missing = store->recharge_key(9, Money::from_nanos(1), std::nullopt);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "api key 9 not found");

  for (std::int64_t amount : {std::int64_t{0}, std::int64_t{-5}}) {
    auto bad = store->recharge_key(key.id, Money::from_nanos(amount), std::nullopt);
    ASSERT_FALSE(bad);
    expect_error(bad.error(), ErrorKind::kBadRequest, "", "balance");
  }

  auto overflow = store->recharge_key(
      key.id, Money::from_nanos(std::numeric_limits<std::int64_t>::max()), std::nullopt);
  ASSERT_FALSE(overflow);
  expect_error(overflow.error(), ErrorKind::kBadRequest, "", "balance");
  EXPECT_EQ(must(store->find_key(key.id)).balance, key.balance);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM payments"), 0);

  // Up to the largest storable balance is fine.
  auto to_max = must(store->recharge_key(
      key.id, Money::from_nanos(std::numeric_limits<std::int64_t>::max() - key.balance.nanos()),
      std::nullopt));
  EXPECT_EQ(to_max.key.balance.nanos(), std::numeric_limits<std::int64_t>::max());
}

TEST(AdminPaymentsTest, ListNewestFirstByKeyAndSearch) {
  auto store = open_migrated();
  auto alice = must(store->insert_key(new_key("Alice")));
  auto bob = must(store->insert_key(new_key("bob")));
  std::vector<std::int64_t> payments;
  for (int i = 1; i <= 3; ++i) {
    payments.push_back(
        must(store->recharge_key(alice.id, Money::from_nanos(i), std::nullopt)).payment.id);
    payments.push_back(
        must(store->recharge_key(bob.id, Money::from_nanos(i), std::nullopt)).payment.id);
  }
  auto all = must(store->list_payments(std::nullopt, ListQuery{}));
  EXPECT_EQ(all.total, 6);
  ASSERT_EQ(all.items.size(), 6u);
  EXPECT_EQ(all.items[0].id, payments[5]);
  EXPECT_EQ(all.items[5].id, payments[0]);

  auto for_alice = must(store->list_payments(alice.id, ListQuery{"", 2, 0}));
  EXPECT_EQ(for_alice.total, 3);
  ASSERT_EQ(for_alice.items.size(), 2u);
  EXPECT_EQ(for_alice.items[0].id, payments[4]);
  EXPECT_EQ(for_alice.items[0].key_name, "Alice");
  EXPECT_EQ(for_alice.items[0].amount, Money::from_nanos(3));
  EXPECT_EQ(for_alice.items[0].balance_after, Money::from_nanos(2'000'000'006));
  EXPECT_EQ(for_alice.items[1].id, payments[2]);

  auto searched = must(store->list_payments(std::nullopt, ListQuery{"ALI", 20, 1}));
  EXPECT_EQ(searched.total, 3);
  ASSERT_EQ(searched.items.size(), 2u);
  EXPECT_EQ(searched.items[0].id, payments[2]);
  EXPECT_EQ(must(store->list_payments(bob.id, ListQuery{"ali", 20, 0})).total, 0);
  EXPECT_EQ(must(store->list_payments(99, ListQuery{})).total, 0);
}

}  // namespace
}  // namespace store::sqlite
