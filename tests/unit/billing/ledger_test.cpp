#include "billing/memory_ledger.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"
#include "store/worker.hpp"

namespace billing {
namespace {

using core::Money;
using namespace std::chrono;

constexpr std::int64_t kUnit = 1'000'000'000;
Money units(std::int64_t whole) { return Money::from_nanos(whole * kUnit); }
Money nanos(std::int64_t count) { return Money::from_nanos(count); }

system_clock::time_point utc(int y, unsigned m, unsigned d) {
  return sys_days{year{y} / month{m} / day{d}} + hours{12};
}

// A month clock whose "now" is mid-month at the given date, in UTC.
MonthClock months_at(system_clock::time_point target) {
  auto months =
      MonthClock::create(core::Clock(duration_cast<seconds>(target - system_clock::now())), "UTC");
  EXPECT_TRUE(months);
  return std::move(*months);
}

boost::asio::awaitable<void> settle_into(Ledger& ledger, Reservation& reservation, Money cost,
                                         std::optional<core::Result<Split>>& out) {
  auto result = co_await ledger.settle(reservation, cost);
  out.emplace(std::move(result));
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    auto migrated = store_->migrate();
    ASSERT_TRUE(migrated) << migrated.error().message;
    worker_ = std::make_unique<store::Worker>(*store_);
    ledger_ = std::make_unique<MemoryLedger>(*worker_, months_at(utc(2026, 11, 15)));
  }
  void TearDown() override {
    ledger_.reset();
    worker_.reset();  // runs every job already posted, then joins
  }

  // Runs `job` on the worker thread (which owns the store) and waits for its result.
  template <class Job>
  auto on_worker(Job job) {
    using Result = std::invoke_result_t<Job&, store::Store&>;
    std::promise<Result> promise;
    auto future = promise.get_future();
    worker_->post([&](store::Store& store) { promise.set_value(job(store)); });
    return future.get();
  }

  // Reloads the ledger from the store, as the API does after every write.
  void sync(Ledger& ledger) {
    on_worker([&](store::Store& store) {
      auto data = store.load_catalog();
      EXPECT_TRUE(data) << data.error().message;
      if (data) ledger.sync(data->keys);
      return 0;
    });
  }
  void sync() { sync(*ledger_); }

  std::int64_t add_key(const std::string& name, Money month_quota, Money balance) {
    store::NewKey key;
    key.name = name;
    key.key_hash = "hash-" + name;
    key.key_hint = "br-" + name;
    key.month_quota = month_quota;
    key.balance = balance;
    auto row = on_worker([&](store::Store& store) { return store.insert_key(key); });
    EXPECT_TRUE(row) << row.error().message;
    sync();
    return row ? row->id : 0;
  }

  store::KeyRow stored(std::int64_t id) {
    auto row = on_worker([id](store::Store& store) { return store.find_key(id); });
    EXPECT_TRUE(row) << row.error().message;
    return row ? *row : store::KeyRow{};
  }

  // Writes a charge straight to the store (as an earlier run of the gateway would have).
  void store_charge(std::int64_t id, const std::string& month, Money from_allowance,
                    Money from_balance) {
    std::vector<store::Charge> charges{
        {id, month, from_allowance, from_balance,
         Money::from_nanos(from_allowance.nanos() + from_balance.nanos())}};
    auto status = on_worker([&](store::Store& store) { return store.apply_charges(charges); });
    ASSERT_TRUE(status) << status.error().message;
  }

  core::Result<Split> settle(Ledger& ledger, Reservation& reservation, Money cost) {
    boost::asio::io_context io;
    std::optional<core::Result<Split>> out;
    boost::asio::co_spawn(io, settle_into(ledger, reservation, cost, out), boost::asio::detached);
    io.run();
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : core::Result<Split>(core::Error::internal("not settled"));
  }
  core::Result<Split> settle(Reservation& reservation, Money cost) {
    return settle(*ledger_, reservation, cost);
  }

