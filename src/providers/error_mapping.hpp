#pragma once
// Upstream HTTP statuses mapped to what the client gets (SPEC 6): the client's own mistakes
// keep their status; the gateway's bad credentials and upstream failures become 502.

#include <string>
#include <string_view>

#include "http/message.hpp"
#include "providers/provider.hpp"

namespace providers {

ApiError map_upstream_status(int status, std::string upstream_message, std::string_view provider,
                             const http::Headers& headers);

}  // namespace providers
