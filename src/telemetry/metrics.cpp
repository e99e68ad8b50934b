#include "telemetry/metrics.hpp"

#include <fmt/format.h>

namespace telemetry {
namespace {

constexpr std::array<double, Metrics::kLatencyBuckets> kBucketBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

constexpr const char* kUpstreamErrorNames[] = {"connect", "timeout", "status_4xx", "status_5xx",
                                               "protocol"};

constexpr int kMinStatus = 100;
constexpr int kMaxStatus = 599;

}  // namespace

struct Metrics::Route {
  std::string name;
  std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets> buckets{};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_micros{0};
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

std::size_t Metrics::register_route(std::string_view route) {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i]->name == route) return i;
  }
  auto entry = std::make_unique<Route>();
  entry->name = std::string(route);
  routes_.push_back(std::move(entry));
  return routes_.size() - 1;
}

void Metrics::record_request(std::size_t route, int status, double seconds) {
  if (route >= routes_.size()) return;
  auto& entry = *routes_[route];
  if (status < kMinStatus || status > kMaxStatus) status = 500;
  entry.by_status[status - kMinStatus].fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    if (seconds <= kBucketBounds[i]) {
      entry.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  entry.count.fetch_add(1, std::memory_order_relaxed);
  entry.sum_micros.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::register_provider(std::string_view provider) {
  auto count = provider_count_.load();
  for (std::size_t i = 0; i < count; ++i) {
    if (provider_names_[i] == provider) return;
  }
  if (count == kMaxProviders) return;
  provider_names_[count] = std::string(provider);
  provider_count_.store(count + 1);
}

void Metrics::record_upstream_error(std::string_view provider, UpstreamErrorKind kind) {
  auto count = provider_count_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < count; ++i) {
    if (provider_names_[i] == provider) {
      upstream_errors_[i][static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP llmgate_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE llmgate_http_requests_total counter\n";
  for (const auto& route : routes_) {
    for (int status = kMinStatus; status <= kMaxStatus; ++status) {
      auto value = route->by_status[status - kMinStatus].load(std::memory_order_relaxed);
      if (value == 0) continue;
      out += fmt::format("llmgate_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         route->name, status, value);
    }
  }
  out += "# HELP llmgate_http_request_duration_seconds Time from request read to answer sent.\n";
  out += "# TYPE llmgate_http_request_duration_seconds histogram\n";
  for (const auto& route : routes_) {
    auto count = route->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
      cumulative += route->buckets[i].load(std::memory_order_relaxed);
      out +=
          fmt::format("llmgate_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                      route->name, kBucketBounds[i], cumulative);
    }
    out +=
        fmt::format("llmgate_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                    route->name, count);
    out += fmt::format("llmgate_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n",
                       route->name, route->sum_micros.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("llmgate_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                       route->name, count);
  }
  out += "# HELP llmgate_upstream_errors_total Failed upstream calls, by provider and kind.\n";
  out += "# TYPE llmgate_upstream_errors_total counter\n";
  auto providers = provider_count_.load();
  for (std::size_t p = 0; p < providers; ++p) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(UpstreamErrorKind::kCount); ++k) {
      out += fmt::format("llmgate_upstream_errors_total{{provider=\"{}\",kind=\"{}\"}} {}\n",
                         provider_names_[p], kUpstreamErrorNames[k],
                         upstream_errors_[p][k].load(std::memory_order_relaxed));
    }
  }
  out += "# HELP llmgate_open_streams Streamed answers in progress.\n";
  out += "# TYPE llmgate_open_streams gauge\n";
  out += fmt::format("llmgate_open_streams {}\n", open_streams());
  return out;
}

}  // namespace telemetry