  // Settles each reservation with its cost while the worker is held, so that the charges
  // queue up and commit as one batch. Results in the same order; one that never resumed is
  // an error.
  std::vector<core::Result<Split>> settle_in_one_batch(
      const std::vector<Reservation*>& reservations, const std::vector<Money>& costs) {
    std::promise<void> unblock;
    std::shared_future<void> blocked = unblock.get_future().share();
    worker_->post([blocked](store::Store&) { blocked.wait(); });
    boost::asio::io_context io;
    std::vector<std::optional<core::Result<Split>>> settled(reservations.size());
    for (std::size_t i = 0; i < reservations.size(); ++i) {
      boost::asio::co_spawn(io, settle_into(*ledger_, *reservations[i], costs[i], settled[i]),
                            boost::asio::detached);
    }
    io.poll();  // every coroutine starts and queues its charge
    unblock.set_value();
    io.restart();
    io.run();
    std::vector<core::Result<Split>> results;
    for (auto& result : settled) {
      results.push_back(result ? std::move(*result)
                               : core::Result<Split>(core::Error::internal("not settled")));
    }
    return results;
  }

  Balance balance(std::int64_t id) {
    auto found = ledger_->balance(id);
    EXPECT_TRUE(found.has_value()) << "key " << id;
    return found.value_or(Balance{});
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Worker> worker_;
  std::unique_ptr<MemoryLedger> ledger_;
};

// ---- admission ----------------------------------------------------------------------

TEST_F(LedgerTest, AdmitsWhileTheAllowanceHasRoom) {
  auto id = add_key("quota", units(1), Money());
  auto reservation = ledger_->try_admit(id, units(5));  // the worst case may exceed the money
  ASSERT_TRUE(reservation.has_value());
  EXPECT_TRUE(reservation->active);
  EXPECT_EQ(reservation->key_id, id);
  EXPECT_EQ(reservation->amount, units(5));
  EXPECT_EQ(balance(id).reserved, units(5));
}

TEST_F(LedgerTest, AdmitsWhileTheBalanceHasMoney) {
  auto id = add_key("balance", Money(), nanos(1));
  EXPECT_TRUE(ledger_->try_admit(id, units(1)).has_value());
}

TEST_F(LedgerTest, RefusesAKeyWithNothingLeft) {
  auto id = add_key("empty", Money(), Money());
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());
  EXPECT_FALSE(ledger_->try_admit(id, Money()).has_value());
  EXPECT_EQ(balance(id).reserved, Money());
}

TEST_F(LedgerTest, RefusesAKeyWhoseAllowanceIsUsedUpAndBalanceEmpty) {
  auto id = add_key("spent", units(2), Money());
  store_charge(id, "2026-11", units(2), Money());
  sync();
  EXPECT_EQ(balance(id).month_fee, units(2));
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());
}

TEST_F(LedgerTest, RefusesAKeyWithANegativeBalance) {
  auto id = add_key("negative", Money(), units(1));
  store_charge(id, "2026-11", Money(), units(3));  // an earlier overspend
  sync();
  EXPECT_EQ(balance(id).balance, units(-2));
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());
}

TEST_F(LedgerTest, RefusesAnUnknownKey) {
  EXPECT_FALSE(ledger_->try_admit(424242, nanos(1)).has_value());
  EXPECT_FALSE(ledger_->balance(424242).has_value());
}

TEST_F(LedgerTest, ReservationsAddUpUntilTheyCoverTheMoney) {
  // 4 in the allowance + 6 in the balance = 10; each request may cost 3.
  auto id = add_key("ten", units(4), units(6));
  std::vector<Reservation> admitted;
  for (int i = 0; i < 10; ++i) {
    if (auto reservation = ledger_->try_admit(id, units(3))) admitted.push_back(*reservation);
  }
  // 0, 3, 6, 9 reserved when asked: admitted; at 12 nothing is left.
  EXPECT_EQ(admitted.size(), 4u);
  EXPECT_EQ(balance(id).reserved, units(12));
  EXPECT_EQ(balance(id).available(), units(-2));
  // The overshoot is less than one request's worst case.
  EXPECT_LT(balance(id).reserved.nanos() - units(10).nanos(), units(3).nanos());
}

