#pragma once
// The first admin key: LLMGATE_ADMIN_KEY when set, else generated once on first start,
// printed to stderr and written to <data dir>/admin.key (mode 0600).

#include "config/settings.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace app {

core::Status bootstrap_admin_key(const config::Settings& settings, store::Store& store);

}  // namespace app
