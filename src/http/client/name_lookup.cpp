#include "http/client/name_lookup.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/thread_name.hpp"

namespace http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A request waiting for a lookup. The lookup's thread hands the answer over on the
// request's executor through `deliver`, unless the request stopped waiting, which empties
// `deliver` (under Flights::mutex): from then on the thread never touches the executor,
// whose io_context may be gone.
struct Waiter {
  net::any_io_executor executor;
  std::function<void(const NameLookup&)> deliver;
};

// The lookups under way by "host:port", each with the requests waiting for it. Never
// destroyed: lookup threads may still run when the process exits.
struct Flights {
  std::mutex mutex;
  std::map<std::string, std::vector<std::shared_ptr<Waiter>>> waiting;
  int client_chosen = 0;  // of them, lookups of names a client chose
};

Flights& flights() {
  static auto* all = new Flights;
  return *all;
}

// getaddrinfo's failures as Asio's resolver reports them (the same messages as before).
boost::system::error_code lookup_error(int code, int saved_errno) {
  switch (code) {
    case EAI_AGAIN:
      return net::error::host_not_found_try_again;
    case EAI_NONAME:
    case EAI_NODATA:
    case EAI_ADDRFAMILY:
      return net::error::host_not_found;
    case EAI_MEMORY:
      return net::error::no_memory;
    case EAI_SERVICE:
      return net::error::service_not_found;
    case EAI_SYSTEM:
      return {saved_errno, boost::system::system_category()};
    default:
      return net::error::no_recovery;
  }
}

NameLookup resolve(const std::string& host, const std::string& service) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  NameLookup answer;
  if (const int code = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list); code != 0) {
    answer.error = lookup_error(code, errno);
    return answer;
  }
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    tcp::endpoint endpoint;
    if ((entry->ai_family != AF_INET && entry->ai_family != AF_INET6) ||
        entry->ai_addrlen > endpoint.capacity()) {
      continue;
    }
    std::memcpy(endpoint.data(), entry->ai_addr, entry->ai_addrlen);
    endpoint.resize(entry->ai_addrlen);
    answer.endpoints.push_back(endpoint);
  }
  ::freeaddrinfo(list);
  return answer;
}

void run_lookup(const std::string& key, const std::string& host, const std::string& service,
                bool client_chosen) {
  core::name_this_thread("llmgate-dns");
  const NameLookup answer = resolve(host, service);
  auto& all = flights();
  std::lock_guard lock(all.mutex);
  if (client_chosen) --all.client_chosen;
  auto flight = all.waiting.find(key);
  for (const auto& waiter : flight->second) {
    if (!waiter->deliver) continue;
    net::post(waiter->executor, [waiter, answer] {
      if (waiter->deliver) waiter->deliver(answer);
    });
  }
  all.waiting.erase(flight);
}

// Adds `waiter` to the lookup of host:service under way, or starts one; an error when no
// lookup could be started.
std::optional<boost::system::error_code> join_or_start(const std::string& host,
                                                       const std::string& service,
                                                       bool client_chosen,
                                                       std::shared_ptr<Waiter> waiter) {
  auto& all = flights();
  std::string key = (client_chosen ? "client|" : "") + host + ':' + service;
  std::lock_guard lock(all.mutex);
  auto [flight, started] = all.waiting.try_emplace(key);
  flight->second.push_back(std::move(waiter));
  if (!started) return std::nullopt;
  const auto configured = static_cast<int>(all.waiting.size()) - all.client_chosen - 1;
  if (client_chosen ? all.client_chosen >= kMaxClientNameLookups : configured >= kMaxNameLookups) {
    all.waiting.erase(flight);
    return boost::system::errc::make_error_code(
        boost::system::errc::resource_unavailable_try_again);
  }
  try {
    std::thread(run_lookup, key, host, service, client_chosen).detach();
  } catch (const std::system_error& error) {
    all.waiting.erase(flight);
    return boost::system::error_code(error.code().value(), boost::system::system_category());
  }
  if (client_chosen) ++all.client_chosen;
  return std::nullopt;
}

// What a waiting request shares with its Waiter's `deliver`.
struct Waiting {
  explicit Waiting(const net::any_io_executor& executor) : wake(executor) {}
  net::steady_timer wake;
  std::optional<NameLookup> answer;
};

// Ends a request's wait, also when its coroutine is destroyed at shutdown.
struct StopWaiting {
  std::shared_ptr<Waiter> waiter;
  ~StopWaiting() {
    std::lock_guard lock(flights().mutex);
    waiter->deliver = nullptr;
    waiter->executor = {};
  }
};

}  // namespace

boost::asio::awaitable<NameLookup> look_up(const std::string& host, std::uint16_t port,
                                           std::chrono::steady_clock::time_point deadline,
                                           bool client_chosen) {
  NameLookup answer;
  boost::system::error_code not_an_address;
  const auto address = net::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    answer.endpoints.emplace_back(address, port);
    co_return answer;
  }
  auto executor = co_await net::this_coro::executor;
  auto waiting = std::make_shared<Waiting>(executor);
  waiting->wake.expires_at(deadline);
  auto waiter = std::make_shared<Waiter>();
  waiter->executor = executor;
  waiter->deliver = [waiting](const NameLookup& delivered) {
    waiting->answer = delivered;
    waiting->wake.cancel();
  };
  const StopWaiting stop_waiting{waiter};
  if (auto refused = join_or_start(host, std::to_string(port), client_chosen, waiter)) {
    answer.error = *refused;
    co_return answer;
  }
  co_await waiting->wake.async_wait(net::as_tuple(net::use_awaitable));
  if (!waiting->answer) {
    answer.timed_out = true;
    co_return answer;
  }
  co_return std::move(*waiting->answer);
}

void abandon_name_lookups(const boost::asio::execution_context& context) {
  auto& all = flights();
  std::lock_guard lock(all.mutex);
  for (auto& [key, waiters] : all.waiting) {
    for (auto& waiter : waiters) {
      if (waiter->executor && &net::query(waiter->executor, net::execution::context) == &context) {
        waiter->deliver = nullptr;
        waiter->executor = {};
      }
    }
  }
}

}  // namespace http
