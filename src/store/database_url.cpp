#include "store/database_url.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"

namespace store {

namespace {

constexpr std::string_view kSchemeSeparator = "://";

core::Error bad_url(std::string_view url, std::string_view reason) {
  return core::Error::bad_request(
      "database URL '" + redact_database_url(url) + "': " + std::string(reason), "database");
}

}  // namespace

core::Result<DatabaseUrl> parse_database_url(std::string_view url) {
  const auto separator = url.find(kSchemeSeparator);
  if (separator == std::string_view::npos) {
    return bad_url(url, "expected sqlite://PATH or postgresql://USER:PASSWORD@HOST:PORT/DB");
  }
  const std::string scheme = core::ascii_lower(url.substr(0, separator));
  const std::string_view rest = url.substr(separator + kSchemeSeparator.size());
  if (scheme == "sqlite") {
    if (rest.empty()) return bad_url(url, "no file path after sqlite://");
    // SQLite would read "?mode=ro" as part of the file name: almost surely a mistake.
    if (rest.find('?') != std::string_view::npos) {
      return bad_url(url, "query parameters are not supported for sqlite");
    }
    return DatabaseUrl{Backend::kSqlite, std::string(rest)};
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    return DatabaseUrl{Backend::kPostgres, std::string(url)};
  }
  return bad_url(url, "unknown scheme '" + scheme + "://'; expected sqlite:// or postgresql://");
}

std::string redact_database_url(std::string_view url) {
  const auto separator = url.find(kSchemeSeparator);
  if (separator == std::string_view::npos) return std::string(url);
  const auto authority_begin = separator + kSchemeSeparator.size();
  const auto authority_end = std::min(url.find('/', authority_begin), url.size());
  const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const auto colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string redacted(url.substr(0, authority_begin + colon + 1));
  redacted += "***";
  redacted += url.substr(authority_begin + at);
  return redacted;
}

}  // namespace store
