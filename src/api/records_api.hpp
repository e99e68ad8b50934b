#pragma once
// Sessions, threads and statistics (SPEC 4, 5 and 8). Admin routes see every key's records
// (with a key_id filter); user routes are scoped to the caller's key, and another key's id
// answers 404.

#include "api/database.hpp"
#include "api/router.hpp"

namespace api {

void add_admin_record_routes(Router& router, Database& database);
void add_user_record_routes(Router& router, Database& database);

}  // namespace api