TEST_F(LedgerTest, ConcurrentAdmissionsStopOnceReservationsCoverTheMoney) {
  auto id = add_key("race", units(10), units(7));  // 17 in all
  constexpr int kThreads = 8;
  constexpr int kAttempts = 200;
  std::atomic<int> admitted{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kAttempts; ++i) {
        if (ledger_->try_admit(id, units(2))) ++admitted;
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  // Admitted while reserved < 17: at 0, 2, ..., 16 — nine requests, however they race.
  EXPECT_EQ(admitted.load(), 9);
  EXPECT_EQ(balance(id).reserved, units(18));
}

TEST_F(LedgerTest, ReleaseGivesTheReservationBack) {
  auto id = add_key("release", Money(), units(5));
  auto first = ledger_->try_admit(id, units(5));
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());
  ledger_->release(*first);
  EXPECT_FALSE(first->active);
  EXPECT_EQ(balance(id).reserved, Money());
  EXPECT_EQ(balance(id).available(), units(5));
  // Releasing twice gives nothing back twice.
  auto second = ledger_->try_admit(id, units(2));
  ASSERT_TRUE(second.has_value());
  ledger_->release(*first);
  EXPECT_EQ(balance(id).reserved, units(2));
  ledger_->release(*second);
  EXPECT_EQ(balance(id).reserved, Money());
  // Nothing was charged.
  EXPECT_EQ(balance(id).balance, units(5));
  EXPECT_EQ(balance(id).total_fee, Money());
  EXPECT_EQ(stored(id).total_fee, Money());
}

// ---- settlement ---------------------------------------------------------------------

