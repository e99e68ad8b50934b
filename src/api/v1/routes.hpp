#pragma once
// The OpenAI-compatible API: POST /v1/chat/completions, GET /v1/models.

#include "api/router.hpp"
#include "chat/pipeline.hpp"

namespace api::v1 {

void add_routes(Router& router, chat::Pipeline& pipeline);

}  // namespace api::v1
