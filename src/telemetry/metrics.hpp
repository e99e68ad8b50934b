#pragma once
// Process metrics: fixed-size arrays of atomics, so recording on the request path takes no
// lock and allocates nothing. Routes are registered before serving; label sets stay bounded.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace telemetry {

enum class UpstreamErrorKind { kConnect, kTimeout, kStatus4xx, kStatus5xx, kProtocol, kCount };

class Metrics {
 public:
  static constexpr std::size_t kLatencyBuckets = 14;

  Metrics();
  ~Metrics();

  // Returns the route's index; call before serving (not thread-safe against recording).
  std::size_t register_route(std::string_view route);
  void record_request(std::size_t route, int status, double seconds);
  void record_upstream_error(std::string_view provider, UpstreamErrorKind kind);
  void stream_opened() { open_streams_.fetch_add(1, std::memory_order_relaxed); }
  void stream_closed() { open_streams_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_streams() const { return open_streams_.load(std::memory_order_relaxed); }

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;
  // Providers are few and known at start; a small fixed table keyed by name.
  static constexpr std::size_t kMaxProviders = 16;
  std::array<std::string, kMaxProviders> provider_names_;
  std::array<
      std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(UpstreamErrorKind::kCount)>,
      kMaxProviders>
      upstream_errors_{};
  std::atomic<std::size_t> provider_count_{0};
  std::atomic<std::int64_t> open_streams_{0};

 public:
  // Registers a provider label for upstream error counts; before serving.
  void register_provider(std::string_view provider);
};

}  // namespace telemetry
