// What several gateways on one PostgreSQL database rely on: reservations held in the
// database, charges split there, catalog changes announced with NOTIFY, the reservations of
// a gateway that died given back, and a lost connection opened again. Needs
// LLMGATE_TEST_POSTGRES_URL (postgres_fixtures.hpp); skipped without it.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "postgres_fixtures.hpp"

namespace store::postgres {
namespace {

using core::Money;
using namespace testing;
using namespace std::chrono_literals;

constexpr const char* kMonth = "2026-11";

class PostgresSharedTest : public PostgresTest {
 protected:
  std::int64_t add_key(Money month_quota, Money balance, const std::string& name = "alice") {
    NewKey key = new_key(name);
    key.month_quota = month_quota;
    key.balance = balance;
    return must(store_->insert_key(key)).id;
  }
  std::int64_t reserved(std::int64_t key_id) {
    return scalar(*store_, "SELECT reserved FROM api_keys WHERE id = " + std::to_string(key_id));
  }
};

TEST_F(PostgresSharedTest, ReservationsStopAtTheKeysMoney) {
  const auto id = add_key(Money::from_nanos(10), Money::from_nanos(5));
  std::vector<std::int64_t> held;
  for (int i = 0; i < 10; ++i) {
    auto reservation = must(store_->reserve(id, Money::from_nanos(4), kMonth));
    if (reservation) held.push_back(*reservation);
  }
  // 0, 4, 8, 12 reserved when asked: admitted while something (15) was left.
  EXPECT_EQ(held.size(), 4u);
  EXPECT_EQ(reserved(id), 16);
  ASSERT_TRUE(store_->release_reservations({held[0], held[1]}));
  ASSERT_TRUE(store_->release_reservations({held[0]}));  // already given back: skipped
  EXPECT_EQ(reserved(id), 8);
  EXPECT_TRUE(must(store_->reserve(id, Money::from_nanos(4), kMonth)).has_value());
  EXPECT_FALSE(must(store_->reserve(424242, Money::from_nanos(1), kMonth)).has_value());
}

TEST_F(PostgresSharedTest, LastMonthsSpendDoesNotCountAgainstThisMonth) {
  const auto id = add_key(Money::from_nanos(10), Money());
  exec(*store_, "UPDATE api_keys SET month_fee = 10, fee_month = '2026-10' WHERE id = " +
                    std::to_string(id));
  EXPECT_FALSE(must(store_->reserve(id, Money::from_nanos(1), "2026-10")).has_value());
  EXPECT_TRUE(must(store_->reserve(id, Money::from_nanos(1), kMonth)).has_value());
}

TEST_F(PostgresSharedTest, ADebtDoesNotEatTheAllowance) {
  // The balance went below 0 through the one request allowed to overspend.
  const auto id = add_key(Money::from_nanos(10), Money());
  exec(*store_, "UPDATE api_keys SET balance = -25 WHERE id = " + std::to_string(id));
  EXPECT_TRUE(must(store_->reserve(id, Money::from_nanos(4), kMonth)).has_value());
}

TEST_F(PostgresSharedTest, ConcurrentGatewaysPassTheMoneyByAtMostOneRequest) {
  const auto id = add_key(Money(), Money::from_nanos(50));
  // Four "gateways", each with its own connection, reserve 10 at a time together.
  std::vector<std::unique_ptr<PostgresStore>> gateways;
  for (int i = 0; i < 4; ++i) gateways.push_back(database_->open());
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (auto& gateway : gateways) {
    threads.emplace_back([&admitted, &gateway, id] {
      for (int i = 0; i < 10; ++i) {
        auto reservation = gateway->reserve(id, Money::from_nanos(10), kMonth);
        if (reservation && *reservation) ++admitted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 5);  // reserved 0, 10, 20, 30, 40 < 50 when asked
  EXPECT_EQ(reserved(id), 50);
}

TEST_F(PostgresSharedTest, SettlingSplitsInTheDatabaseAndReleases) {
  const auto id = add_key(Money::from_nanos(10), Money::from_nanos(100));
  auto first = *must(store_->reserve(id, Money::from_nanos(30), kMonth));
  auto second = *must(store_->reserve(id, Money::from_nanos(30), kMonth));
  std::vector<Charge> charges(2);
  charges[0].key_id = id;
  charges[0].month = kMonth;
  charges[0].cost = Money::from_nanos(7);
  charges[0].reservation_id = first;
  charges[1] = charges[0];
  charges[1].reservation_id = second;
  ASSERT_TRUE(store_->settle_charges(charges));
  EXPECT_EQ(charges[0].from_allowance, Money::from_nanos(7));
  EXPECT_EQ(charges[0].from_balance, Money());
  EXPECT_EQ(charges[1].from_allowance, Money::from_nanos(3));  // the allowance ran out
  EXPECT_EQ(charges[1].from_balance, Money::from_nanos(4));
  auto key = must(store_->find_key(id));
  EXPECT_EQ(key.month_fee, Money::from_nanos(10));
  EXPECT_EQ(key.fee_month, kMonth);
  EXPECT_EQ(key.balance, Money::from_nanos(96));
  EXPECT_EQ(key.total_fee, Money::from_nanos(14));
  EXPECT_EQ(reserved(id), 0);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM reservations"), 0);

  // A new month restarts month_fee from its first charge.
  std::vector<Charge> december(1);
  december[0].key_id = id;
  december[0].month = "2026-12";
  december[0].cost = Money::from_nanos(4);
  ASSERT_TRUE(store_->settle_charges(december));
  EXPECT_EQ(must(store_->find_key(id)).month_fee, Money::from_nanos(4));

  // A charge of a key deleted meanwhile is skipped.
  ASSERT_TRUE(store_->delete_key(id));
  ASSERT_TRUE(store_->settle_charges(december));
  EXPECT_EQ(december[0].from_allowance, Money());
}

TEST_F(PostgresSharedTest, AGatewayWhoseClockIsBehindAtTheTurnOfTheMonthDoesNotTurnItBack) {
  const auto id = add_key(Money::from_nanos(10), Money::from_nanos(100));
  auto charge = [&](const char* month, std::int64_t cost) {
    std::vector<Charge> charges(1);
    charges[0].key_id = id;
    charges[0].month = month;
    charges[0].cost = Money::from_nanos(cost);
    EXPECT_TRUE(store_->settle_charges(charges));
    return charges[0];
  };
  charge("2026-12", 4);  // a gateway already in December
  // A gateway still in November: its charge counts in December, against December's allowance.
  EXPECT_EQ(charge("2026-11", 5).from_allowance, Money::from_nanos(5));
  auto key = must(store_->find_key(id));
  EXPECT_EQ(key.fee_month, "2026-12");
  EXPECT_EQ(key.month_fee, Money::from_nanos(9));
  // December's allowance is not granted again: 1 left, the rest from the balance.
  auto next = charge("2026-12", 3);
  EXPECT_EQ(next.from_allowance, Money::from_nanos(1));
  EXPECT_EQ(next.from_balance, Money::from_nanos(2));
  // Admission by the late gateway sees December's spend too.
  EXPECT_EQ(must(store_->find_key(id)).month_fee, Money::from_nanos(10));
  exec(*store_, "UPDATE api_keys SET balance = 0 WHERE id = " + std::to_string(id));
  EXPECT_FALSE(must(store_->reserve(id, Money::from_nanos(1), "2026-11")).has_value());
}

// Collects the calls of a watch's on_change.
class Changes {
 public:
  std::function<void()> callback() {
    return [this] {
      std::lock_guard lock(mutex_);
      ++count_;
      changed_.notify_all();
    };
  }
  // Waits until at least `count` calls were made; false after `timeout`.
  bool wait_for(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return count_ >= count; });
  }
  int count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

TEST_F(PostgresSharedTest, CatalogChangesOfOtherGatewaysAreAnnounced) {
  Changes changes;
  auto watch = store_->watch_changes(changes.callback());
  ASSERT_NE(watch, nullptr);
  // Connecting counts as a change: whatever happened before LISTEN is reloaded.
  ASSERT_TRUE(changes.wait_for(1, 2s));
  // Its own changes are not announced back (the gateway that wrote reloads at once) ...
  must(store_->insert_group("mine"));
  // ... those of another gateway (another process: another replica id) are.
  auto other = database_->open();
  exec(*other, "SELECT pg_notify('llmgate_catalog', 'some-other-host/1/0')");
  ASSERT_TRUE(changes.wait_for(2, 2s));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(changes.count(), 2);
  // This gateway announces itself while the watch runs, and leaves when it stops.
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM replicas WHERE replica = '" + replica_id() + "'"),
            1);
  watch.reset();
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM replicas"), 0);
}

TEST_F(PostgresSharedTest, TheReservationsOfAGatewayThatDiedAreGivenBack) {
  const auto id = add_key(Money(), Money::from_nanos(10));
  auto mine = *must(store_->reserve(id, Money::from_nanos(4), kMonth));
  // A gateway last seen a minute ago, and one never seen at all, each hold a reservation.
  exec(*store_,
       "INSERT INTO replicas (replica, seen_at) VALUES ('dead/1/0', now() - interval '1 minute')");
  exec(*store_, "UPDATE api_keys SET reserved = reserved + 5 WHERE id = " + std::to_string(id));
  exec(*store_, "INSERT INTO reservations (key_id, replica, amount, created_at) VALUES (" +
                    std::to_string(id) + ", 'dead/1/0', 2, 0), (" + std::to_string(id) +
                    ", 'unknown/2/0', 3, 0)");
  EXPECT_EQ(reserved(id), 9);
  Changes changes;
  auto watch = store_->watch_changes(changes.callback());  // announces and reclaims at once
  EXPECT_EQ(reserved(id), 4);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM reservations"), 1);
  EXPECT_EQ(scalar(*store_, "SELECT id FROM reservations"), mine);
  // Stopping gives back this gateway's own.
  watch.reset();
  EXPECT_EQ(reserved(id), 0);
}

TEST_F(PostgresSharedTest, ALostConnectionIsOpenedAgain) {
  const auto id = add_key(Money(), Money::from_nanos(10));
  auto admin = database_->open();
  exec(*admin,
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
       "AND pid <> pg_backend_pid()");
  std::this_thread::sleep_for(100ms);  // the FATAL message reaches the socket
  EXPECT_TRUE(store_->ping());
  EXPECT_EQ(must(store_->find_key(id)).id, id);

  // While the database refuses connections, statements fail at once as unavailable.
  auto outside = Connection::open(server_url());
  ASSERT_TRUE(outside);
  ASSERT_TRUE(
      outside->exec_script("ALTER DATABASE " + database_->name() + " ALLOW_CONNECTIONS false"));
  exec(*admin,
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
       "AND pid <> pg_backend_pid()");
  admin.reset();
  std::this_thread::sleep_for(100ms);
  auto refused = store_->find_key(id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kUnavailable) << refused.error().message;
  EXPECT_FALSE(store_->ping());

  // ... and work again once it is back (reconnecting is tried at most once a second).
  ASSERT_TRUE(
      outside->exec_script("ALTER DATABASE " + database_->name() + " ALLOW_CONNECTIONS true"));
  std::this_thread::sleep_for(1100ms);
  EXPECT_TRUE(store_->ping());
  EXPECT_EQ(must(store_->find_key(id)).id, id);
}

}  // namespace
}  // namespace store::postgres
