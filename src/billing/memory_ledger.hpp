#pragma once
// The ledger of a gateway that has its database to itself (SQLite): every key's money in
// memory for admission, in the database for good.
//
// Admission (any I/O thread) reserves against the memory and never waits. Settlement hands
// the real cost to the store's worker thread, which commits a whole batch of charges in one
// transaction (group commit) and only then applies them in memory and releases their
// reservations. Every change of money therefore happens on the worker thread, in the same
// order in memory and in the database.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "billing/ledger.hpp"
#include "store/worker.hpp"

namespace billing {

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

class MemoryLedger final : public Ledger {
 public:
  MemoryLedger(store::Worker& worker, MonthClock months)
      : Ledger(std::move(months)), worker_(worker) {}

  // Replaces every account's money with the stored rows (keeps reservations).
  void sync(const std::vector<store::KeyRow>& keys) override;
  void sync_key(std::int64_t key_id, const store::KeyRow* row) override;
  // Completes at once: try_admit.
  boost::asio::awaitable<Admission> admit(std::int64_t key_id,
                                          const core::Money& worst_case) override;
  void release(Reservation& reservation) override;

  // Admission without waiting: nullopt when the key has no money left.
  std::optional<Reservation> try_admit(std::int64_t key_id, core::Money worst_case);
  std::optional<Balance> balance(std::int64_t key_id) const;

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
    Settled done;
  };

  void enqueue(Reservation& reservation, core::Money cost, Settled done) override;
  void flush(store::Store& store);  // on the worker thread
  Balance view(const Account& account, const std::string& month) const;

  store::Worker& worker_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Account> accounts_;
  std::vector<PendingCharge> pending_;
  bool flush_scheduled_ = false;
};

}  // namespace billing
