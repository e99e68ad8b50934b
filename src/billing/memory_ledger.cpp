#include "billing/memory_ledger.hpp"

#include "telemetry/log.hpp"

namespace billing {

core::Money Balance::available() const {
  // SPEC 7: money is left while month_fee < month_quota or balance > 0. A debt (a balance
  // pushed below 0 by the one request allowed to overspend) does not eat next month's
  // allowance; it stays until a recharge covers it.
  std::int64_t allowance = std::max<std::int64_t>(month_quota.nanos() - month_fee.nanos(), 0);
  std::int64_t prepaid = std::max<std::int64_t>(balance.nanos(), 0);
  return core::Money::from_nanos(allowance + prepaid - reserved.nanos());
}

Balance MemoryLedger::view(const Account& account, const std::string& month) const {
  core::Money month_fee = account.fee_month == month ? account.month_fee : core::Money();
  return {account.month_quota, month_fee, account.balance, account.total_fee, account.reserved};
}

void MemoryLedger::sync(const std::vector<store::KeyRow>& keys) {
  std::lock_guard lock(mutex_);
  std::unordered_map<std::int64_t, Account> next;
  next.reserve(keys.size());
  for (const auto& row : keys) {
    Account account{row.month_quota, row.month_fee, row.fee_month, row.balance, row.total_fee, {}};
    if (auto found = accounts_.find(row.id); found != accounts_.end())
      account.reserved = found->second.reserved;
    next.emplace(row.id, std::move(account));
  }
  accounts_.swap(next);
}

void MemoryLedger::sync_key(std::int64_t key_id, const store::KeyRow* row) {
  std::lock_guard lock(mutex_);
  if (row == nullptr) {
    accounts_.erase(key_id);
    return;
  }
  Account& account = accounts_[key_id];  // a new key starts with nothing reserved
  account.month_quota = row->month_quota;
  account.month_fee = row->month_fee;
  account.fee_month = row->fee_month;
  account.balance = row->balance;
  account.total_fee = row->total_fee;
}

std::optional<Reservation> MemoryLedger::try_admit(std::int64_t key_id, core::Money worst_case) {
  std::string month = months_.current_month();
  std::lock_guard lock(mutex_);
  auto found = accounts_.find(key_id);
  if (found == accounts_.end()) return std::nullopt;
  if (view(found->second, month).available().nanos() <= 0) return std::nullopt;
  found->second.reserved =
      core::Money::from_nanos(found->second.reserved.nanos() + worst_case.nanos());
  return Reservation{key_id, worst_case, true};
}

boost::asio::awaitable<Admission> MemoryLedger::admit(std::int64_t key_id,
                                                      const core::Money& worst_case) {
  co_return Admission(try_admit(key_id, worst_case));
}

void MemoryLedger::release(Reservation& reservation) {
  if (!reservation.active) return;
  reservation.active = false;
  std::lock_guard lock(mutex_);
  if (auto found = accounts_.find(reservation.key_id); found != accounts_.end()) {
    found->second.reserved =
        core::Money::from_nanos(found->second.reserved.nanos() - reservation.amount.nanos());
  }
}

void MemoryLedger::enqueue(Reservation& reservation, core::Money cost, Settled done) {
  core::Money reserved = reservation.active ? reservation.amount : core::Money();
  reservation.active = false;  // the worker releases it together with the charge
  bool schedule = false;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({reservation.key_id, cost, reserved, std::move(done)});
    schedule = !flush_scheduled_;
    flush_scheduled_ = true;
  }
  if (schedule) worker_.post([this](store::Store& store) { flush(store); });
}

void MemoryLedger::flush(store::Store& store) {
  std::vector<PendingCharge> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
    flush_scheduled_ = false;
  }
  if (batch.empty()) return;
  std::string month = months_.current_month();

  // Splits are computed in order on a copy of the touched accounts, written in one
  // transaction, and applied in memory only once the transaction committed.
  std::unordered_map<std::int64_t, Account> touched;
  std::vector<store::Charge> charges;
  std::unordered_map<std::int64_t, std::size_t> row_of_key;  // key -> its row in `charges`
  std::vector<core::Result<Split>> results;
  charges.reserve(batch.size());
  results.reserve(batch.size());
  {
    std::lock_guard lock(mutex_);
    for (const auto& charge : batch) {
      auto found = accounts_.find(charge.key_id);
      if (found == accounts_.end()) {  // the key was deleted meanwhile: nothing to charge
        results.emplace_back(Split{});
        continue;
      }
      auto [slot, inserted] = touched.try_emplace(charge.key_id, found->second);
      Account& account = slot->second;
      if (account.fee_month != month) {
        account.fee_month = month;
        account.month_fee = core::Money();
      }
      Split split = split_cost(charge.cost, account.month_quota, account.month_fee);
      account.month_fee =
          core::Money::from_nanos(account.month_fee.nanos() + split.from_allowance.nanos());
      account.balance =
          core::Money::from_nanos(account.balance.nanos() - split.from_balance.nanos());
      account.total_fee = core::Money::from_nanos(account.total_fee.nanos() + charge.cost.nanos());
      // One row per key and batch: the store applies deltas, so the sum of a key's charges
      // in this batch is one UPDATE instead of one per request.
      auto [row, first] = row_of_key.try_emplace(charge.key_id, charges.size());
      if (first) {
        charges.push_back(
            {charge.key_id, month, split.from_allowance, split.from_balance, charge.cost});
      } else {
        store::Charge& merged = charges[row->second];
        merged.from_allowance =
            core::Money::from_nanos(merged.from_allowance.nanos() + split.from_allowance.nanos());
        merged.from_balance =
            core::Money::from_nanos(merged.from_balance.nanos() + split.from_balance.nanos());
        merged.cost = core::Money::from_nanos(merged.cost.nanos() + charge.cost.nanos());
      }
      results.emplace_back(split);
    }
  }
  core::Status committed =
      charges.empty() ? core::Status(core::Ok{}) : store.apply_charges(charges);
  {
    std::lock_guard lock(mutex_);
    for (const auto& charge : batch) {
      if (auto found = accounts_.find(charge.key_id); found != accounts_.end()) {
        found->second.reserved =
            core::Money::from_nanos(found->second.reserved.nanos() - charge.reserved.nanos());
      }
    }
    if (committed) {
      for (auto& [key_id, account] : touched) {
        auto found = accounts_.find(key_id);
        if (found == accounts_.end()) continue;
        account.reserved = found->second.reserved;
        found->second = account;
      }
    }
  }
  if (!committed) {
    LLMGATE_LOG_ERROR("committing {} charges failed: {}", charges.size(),
                      committed.error().message);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (committed) {
      batch[i].done(std::move(results[i]));
    } else {
      batch[i].done(committed.error());
    }
  }
}

std::optional<Balance> MemoryLedger::balance(std::int64_t key_id) const {
  std::string month = months_.current_month();
  std::lock_guard lock(mutex_);
  auto found = accounts_.find(key_id);
  if (found == accounts_.end()) return std::nullopt;
  return view(found->second, month);
}

}  // namespace billing
