#pragma once
// The user API (SPEC 5): every call is scoped to the caller's key.

#include "api/database.hpp"
#include "api/router.hpp"

namespace api::user {

void add_routes(Router& router, Database& database);

}  // namespace api::user
