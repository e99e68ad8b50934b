#include "providers/bedrock_converse/role_credentials.hpp"

#include <time.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "core/thread_name.hpp"
#include "http/client/upstream_call.hpp"
#include "http/client/url.hpp"
#include "telemetry/log.hpp"

namespace providers::bedrock {

namespace net = boost::asio;
namespace json = boost::json;
using net::awaitable;
using Clock = std::chrono::system_clock;

namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::chrono::minutes kRenewBefore{5};
constexpr std::chrono::seconds kRetryAfterFailure{5};
constexpr const char* kImdsDefault = "http://169.254.169.254";
constexpr const char* kContainerHost = "http://169.254.170.2";

std::optional<std::string> non_empty(const EnvironmentLookup& environment, std::string_view name) {
  auto value = environment(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

// Where the credentials come from, decided once from the environment.
struct Source {
  std::string container_url;         // set: the container endpoint, else IMDSv2
  std::string container_token;       // Authorization for it, or…
  std::string container_token_file;  // …read from this file each time (EKS rotates it)
  std::string imds_url;
};

Source source_from(const EnvironmentLookup& environment) {
  Source source;
  if (auto full = non_empty(environment, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    source.container_url = *full;
  } else if (auto relative = non_empty(environment, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    source.container_url = kContainerHost + *relative;
  }
  source.container_token = non_empty(environment, "AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  source.container_token_file =
      non_empty(environment, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");
  source.imds_url =
      non_empty(environment, "AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or(kImdsDefault);
  while (!source.imds_url.empty() && source.imds_url.back() == '/') source.imds_url.pop_back();
  return source;
}

std::string read_token_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
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
  std::tm utc{};
  int seconds = 0;
  if (std::sscanf(expiration.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &seconds) != 6) {
    return core::Error::unavailable("the role's credentials have no readable Expiration ('" +
                                    expiration + "')");
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  utc.tm_sec = seconds;
  answer.expires_at = Clock::from_time_t(::timegm(&utc));
  return answer;
}

std::chrono::milliseconds refresh_delay(Clock::time_point expires_at, Clock::time_point now) {
  auto delay =
      std::chrono::duration_cast<std::chrono::milliseconds>(expires_at - kRenewBefore - now);
  return std::max(delay, std::chrono::milliseconds(1000));
}

// Shared by the RoleCredentials object and its thread's coroutine.
struct RoleCredentials::State {
  Source source;
  mutable std::mutex mutex;
  mutable std::condition_variable fetched;
  std::shared_ptr<const AwsCredentials> credentials;
  std::string error = "the first fetch has not ended yet";
  bool first_fetch_done = false;
  std::thread thread;  // joined before the State goes
  // Last, so destroyed first: it destroys the coroutine it still holds while the rest of
  // the State is alive.
  net::io_context io;
};

namespace {

struct Answer {
  int status = 0;
  std::string body;
};

// Coroutines take class-type parameters by reference (docs/architecture.md, GCC 12).
awaitable<core::Result<Answer>> fetch(const std::string& url_text, const std::string& method,
                                      const http::Headers& headers) {
  auto url = http::parse_url(url_text);
  if (!url) co_return core::Error::unavailable(url_text + ": " + url.error().message);
  http::OutgoingRequest request;
  request.method = method;
  // The path exactly as given: Url drops a trailing '/', which the metadata service's
  // listing of roles needs.
  const auto scheme_end = url_text.find("://");
  const auto path_start =
      scheme_end == std::string::npos ? std::string::npos : url_text.find('/', scheme_end + 3);
  request.target = path_start == std::string::npos ? "/" : url_text.substr(path_start);
  url->path.clear();
  request.headers = headers;
  http::UpstreamCall call(http::ClientTimeouts{std::chrono::seconds(2), std::chrono::seconds(3),
                                               std::chrono::seconds(3)});
  if (auto failure = co_await call.start(*url, std::move(request))) {
    co_return core::Error::unavailable(url_text + ": " + failure.message);
  }
  Answer answer;
  answer.status = call.status();
  if (auto failure = co_await call.read_all(answer.body, kMaxAnswerBytes)) {
    co_return core::Error::unavailable(url_text + ": " + failure.message);
  }
  if (answer.status / 100 != 2) {
    co_return core::Error::unavailable(url_text + ": HTTP " + std::to_string(answer.status));
  }
  co_return answer;
}

awaitable<core::Result<RoleCredentialsAnswer>> fetch_from_container(const Source& source) {
  http::Headers headers;
  std::string token = source.container_token;
  if (!source.container_token_file.empty()) token = read_token_file(source.container_token_file);
  if (!token.empty()) headers.set("Authorization", token);
  const std::string method = "GET";
  auto answer = co_await fetch(source.container_url, method, headers);
  if (!answer) co_return answer.take_error();
  co_return parse_role_credentials(answer->body);
}

awaitable<core::Result<RoleCredentialsAnswer>> fetch_from_instance(const Source& source) {
  // IMDSv2: a session token first, then the role's name, then its credentials.
  http::Headers token_headers;
  token_headers.set("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  const std::string token_url = source.imds_url + "/latest/api/token";
  const std::string put = "PUT";
  const std::string get = "GET";
  auto token = co_await fetch(token_url, put, token_headers);
  if (!token) co_return token.take_error();
  const std::string roles_url = source.imds_url + "/latest/meta-data/iam/security-credentials/";
  http::Headers role_headers;
  role_headers.set("X-aws-ec2-metadata-token", token->body);
  auto roles = co_await fetch(roles_url, get, role_headers);
  if (!roles) co_return roles.take_error();
  std::string role = roles->body.substr(0, roles->body.find('\n'));
  if (role.empty()) co_return core::Error::unavailable("the instance has no IAM role");
  const std::string credentials_url = roles_url + role;
  auto credentials = co_await fetch(credentials_url, get, role_headers);
  if (!credentials) co_return credentials.take_error();
  co_return parse_role_credentials(credentials->body);
}

// Runs on the State's own io_context, which the State outlives: a plain pointer, so that the
// coroutine (kept by the io_context) does not keep the State alive.
awaitable<void> keep_fresh(RoleCredentials::State* state) {
  net::steady_timer timer(co_await net::this_coro::executor);
  for (;;) {
    core::Result<RoleCredentialsAnswer> answer = core::Error::unavailable("not fetched");
    if (!state->source.container_url.empty()) {
      answer = co_await fetch_from_container(state->source);
    } else {
      answer = co_await fetch_from_instance(state->source);
    }
    std::chrono::milliseconds delay = kRetryAfterFailure;
    {
      std::lock_guard lock(state->mutex);
      if (answer) {
        state->credentials = std::make_shared<const AwsCredentials>(answer->credentials);
        state->error.clear();
        delay = refresh_delay(answer->expires_at, Clock::now());
      } else {
        // Credentials still valid stay in use until they expire; the error is logged.
        state->error = answer.error().message;
      }
      state->first_fetch_done = true;
    }
    state->fetched.notify_all();
    if (!answer) {
      LLMGATE_LOG_WARN("bedrock: fetching the role's credentials failed (again in {} s): {}",
                       kRetryAfterFailure.count(), answer.error().message);
    }
    timer.expires_after(delay);
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace

RoleCredentials::RoleCredentials(std::shared_ptr<State> state) : state_(std::move(state)) {}

RoleCredentials::~RoleCredentials() {
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::shared_ptr<RoleCredentials> RoleCredentials::shared(const EnvironmentLookup& environment) {
  static std::mutex mutex;
  static std::weak_ptr<RoleCredentials> existing;
  std::lock_guard lock(mutex);
  if (auto alive = existing.lock()) return alive;
  auto state = std::make_shared<State>();
  state->source = source_from(environment);
  net::co_spawn(state->io, keep_fresh(state.get()), net::detached);
  state->thread = std::thread([raw = state.get()] {
    core::name_this_thread("llmgate-awscred");
    raw->io.run();
  });
  std::shared_ptr<RoleCredentials> created(new RoleCredentials(std::move(state)));
  existing = created;
  return created;
}

core::Result<std::shared_ptr<const AwsCredentials>> RoleCredentials::current() const {
  std::lock_guard lock(state_->mutex);
  if (state_->credentials) return state_->credentials;
  return core::Error::unavailable("the AWS credentials of the gateway's role are not available: " +
                                  state_->error);
}

void RoleCredentials::wait_for_first_fetch(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  state_->fetched.wait_for(lock, timeout, [this] { return state_->first_fetch_done; });
}

}  // namespace providers::bedrock
