#pragma once
// The admin API (SPEC 4): keys, payments, models, groups, grants, Feishu bots.

#include "api/database.hpp"
#include "api/router.hpp"

namespace api::admin {

void add_key_routes(Router& router, Database& database);
void add_model_routes(Router& router, Database& database);
void add_group_routes(Router& router, Database& database);
void add_bot_routes(Router& router, Database& database);

inline void add_routes(Router& router, Database& database) {
  add_key_routes(router, database);
  add_model_routes(router, database);
  add_group_routes(router, database);
  add_bot_routes(router, database);
}

}  // namespace api::admin
