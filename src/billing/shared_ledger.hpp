#pragma once
// The ledger of gateways that share one database (PostgreSQL): the database is the ledger.
//
// Admission reserves in the database (store::Store::reserve: one conditional UPDATE of the
// key's row), so that reservations made by every gateway count against the key's money at
// once. It runs on its own worker and connection (`admission`), so that it never waits
// behind a batch of records or charges; that round trip is the one database wait on a
// request's path. Settlement is group-committed on the store's worker as in MemoryLedger,
// but the split between allowance and balance is made in the database from the key's row
// as it is then (other gateways charge the same key), and each charge releases its
// reservation in the same transaction. See docs/billing.md.

#include <cstdint>
#include <mutex>
#include <vector>

#include "billing/ledger.hpp"
#include "store/worker.hpp"

namespace billing {

class SharedLedger final : public Ledger {
 public:
  // `worker` commits charges; `admission` owns a second connection for reservations.
  SharedLedger(store::Worker& worker, store::Worker& admission, MonthClock months)
      : Ledger(std::move(months)), worker_(worker), admission_(admission) {}

  // Nothing to do: the money is read where it is, in the database.
  void sync(const std::vector<store::KeyRow>&) override {}
  void sync_key(std::int64_t, const store::KeyRow*) override {}
  boost::asio::awaitable<Admission> admit(std::int64_t key_id,
                                          const core::Money& worst_case) override;
  // Queued and given back on the admission worker, many at a time.
  void release(Reservation& reservation) override;

 private:
  struct PendingCharge {
    store::Charge charge;
    Settled done;
  };

  void enqueue(Reservation& reservation, core::Money cost, Settled done) override;
  void flush_charges(store::Store& store);   // on the worker thread
  void flush_releases(store::Store& store);  // on the admission worker thread
  void release_later(std::vector<std::int64_t> ids);

  store::Worker& worker_;
  store::Worker& admission_;
  std::mutex mutex_;
  std::vector<PendingCharge> pending_charges_;
  bool charges_scheduled_ = false;
  // Reservations to give back; ids whose release failed stay here for the next try.
  std::vector<std::int64_t> pending_releases_;
  bool releases_scheduled_ = false;
};

}  // namespace billing
