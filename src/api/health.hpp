#pragma once
// GET /, /healthz (alive), /readyz (the database answers), /metrics (Prometheus text).

#include "api/database.hpp"
#include "api/router.hpp"

namespace telemetry {
class Metrics;
}

namespace api {

void add_health_routes(Router& router, Database& database, telemetry::Metrics& metrics);

}  // namespace api
