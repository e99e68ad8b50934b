#include "billing/shared_ledger.hpp"

#include "telemetry/log.hpp"

namespace billing {

namespace {

Admission admission_of(std::int64_t key_id, core::Money amount,
                       core::Result<std::optional<std::int64_t>> reserved) {
  if (!reserved) return reserved.take_error();
  if (!*reserved) return std::optional<Reservation>();
  return std::optional<Reservation>(Reservation{key_id, amount, true, **reserved});
}

}  // namespace

boost::asio::awaitable<Admission> SharedLedger::admit(std::int64_t key_id,
                                                      const core::Money& worst_case) {
  // Not a coroutine: the initiation hands the awaiting coroutine's handler to the admission
  // worker, which posts the result back to the handler's own executor.
  const std::string month = months_.current_month();
  const core::Money amount = worst_case;
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Admission)>(
      [this, key_id, amount, month](auto handler) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        admission_.post([key_id, amount, month, shared, executor](store::Store& store) {
          auto admission = std::make_shared<Admission>(
              admission_of(key_id, amount, store.reserve(key_id, amount, month)));
          boost::asio::post(executor, [shared, admission]() mutable {
            std::move (*shared)(std::move(*admission));
          });
        });
      },
      boost::asio::use_awaitable);
}

void SharedLedger::release(Reservation& reservation) {
  if (!reservation.active) return;
  reservation.active = false;
  release_later({reservation.id});
}

void SharedLedger::release_later(std::vector<std::int64_t> ids) {
  bool schedule = false;
  {
    std::lock_guard lock(mutex_);
    pending_releases_.insert(pending_releases_.end(), ids.begin(), ids.end());
    schedule = !releases_scheduled_ && !pending_releases_.empty();
    if (schedule) releases_scheduled_ = true;
  }
  if (schedule) admission_.post([this](store::Store& store) { flush_releases(store); });
}

void SharedLedger::flush_releases(store::Store& store) {
  std::vector<std::int64_t> ids;
  {
    std::lock_guard lock(mutex_);
    ids.swap(pending_releases_);
    releases_scheduled_ = false;
  }
  if (ids.empty()) return;
  if (auto released = store.release_reservations(ids); !released) {
    // Kept for the next release to try again. A gateway that stops gives back whatever it
    // still holds, and others give back a dead gateway's reservations.
    LLMGATE_LOG_WARN("giving back {} reservations failed (tried again later): {}", ids.size(),
                     released.error().message);
    std::lock_guard lock(mutex_);
    pending_releases_.insert(pending_releases_.end(), ids.begin(), ids.end());
  }
}

void SharedLedger::enqueue(Reservation& reservation, core::Money cost, Settled done) {
  store::Charge charge;
  charge.key_id = reservation.key_id;
  charge.month = months_.current_month();
  charge.cost = cost;
  charge.reservation_id = reservation.active ? reservation.id : 0;
  reservation.active = false;  // the charge releases it in its transaction
  bool schedule = false;
  {
    std::lock_guard lock(mutex_);
    pending_charges_.push_back({std::move(charge), std::move(done)});
    schedule = !charges_scheduled_;
    charges_scheduled_ = true;
  }
  if (schedule) worker_.post([this](store::Store& store) { flush_charges(store); });
}

void SharedLedger::flush_charges(store::Store& store) {
  std::vector<PendingCharge> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_charges_);
    charges_scheduled_ = false;
  }
  if (batch.empty()) return;
  std::vector<store::Charge> charges;
  charges.reserve(batch.size());
  for (auto& pending : batch) charges.push_back(pending.charge);
  core::Status committed = store.settle_charges(charges);
  if (!committed) {
    LLMGATE_LOG_ERROR("committing {} charges failed: {}", charges.size(),
                      committed.error().message);
    // The transaction rolled back with the reservations' releases in it.
    std::vector<std::int64_t> held;
    for (const auto& charge : charges) {
      if (charge.reservation_id != 0) held.push_back(charge.reservation_id);
    }
    release_later(std::move(held));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (committed) {
      batch[i].done(Split{charges[i].from_allowance, charges[i].from_balance});
    } else {
      batch[i].done(committed.error());
    }
  }
}

}  // namespace billing