TEST_F(LedgerTest, SettleCommitsToTheStoreAndAppliesInMemory) {
  auto id = add_key("settle", units(10), units(5));
  auto reservation = ledger_->try_admit(id, units(4));
  ASSERT_TRUE(reservation.has_value());
  auto split = settle(*reservation, nanos(1'234'567'891));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_allowance, nanos(1'234'567'891));
  EXPECT_EQ(split->from_balance, Money());
  EXPECT_FALSE(reservation->active);

  auto row = stored(id);
  EXPECT_EQ(row.month_fee, nanos(1'234'567'891));
  EXPECT_EQ(row.fee_month, "2026-11");
  EXPECT_EQ(row.balance, units(5));
  EXPECT_EQ(row.total_fee, nanos(1'234'567'891));

  auto now = balance(id);
  EXPECT_EQ(now.month_fee, nanos(1'234'567'891));
  EXPECT_EQ(now.balance, units(5));
  EXPECT_EQ(now.total_fee, nanos(1'234'567'891));
  EXPECT_EQ(now.reserved, Money());  // released with the charge
}

TEST_F(LedgerTest, SettleSplitsAllowanceThenBalance) {
  auto id = add_key("split", units(1), units(5));
  auto first = ledger_->try_admit(id, units(2));
  ASSERT_TRUE(first.has_value());
  auto split = settle(*first, nanos(1'500'000'000));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_allowance, units(1));
  EXPECT_EQ(split->from_balance, nanos(500'000'000));

  auto row = stored(id);
  EXPECT_EQ(row.month_fee, units(1));
  EXPECT_EQ(row.balance, nanos(4'500'000'000));
  EXPECT_EQ(row.total_fee, nanos(1'500'000'000));
  // month_fee increase + balance decrease = cost, to the nano-unit.
  EXPECT_EQ(row.month_fee.nanos() + (units(5).nanos() - row.balance.nanos()),
            row.total_fee.nanos());

  // With the allowance full, the next charge comes from the balance only.
  auto second = ledger_->try_admit(id, units(2));
  ASSERT_TRUE(second.has_value());
  split = settle(*second, nanos(7));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_allowance, Money());
  EXPECT_EQ(split->from_balance, nanos(7));
  row = stored(id);
  EXPECT_EQ(row.month_fee, units(1));
  EXPECT_EQ(row.balance, nanos(4'499'999'993));
  EXPECT_EQ(row.total_fee, nanos(1'500'000'007));
  auto now = balance(id);
  EXPECT_EQ(now.month_fee, row.month_fee);
  EXPECT_EQ(now.balance, row.balance);
  EXPECT_EQ(now.total_fee, row.total_fee);
}

TEST_F(LedgerTest, SettleMayCostMoreThanTheReservationAndOverspendOnce) {
  auto id = add_key("over", Money(), units(1));
  auto reservation = ledger_->try_admit(id, nanos(10));
  ASSERT_TRUE(reservation.has_value());
  auto split = settle(*reservation, units(3));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_balance, units(3));
  EXPECT_EQ(stored(id).balance, units(-2));
  EXPECT_EQ(balance(id).balance, units(-2));
  EXPECT_EQ(balance(id).reserved, Money());
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());
}

TEST_F(LedgerTest, ManyConcurrentSettlementsAddUpExactly) {
  auto id = add_key("many", nanos(1'000'000'007), units(100));
  constexpr int kRequests = 40;
  std::vector<Reservation> reservations;
  std::int64_t expected_total = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto reservation = ledger_->try_admit(id, units(1));
    ASSERT_TRUE(reservation.has_value()) << i;
    reservations.push_back(*reservation);
  }
  std::vector<Reservation*> batch;
  std::vector<Money> costs;
  for (int i = 0; i < kRequests; ++i) {
    batch.push_back(&reservations[i]);
    costs.push_back(nanos(123'456'789 + i * 1'000'003));
    expected_total += costs.back().nanos();
  }
  auto results = settle_in_one_batch(batch, costs);

  std::int64_t from_allowance = 0;
  std::int64_t from_balance = 0;
  for (auto& result : results) {
    ASSERT_TRUE(result) << result.error().message;
    from_allowance += result->from_allowance.nanos();
    from_balance += result->from_balance.nanos();
  }
  EXPECT_EQ(from_allowance, 1'000'000'007);
  EXPECT_EQ(from_allowance + from_balance, expected_total);
  auto row = stored(id);
  EXPECT_EQ(row.total_fee.nanos(), expected_total);
  EXPECT_EQ(row.month_fee.nanos(), 1'000'000'007);
  EXPECT_EQ(row.balance.nanos(), units(100).nanos() - from_balance);
  EXPECT_EQ(balance(id).total_fee.nanos(), expected_total);
  EXPECT_EQ(balance(id).balance, row.balance);
  EXPECT_EQ(balance(id).reserved, Money());
}

TEST_F(LedgerTest, InterleavedChargesOfTwoKeysInOneBatchEachAddUp) {
  // A batch holds one row per key with the sum of its charges: each key must get exactly
  // its own, whatever the order they arrived in.
  auto first = add_key("first", units(3), units(50));
  auto second = add_key("second", units(1), units(50));
  constexpr int kRequests = 10;
  std::vector<Reservation> reservations;
  for (int i = 0; i < kRequests; ++i) {
    auto reservation = ledger_->try_admit(i % 2 == 0 ? first : second, units(1));
    ASSERT_TRUE(reservation.has_value()) << i;
    reservations.push_back(*reservation);
  }
  std::vector<Reservation*> batch;
  std::vector<Money> costs;
  std::int64_t expected[2] = {0, 0};
  for (int i = 0; i < kRequests; ++i) {
    batch.push_back(&reservations[i]);
    costs.push_back(nanos(700'000'001 + i * 13));
    expected[i % 2] += costs.back().nanos();
  }
  auto results = settle_in_one_batch(batch, costs);

  std::int64_t from_balance[2] = {0, 0};
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(results[i]) << results[i].error().message;
    from_balance[i % 2] += results[i]->from_balance.nanos();
  }
  for (int k = 0; k < 2; ++k) {
    auto id = k == 0 ? first : second;
    auto quota = k == 0 ? units(3) : units(1);
    auto row = stored(id);
    EXPECT_EQ(row.total_fee.nanos(), expected[k]) << "key " << id;
    EXPECT_EQ(row.month_fee, quota) << "key " << id;
    EXPECT_EQ(row.balance.nanos(), units(50).nanos() - from_balance[k]) << "key " << id;
    EXPECT_EQ(from_balance[k], expected[k] - quota.nanos()) << "key " << id;
    EXPECT_EQ(balance(id).balance, row.balance) << "key " << id;
  }
}

TEST_F(LedgerTest, AFailedCommitTakesNoMoneyAndReleasesTheReservation) {
  auto id = add_key("failing", units(10), units(10));
  auto reservation = ledger_->try_admit(id, units(2));
  ASSERT_TRUE(reservation.has_value());
  // Make every update of api_keys fail, as a broken database would.
  auto installed = on_worker([](store::Store& store) {
    auto* sqlite = dynamic_cast<store::sqlite::SqliteStore*>(&store);
    if (!sqlite) return false;
    return static_cast<bool>(
        sqlite->connection().exec("CREATE TRIGGER fail_charges BEFORE UPDATE ON api_keys "
                                  "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;"));
  });
  ASSERT_TRUE(installed);
  auto split = settle(*reservation, units(1));
  ASSERT_FALSE(split);
  EXPECT_NE(split.error().message.find("disk on fire"), std::string::npos) << split.error().message;
  auto now = balance(id);
  EXPECT_EQ(now.month_fee, Money());
  EXPECT_EQ(now.balance, units(10));
  EXPECT_EQ(now.total_fee, Money());
  EXPECT_EQ(now.reserved, Money());
  EXPECT_EQ(stored(id).total_fee, Money());
}

TEST_F(LedgerTest, SyncKeepsReservations) {
  auto id = add_key("sync", Money(), units(3));
  auto reservation = ledger_->try_admit(id, units(2));
  ASSERT_TRUE(reservation.has_value());
  // A recharge elsewhere, then the reload that follows every write.
  auto recharged = on_worker(
      [id](store::Store& store) { return store.recharge_key(id, units(4), std::nullopt); });
  ASSERT_TRUE(recharged) << recharged.error().message;
  sync();
  auto now = balance(id);
  EXPECT_EQ(now.balance, units(7));
  EXPECT_EQ(now.reserved, units(2));
  EXPECT_EQ(now.available(), units(5));
  // The reservation still settles against the reloaded account.
  auto split = settle(*reservation, units(1));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(balance(id).balance, units(6));
  EXPECT_EQ(balance(id).reserved, Money());
  EXPECT_EQ(stored(id).balance, units(6));
}

TEST_F(LedgerTest, SyncOfOneKeyKeepsItsReservationAndLeavesTheOthers) {
  auto id = add_key("one", Money(), units(3));
  auto other = add_key("other", Money(), units(5));
  auto reservation = ledger_->try_admit(id, units(2));
  ASSERT_TRUE(reservation.has_value());
  auto recharged = on_worker(
      [id](store::Store& store) { return store.recharge_key(id, units(4), std::nullopt); });
  ASSERT_TRUE(recharged) << recharged.error().message;
  ledger_->sync_key(id, &recharged->key);
  EXPECT_EQ(balance(id).balance, units(7));
  EXPECT_EQ(balance(id).reserved, units(2));
  EXPECT_EQ(balance(other).balance, units(5));

  // A new key enters with nothing reserved; a deleted one leaves.
  store::KeyRow added = stored(other);
  added.id = 999;
  ledger_->sync_key(999, &added);
  EXPECT_EQ(balance(999).reserved, Money());
  EXPECT_EQ(balance(999).balance, units(5));
  ledger_->sync_key(id, nullptr);
  EXPECT_FALSE(ledger_->balance(id).has_value());
  ledger_->release(*reservation);  // of a key that is gone: nothing to give back, no crash
}

TEST_F(LedgerTest, SyncAppliesQuotaChanges) {
  auto id = add_key("quota-change", units(1), Money());
  store_charge(id, "2026-11", units(1), Money());
  sync();
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());
  store::KeyUpdate update;
  update.month_quota = units(3);
  auto row = on_worker([&](store::Store& store) { return store.update_key(id, update); });
  ASSERT_TRUE(row) << row.error().message;
  sync();
  EXPECT_EQ(balance(id).month_quota, units(3));
  EXPECT_TRUE(ledger_->try_admit(id, nanos(1)).has_value());
}

TEST_F(LedgerTest, ADeletedKeysChargeIsSkippedAndTheOthersCommit) {
  auto gone = add_key("gone", units(10), Money());
  auto kept = add_key("kept", units(10), Money());
  auto gone_reservation = ledger_->try_admit(gone, units(1));
  auto kept_reservation = ledger_->try_admit(kept, units(1));
  ASSERT_TRUE(gone_reservation.has_value());
  ASSERT_TRUE(kept_reservation.has_value());
  auto deleted = on_worker([gone](store::Store& store) { return store.delete_key(gone); });
  ASSERT_TRUE(deleted) << deleted.error().message;
  sync();
  EXPECT_FALSE(ledger_->balance(gone).has_value());

  auto results =  // both charges in one batch
      settle_in_one_batch({&*gone_reservation, &*kept_reservation}, {units(1), units(2)});
  const auto& gone_result = results[0];
  const auto& kept_result = results[1];
  ASSERT_TRUE(gone_result) << gone_result.error().message;
  EXPECT_EQ(gone_result->from_allowance, Money());
  EXPECT_EQ(gone_result->from_balance, Money());
  ASSERT_TRUE(kept_result) << kept_result.error().message;
  EXPECT_EQ(kept_result->from_allowance, units(2));
  EXPECT_EQ(stored(kept).total_fee, units(2));
  EXPECT_EQ(balance(kept).total_fee, units(2));
  auto missing = on_worker([gone](store::Store& store) { return store.find_key(gone); });
  EXPECT_FALSE(missing);
  EXPECT_FALSE(ledger_->balance(gone).has_value());
}

// ---- month rollover -----------------------------------------------------------------

TEST_F(LedgerTest, AnOldMonthsFeeCountsZeroForAdmissionAndReads) {
  auto id = add_key("rollover", units(10), Money());
  store_charge(id, "2026-10", units(10), Money());  // October's allowance used up
  sync();
  auto row = stored(id);
  EXPECT_EQ(row.fee_month, "2026-10");
  EXPECT_EQ(row.month_fee, units(10));
  // It is November now: the stored month_fee belongs to a month that is over.
  EXPECT_EQ(ledger_->effective_month_fee(row), Money());
  EXPECT_EQ(balance(id).month_fee, Money());
  EXPECT_EQ(balance(id).available(), units(10));
  EXPECT_TRUE(ledger_->try_admit(id, units(1)).has_value());
}

TEST_F(LedgerTest, TheFirstChargeOfANewMonthRestartsMonthFeeOnce) {
  auto id = add_key("restart", units(10), units(5));
  store_charge(id, "2026-10", units(10), units(1));
  sync();
  auto first = ledger_->try_admit(id, units(5));
  ASSERT_TRUE(first.has_value());
  auto split = settle(*first, units(4));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_allowance, units(4));  // November's allowance, not October's
  EXPECT_EQ(split->from_balance, Money());
  auto row = stored(id);
  EXPECT_EQ(row.fee_month, "2026-11");
  EXPECT_EQ(row.month_fee, units(4));
  EXPECT_EQ(row.balance, units(4));
  EXPECT_EQ(row.total_fee, units(15));
  EXPECT_EQ(balance(id).month_fee, units(4));

  // The second charge of the month adds to it: the reset happened once.
  auto second = ledger_->try_admit(id, units(5));
  ASSERT_TRUE(second.has_value());
  split = settle(*second, units(7));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_allowance, units(6));
  EXPECT_EQ(split->from_balance, units(1));
  row = stored(id);
  EXPECT_EQ(row.fee_month, "2026-11");
  EXPECT_EQ(row.month_fee, units(10));
  EXPECT_EQ(row.balance, units(3));
  EXPECT_EQ(row.total_fee, units(22));
  EXPECT_EQ(ledger_->effective_month_fee(row), units(10));
}

TEST_F(LedgerTest, ARestartInTheNextMonthSeesTheAllowanceRenewed) {
  auto id = add_key("next-month", units(2), Money());
  auto reservation = ledger_->try_admit(id, units(1));
  ASSERT_TRUE(reservation.has_value());
  ASSERT_TRUE(settle(*reservation, units(2)));
  EXPECT_FALSE(ledger_->try_admit(id, nanos(1)).has_value());  // November is used up

  // The gateway restarts on the same database in December.
  MemoryLedger december(*worker_, months_at(utc(2026, 12, 15)));
  sync(december);
  ASSERT_TRUE(december.balance(id).has_value());
  EXPECT_EQ(december.balance(id)->month_fee, Money());
  EXPECT_EQ(december.effective_month_fee(stored(id)), Money());
  auto admitted = december.try_admit(id, units(1));
  ASSERT_TRUE(admitted.has_value());
  auto split = settle(december, *admitted, nanos(500'000'000));
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->from_allowance, nanos(500'000'000));
  auto row = stored(id);
  EXPECT_EQ(row.fee_month, "2026-12");
  EXPECT_EQ(row.month_fee, nanos(500'000'000));
  EXPECT_EQ(row.total_fee, nanos(2'500'000'000));
  EXPECT_EQ(december.balance(id)->month_fee, nanos(500'000'000));
  // Back in November's view (an old ledger) that row's fee belongs to another month.
  EXPECT_EQ(ledger_->effective_month_fee(row), Money());
}

}  // namespace
}  // namespace billing
