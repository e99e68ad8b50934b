#include "providers/bedrock_converse/role_answers.hpp"

#include <time.h>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include <boost/json/parse.hpp>

namespace providers::bedrock {

namespace json = boost::json;
using Clock = std::chrono::system_clock;

namespace {

constexpr std::chrono::minutes kRenewBefore{5};

// "2026-11-26T12:00:00Z" (fractions of a second, if any, are ignored).
std::optional<Clock::time_point> parse_expiration(const std::string& text) {
  std::tm utc{};
  int seconds = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
                  &utc.tm_hour, &utc.tm_min, &seconds) != 6) {
    return std::nullopt;
  }
  // Clock's nanoseconds end in 2262: a year past that (a garbled answer) would overflow.
  if (utc.tm_year < 1970 || utc.tm_year > 2200 || utc.tm_mon < 1 || utc.tm_mon > 12 ||
      utc.tm_mday < 1 || utc.tm_mday > 31 || utc.tm_hour < 0 || utc.tm_hour > 23 ||
      utc.tm_min < 0 || utc.tm_min > 59 || seconds < 0 || seconds > 60) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  utc.tm_sec = seconds;
  return Clock::from_time_t(::timegm(&utc));
}

// The text of the first <name>…</name> element, with XML's five entities decoded; empty when
// there is none. STS answers in a fixed shape, so no XML parser is needed for it.
std::string xml_text(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) return {};
  const auto from = start + open.size();
  const auto end = xml.find(close, from);
  if (end == std::string_view::npos) return {};
  std::string text;
  const std::string_view raw = xml.substr(from, end - from);
  constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  for (std::size_t i = 0; i < raw.size();) {
    bool decoded = false;
    if (raw[i] == '&') {
      for (const auto& [entity, character] : kEntities) {
        if (raw.substr(i, entity.size()) == entity) {
          text += character;
          i += entity.size();
          decoded = true;
          break;
        }
      }
    }
    if (!decoded) text += raw[i++];
  }
  return text;
}

std::string string_at(const json::object& object, std::string_view field) {
  auto* value = object.if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

core::Result<RoleCredentialsAnswer> parse_role_credentials(std::string_view json_text) {
  boost::system::error_code ec;
  auto parsed = json::parse(json_text, ec);
  if (ec || !parsed.is_object()) {
    return core::Error::unavailable("the role's credentials are not a JSON object");
  }
  const auto& object = parsed.get_object();
  if (auto code = string_at(object, "Code"); !code.empty() && code != "Success") {
    return core::Error::unavailable("the role's credentials answer says " + code + ": " +
                                    string_at(object, "Message"));
  }
  RoleCredentialsAnswer answer;
  answer.credentials.access_key_id = string_at(object, "AccessKeyId");
  answer.credentials.secret_access_key = string_at(object, "SecretAccessKey");
  answer.credentials.session_token = string_at(object, "Token");
  const std::string expiration = string_at(object, "Expiration");
  if (answer.credentials.access_key_id.empty() || answer.credentials.secret_access_key.empty()) {
    return core::Error::unavailable("the role's credentials lack AccessKeyId or SecretAccessKey");
  }
  auto expires_at = parse_expiration(expiration);
  if (!expires_at) {
    return core::Error::unavailable("the role's credentials have no readable Expiration ('" +
                                    expiration + "')");
  }
  answer.expires_at = *expires_at;
  return answer;
}

core::Result<RoleCredentialsAnswer> parse_sts_answer(std::string_view action, int status,
                                                     std::string_view xml) {
  const std::string sts = "STS " + std::string(action);
  if (status / 100 != 2) {
    std::string code = xml_text(xml, "Code");
    std::string message = xml_text(xml, "Message");
    if (code.empty()) code = "HTTP " + std::to_string(status);
    return core::Error::unavailable(sts + " failed: " + code +
                                    (message.empty() ? "" : ": " + message));
  }
  RoleCredentialsAnswer answer;
  answer.credentials.access_key_id = xml_text(xml, "AccessKeyId");
  answer.credentials.secret_access_key = xml_text(xml, "SecretAccessKey");
  answer.credentials.session_token = xml_text(xml, "SessionToken");
  if (answer.credentials.access_key_id.empty() || answer.credentials.secret_access_key.empty() ||
      answer.credentials.session_token.empty()) {
    return core::Error::unavailable(
        sts + " answered without AccessKeyId, SecretAccessKey or SessionToken");
  }
  const std::string expiration = xml_text(xml, "Expiration");
  auto expires_at = parse_expiration(expiration);
  if (!expires_at) {
    return core::Error::unavailable(sts + " answered without a readable Expiration ('" +
                                    expiration + "')");
  }
  answer.expires_at = *expires_at;
  return answer;
}

std::chrono::milliseconds refresh_delay(Clock::time_point expires_at, Clock::time_point now) {
  auto delay =
      std::chrono::duration_cast<std::chrono::milliseconds>(expires_at - kRenewBefore - now);
  return std::max(delay, std::chrono::milliseconds(1000));
}

}  // namespace providers::bedrock
