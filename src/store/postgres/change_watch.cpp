// PostgresStore::watch_changes: a thread with a connection of its own that LISTENs for
// catalog changes other gateways make, and keeps this gateway's presence in `replicas`.

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/thread_name.hpp"
#include "store/postgres/postgres_store.hpp"
#include "telemetry/log.hpp"

namespace store::postgres {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// Every gateway says it is alive this often; one that has not for kStaleAfter has stopped
// (or lost the database), and any gateway then gives back the reservations it held.
constexpr seconds kAnnounceInterval{5};
constexpr seconds kStaleAfter{30};
// After a lost connection, how often opening a new one is tried.
constexpr milliseconds kRetryInterval{1000};

constexpr const char* kAnnounce =
    "INSERT INTO replicas (replica) VALUES ($1) "
    "ON CONFLICT (replica) DO UPDATE SET seen_at = now()";

// Gateways not seen for a while, and reservations whose gateway is unknown (its row was
// removed while it was cut off from the database), give their reservations back. Every
// statement that touches reservations keeps api_keys.reserved equal to their sum, and a
// reservation deleted here is gone for the charge that would have released it later.
constexpr const char* kReclaim =
    "WITH dead AS (DELETE FROM replicas WHERE seen_at < now() - $1::bigint * interval '1 second'"
    " RETURNING replica),"
    " gone AS (DELETE FROM reservations r WHERE r.replica IN (SELECT replica FROM dead)"
    " OR NOT EXISTS (SELECT 1 FROM replicas p WHERE p.replica = r.replica)"
    " RETURNING key_id, amount),"
    " totals AS (SELECT key_id, SUM(amount) AS amount FROM gone GROUP BY key_id)"
    " UPDATE api_keys k SET reserved = GREATEST(k.reserved - totals.amount, 0)"
    " FROM totals WHERE k.id = totals.key_id";

constexpr const char* kLeave =
    "WITH me AS (DELETE FROM replicas WHERE replica = $1),"
    " gone AS (DELETE FROM reservations WHERE replica = $1 RETURNING key_id, amount),"
    " totals AS (SELECT key_id, SUM(amount) AS amount FROM gone GROUP BY key_id)"
    " UPDATE api_keys k SET reserved = GREATEST(k.reserved - totals.amount, 0)"
    " FROM totals WHERE k.id = totals.key_id";

std::string message_of(PGconn* conn) {
  std::string text = PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool run_statement(PGconn* conn, const char* sql, std::initializer_list<const char*> values) {
  const std::vector<const char*> params(values);
  PGresult* result = PQexecParams(conn, sql, static_cast<int>(params.size()), nullptr,
                                  params.data(), nullptr, nullptr, 0);
  const auto status = PQresultStatus(result);
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  if (!ok) LLMGATE_LOG_WARN("postgresql change watch: {}", PQresultErrorMessage(result));
  PQclear(result);
  return ok;
}

class ReplicaWatch final : public ChangeWatch {
 public:
  ReplicaWatch(std::string url, std::function<void()> on_change)
      : url_(std::move(url)),
        on_change_(std::move(on_change)),
        wake_fd_(::eventfd(0, EFD_CLOEXEC)) {
    // The first connection is opened before serving starts, so that this gateway is known
    // in `replicas` before it makes its first reservation.
    open();
    thread_ = std::thread([this] {
      core::name_this_thread("llmgate-pgwatch");
      run();
    });
  }

  ~ReplicaWatch() override {
    stopping_ = true;
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
    ::close(wake_fd_);
  }

 private:
  bool open() {
    std::string error;
    PGconn* conn = connect_raw(url_, error);
    if (conn == nullptr) {
      if (!failing_) LLMGATE_LOG_WARN("postgresql change watch: cannot connect: {}", error);
      failing_ = true;
      return false;
    }
    const std::string listen = std::string("LISTEN ") + kCatalogChannel;
    if (!run_statement(conn, listen.c_str(), {}) || !announce(conn)) {
      PQfinish(conn);
      failing_ = true;
      return false;
    }
    conn_ = conn;
    if (failing_) LLMGATE_LOG_INFO("postgresql change watch: connected again; reloading");
    failing_ = false;
    // Whatever changed before LISTEN took effect (at start, or while the connection was
    // lost) was not announced to this gateway: reload everything.
    on_change_();
    return true;
  }

  // False when this gateway could not announce itself. Giving back others' reservations
  // may fail on its own (a deadlock with a batch of charges): it is tried again next time.
  bool announce(PGconn* conn) {
    if (!run_statement(conn, kAnnounce, {replica_id().c_str()})) return false;
    const std::string stale = std::to_string(kStaleAfter.count());
    run_statement(conn, kReclaim, {stale.c_str()});
    return PQstatus(conn) == CONNECTION_OK;
  }

  void lost() {
    LLMGATE_LOG_WARN("postgresql change watch: connection lost: {}", message_of(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    failing_ = true;
  }

  // Waits up to `timeout` for the socket (when connected) or the stop signal. False: stop.
  bool wait(milliseconds timeout) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {conn_ != nullptr ? PQsocket(conn_) : -1, POLLIN, 0}};
    const int count = conn_ != nullptr ? 2 : 1;
    (void)::poll(fds, count, static_cast<int>(std::max<milliseconds::rep>(timeout.count(), 0)));
    return !stopping_;
  }

  // Consumes what the server sent; true when another gateway announced a change.
  bool drain_notifications() {
    bool changed = false;
    while (PGnotify* notification = PQnotifies(conn_)) {
      if (replica_id() != notification->extra) changed = true;
      PQfreemem(notification);
    }
    return changed;
  }

  void run() {
    auto next_announce = SteadyClock::now() + kAnnounceInterval;
    while (!stopping_) {
      if (conn_ == nullptr) {
        if (!open()) {
          if (!wait(kRetryInterval)) break;
          continue;
        }
        next_announce = SteadyClock::now() + kAnnounceInterval;
      }
      const auto left =
          std::chrono::duration_cast<milliseconds>(next_announce - SteadyClock::now());
      if (!wait(left)) break;
      if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
        lost();
        continue;
      }
      if (drain_notifications()) on_change_();
      if (SteadyClock::now() >= next_announce) {
        if (!announce(conn_)) {
          if (PQstatus(conn_) != CONNECTION_OK) lost();
        }
        next_announce = SteadyClock::now() + kAnnounceInterval;
      }
    }
    if (conn_ != nullptr) {
      // Every request has been settled by now: what this gateway still holds is given back.
      run_statement(conn_, kLeave, {replica_id().c_str()});
      PQfinish(conn_);
      conn_ = nullptr;
    }
  }

  std::string url_;
  std::function<void()> on_change_;
  int wake_fd_;
  PGconn* conn_ = nullptr;
  bool failing_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ChangeWatch> PostgresStore::watch_changes(std::function<void()> on_change) {
  return std::make_unique<ReplicaWatch>(url_, std::move(on_change));
}

}  // namespace store::postgres
