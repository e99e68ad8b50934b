#pragma once
// The ledger: every key's money, in memory for admission, in the database for good.
//
// Admission (any I/O thread) reserves a request's worst-case cost against what the key has
// left; a key with nothing left gets 402. Settlement hands the real cost to the store's
// worker thread, which commits a whole batch of charges in one transaction (group commit)
// and only then applies them in memory and releases their reservations. Every change of
// money therefore happens on the worker thread, in the same order in memory and in the
// database, and concurrent requests can overspend a key by at most one request's cost.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "billing/cost.hpp"
#include "billing/month.hpp"
#include "core/money.hpp"
#include "core/result.hpp"
#include "store/store.hpp"
#include "store/worker.hpp"

namespace billing {

// Money held for one request while it runs. Settle or release it exactly once.
struct Reservation {
  std::int64_t key_id = 0;
  core::Money amount;
  bool active = false;
};

// What a key has, as the ledger sees it now (month_fee already 0 after a rollover).
struct Balance {
  core::Money month_quota;
  core::Money month_fee;
  core::Money balance;
  core::Money total_fee;
  core::Money reserved;
  // Allowance left this month plus balance, minus what running requests hold.
  core::Money available() const;
};

class Ledger {
 public:
  Ledger(store::Worker& worker, MonthClock months) : worker_(worker), months_(std::move(months)) {}

  // Replaces every account's money with the stored rows (keeps reservations). Call on the
  // worker thread, after a write that may have changed keys, and once at start.
  void sync(const std::vector<store::KeyRow>& keys);

  // nullopt when the key has no money left: the caller answers 402.
  std::optional<Reservation> admit(std::int64_t key_id, core::Money worst_case);
  // Gives the reservation back without a charge (the request cost nothing).
  void release(Reservation& reservation);
  // Charges `cost` and resumes once the charge is committed. The error says why a
  // charge could not be stored (the database failed); the money is then not taken.
  template <class Token = decltype(boost::asio::use_awaitable)>
  auto settle(Reservation& reservation, core::Money cost, Token token = {}) {
    return boost::asio::async_initiate<Token, void(core::Result<Split>)>(
        [this, &reservation, cost](auto handler) {
          auto executor = boost::asio::get_associated_executor(handler);
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          enqueue(reservation, cost, [shared, executor](core::Result<Split> result) {
            boost::asio::post(executor, [shared, result = std::move(result)]() mutable {
              std::move (*shared)(std::move(result));
            });
          });
        },
        token);
  }

  std::optional<Balance> balance(std::int64_t key_id) const;
  // The month_fee a stored row stands for now: 0 when the row's month is over.
  core::Money effective_month_fee(const store::KeyRow& row) const;
  const MonthClock& months() const { return months_; }

 private:
  struct Account {
    core::Money month_quota;
    core::Money month_fee;
    std::string fee_month;
    core::Money balance;
    core::Money total_fee;
    core::Money reserved;
  };
  struct PendingCharge {
    std::int64_t key_id;
    core::Money cost;
    core::Money reserved;
    std::function<void(core::Result<Split>)> done;
  };

  void enqueue(Reservation& reservation, core::Money cost,
               std::function<void(core::Result<Split>)> done);
  void flush(store::Store& store);  // on the worker thread
  Balance view(const Account& account, const std::string& month) const;

  store::Worker& worker_;
  MonthClock months_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Account> accounts_;
  std::vector<PendingCharge> pending_;
  bool flush_scheduled_ = false;
};

}  // namespace billing
