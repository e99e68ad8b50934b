#pragma once
// The ledger: admission and settlement of every request's money (SPEC 7, docs/billing.md).
//
// Admission reserves a request's worst-case cost against what the key has left; a key with
// nothing left gets 402. Settlement hands the real cost to the store's worker thread, which
// commits a whole batch of charges in one transaction (group commit) and releases their
// reservations. Concurrent requests can therefore overspend a key by at most one request's
// cost.
//
// Two implementations, chosen by the database:
// - MemoryLedger (memory_ledger.hpp): one gateway per database (SQLite). Reservations and
//   the money they are checked against live in memory; admission never waits.
// - SharedLedger (shared_ledger.hpp): several gateways on one database (PostgreSQL). No
//   process sees every running request, so reservations live in the database; admission is
//   one conditional UPDATE there, on a connection of its own.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
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

namespace billing {

// Money held for one request while it runs. Settle or release it exactly once.
struct Reservation {
  std::int64_t key_id = 0;
  core::Money amount;
  bool active = false;
  std::int64_t id = 0;  // the database's reservation (SharedLedger); 0 in memory
};

// A reservation; nullopt when the key has no money left (402); an error when the database
// that holds reservations does not answer (503).
using Admission = core::Result<std::optional<Reservation>>;

class Ledger {
 public:
  explicit Ledger(MonthClock months) : months_(std::move(months)) {}
  virtual ~Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // The stored rows after a write that may have changed keys, and once at start; called on
  // the worker thread.
  virtual void sync(const std::vector<store::KeyRow>& keys) = 0;
  // The stored row of one key after a write that changed that key alone; null when the key
  // is gone. On the worker thread.
  virtual void sync_key(std::int64_t key_id, const store::KeyRow* row) = 0;
  // Reserves `worst_case` for a request of `key_id` (SPEC 7 admission).
  virtual boost::asio::awaitable<Admission> admit(std::int64_t key_id,
                                                  const core::Money& worst_case) = 0;
  // Gives the reservation back without a charge (the request cost nothing).
  virtual void release(Reservation& reservation) = 0;

  // Charges `cost` and resumes once the charge is committed. The error says why a charge
  // could not be stored (the database failed); the money is then not taken.
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

  // The month_fee a stored row stands for now: 0 when the row's month is over.
  core::Money effective_month_fee(const store::KeyRow& row) const;
  const MonthClock& months() const { return months_; }

 protected:
  using Settled = std::function<void(core::Result<Split>)>;
  // Queues the charge for the next group commit; `done` runs on the worker thread after it.
  virtual void enqueue(Reservation& reservation, core::Money cost, Settled done) = 0;

  MonthClock months_;
};

}  // namespace billing
