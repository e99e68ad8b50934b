#include "store/store.hpp"

namespace store {

const char* to_string(Role role) {
  switch (role) {
    case Role::kUser:
      return "user";
    case Role::kAdmin:
      return "admin";
  }
  return "user";
}

std::optional<Role> role_from_string(std::string_view text) {
  // Exact, lower-case names only: these are the stored values and the API's values alike.
  if (text == "user") return Role::kUser;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

}  // namespace store
