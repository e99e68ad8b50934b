#pragma once
// Name lookups of upstream hosts, by a deadline. getaddrinfo blocks and cannot be
// interrupted, and Asio runs all lookups of an io_context one after another on a single
// thread of its own, so one name whose resolver never answers held up every later lookup of
// that I/O thread, for any host (each waiting out the connect timeout), and a graceful stop
// waited for it. Here each lookup runs on a detached thread named "llmgate-dns": a hanging
// lookup delays no other, requests for the same host and port share the lookup under way
// (so a hanging name costs one thread, not one per request), at most kMaxNameLookups run at
// once, and the process exits without waiting for them. An address (`127.0.0.1`, `::1`) is
// not looked up.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace http {

// Lookups under way at once: for configured upstreams, and for names a client chose (image
// URLs), which get a budget of their own so that names whose resolver never answers, on
// subdomains a client made up, cannot take every lookup from the upstreams.
inline constexpr int kMaxNameLookups = 64;
inline constexpr int kMaxClientNameLookups = 16;

struct NameLookup {
  bool timed_out = false;           // the deadline came first; the lookup goes on alone
  boost::system::error_code error;  // the resolver's answer, when it failed
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

// The endpoints of host:port, looked up on the calling coroutine's executor's behalf;
// `client_chosen` counts the lookup against kMaxClientNameLookups.
boost::asio::awaitable<NameLookup> look_up(const std::string& host, std::uint16_t port,
                                           std::chrono::steady_clock::time_point deadline,
                                           bool client_chosen);

// Before an io_context that waited for lookups is destroyed (its threads joined): lookups
// still running hand nothing to it any more.
void abandon_name_lookups(const boost::asio::execution_context& context);

}  // namespace http
