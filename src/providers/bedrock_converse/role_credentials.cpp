#include "providers/bedrock_converse/role_credentials.hpp"

#include <atomic>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/thread_name.hpp"
#include "http/client/name_lookup.hpp"
#include "http/client/upstream_call.hpp"
#include "http/client/url.hpp"
#include "telemetry/log.hpp"

namespace providers::bedrock {

namespace net = boost::asio;
using net::awaitable;
using Clock = std::chrono::system_clock;

namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
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
  std::string web_identity_token_file;  // set: STS AssumeRoleWithWebIdentity, else…
  std::string role_arn;
  std::string role_session_name;  // empty: "llmgate-<unix time>" at each fetch
  std::string sts_url;
  std::string container_url;         // …set: the container endpoint, else IMDSv2
  std::string container_token;       // Authorization for it, or…
  std::string container_token_file;  // …read from this file each time (EKS rotates it)
  std::string imds_url;
};

// The regional endpoint, as the SDKs use by default now (`region`, else AWS_REGION or
// AWS_DEFAULT_REGION); the global one without a region. Without a trailing '/'.
std::string sts_url_from(const EnvironmentLookup& environment, std::string region_given = {}) {
  std::string url;
  std::optional<std::string> region;
  if (!region_given.empty()) region = std::move(region_given);
  if (!region) region = non_empty(environment, "AWS_REGION");
  if (!region) region = non_empty(environment, "AWS_DEFAULT_REGION");
  if (auto sts = non_empty(environment, "AWS_ENDPOINT_URL_STS")) {
    url = *sts;
  } else if (auto any = non_empty(environment, "AWS_ENDPOINT_URL")) {
    url = *any;
  } else if (!region) {
    url = "https://sts.amazonaws.com";
  } else {
    const bool china = region->starts_with("cn-");
    url = "https://sts." + *region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Source source_from(const EnvironmentLookup& environment) {
  Source source;
  auto token_file = non_empty(environment, "AWS_WEB_IDENTITY_TOKEN_FILE");
  auto role_arn = non_empty(environment, "AWS_ROLE_ARN");
  if (token_file && role_arn) {
    source.web_identity_token_file = *token_file;
    source.role_arn = *role_arn;
    source.role_session_name = non_empty(environment, "AWS_ROLE_SESSION_NAME").value_or("");
    source.sts_url = sts_url_from(environment);
  }
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

}  // namespace

// Shared by the RoleCredentials object and its thread's coroutine.
struct RoleCredentials::State {
  Source source;
  std::optional<AssumeRoleRequest> assume;  // set: STS AssumeRole instead of `source`
  std::string assume_sts_url;
  std::string what = "the AWS credentials of the gateway's role";
  mutable std::mutex mutex;
  std::shared_ptr<const AwsCredentials> credentials;
  Clock::time_point expires_at;
  std::string error = "the first fetch has not ended yet";
  // Read on every request of such a model (Endpoint::waiting_for_credentials): no lock.
  std::atomic<bool> first_fetch_done{false};
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

struct Prepared {
  http::Url url;
  http::OutgoingRequest request;
};

core::Result<Prepared> prepare(const std::string& url_text, const std::string& method,
                               const http::Headers& headers, const std::string& body) {
  auto url = http::parse_url(url_text);
  if (!url) return core::Error::unavailable(url_text + ": " + url.error().message);
  Prepared prepared{std::move(*url), {}};
  prepared.request.method = method;
  // The path exactly as given: Url drops a trailing '/', which the metadata service's
  // listing of roles needs.
  const auto scheme_end = url_text.find("://");
  const auto path_start =
      scheme_end == std::string::npos ? std::string::npos : url_text.find('/', scheme_end + 3);
  prepared.request.target = path_start == std::string::npos ? "/" : url_text.substr(path_start);
  prepared.url.path.clear();
  prepared.request.headers = headers;
  prepared.request.body = body;
  return prepared;
}

// The answer whatever its status. Coroutines take class-type parameters by reference
// (docs/architecture.md, GCC 12).
awaitable<core::Result<Answer>> exchange(Prepared& prepared, const std::string& url_text) {
  http::UpstreamCall call(http::ClientTimeouts{std::chrono::seconds(2), std::chrono::seconds(3),
                                               std::chrono::seconds(3)});
  if (auto failure = co_await call.start(prepared.url, std::move(prepared.request))) {
    co_return core::Error::unavailable(url_text + ": " + failure.message);
  }
  Answer answer;
  answer.status = call.status();
  if (auto failure = co_await call.read_all(answer.body, kMaxAnswerBytes)) {
    co_return core::Error::unavailable(url_text + ": " + failure.message);
  }
  co_return answer;
}

awaitable<core::Result<Answer>> fetch_any(const std::string& url_text, const std::string& method,
                                          const http::Headers& headers, const std::string& body) {
  auto prepared = prepare(url_text, method, headers, body);
  if (!prepared) co_return prepared.take_error();
  co_return co_await exchange(*prepared, url_text);
}

// A body-less request whose answer must be a 2xx.
awaitable<core::Result<Answer>> fetch(const std::string& url_text, const std::string& method,
                                      const http::Headers& headers) {
  const std::string no_body;
  auto answer = co_await fetch_any(url_text, method, headers, no_body);
  if (answer && answer->status / 100 != 2) {
    co_return core::Error::unavailable(url_text + ": HTTP " + std::to_string(answer->status));
  }
  co_return answer;
}

awaitable<core::Result<RoleCredentialsAnswer>> fetch_with_web_identity(const Source& source) {
  // Read at every fetch: Kubernetes rotates the projected token.
  const std::string token = read_token_file(source.web_identity_token_file);
  if (token.empty()) {
    co_return core::Error::unavailable("the web identity token file '" +
                                       source.web_identity_token_file +
                                       "' (AWS_WEB_IDENTITY_TOKEN_FILE) is missing or empty");
  }
  std::string session_name = source.role_session_name;
  if (session_name.empty()) {
    session_name = "llmgate-" + std::to_string(Clock::to_time_t(Clock::now()));
  }
  // Unsigned: the token is the proof. In the body, not the URL, so that it is never logged.
  const std::string body =
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + uri_encode(source.role_arn) +
      "&RoleSessionName=" + uri_encode(session_name) + "&WebIdentityToken=" + uri_encode(token);
  http::Headers headers;
  headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  const std::string url = source.sts_url + "/";
  const std::string post = "POST";
  auto answer = co_await fetch_any(url, post, headers, body);
  if (!answer) co_return answer.take_error();
  co_return parse_sts_answer("AssumeRoleWithWebIdentity", answer->status, answer->body);
}

// STS AssumeRole, signed (SigV4, service "sts") with the base credentials as they are now.
awaitable<core::Result<RoleCredentialsAnswer>> fetch_assumed(const AssumeRoleRequest& assume,
                                                             const std::string& sts_url) {
  std::shared_ptr<const AwsCredentials> keys;
  if (assume.base) {
    auto current = assume.base->current();
    if (!current) co_return current.take_error();
    keys = std::move(*current);
  } else {
    keys = std::make_shared<const AwsCredentials>(assume.base_keys);
  }
  std::string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + uri_encode(assume.role_arn) +
                     "&RoleSessionName=" + uri_encode(assume.session_name) +
                     "&DurationSeconds=3600";
  if (!assume.external_id.empty()) body += "&ExternalId=" + uri_encode(assume.external_id);
  http::Headers headers;
  headers.set("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  const std::string url = sts_url + "/";
  const std::string post = "POST";
  auto prepared = prepare(url, post, headers, body);
  if (!prepared) co_return prepared.take_error();
  sign_outgoing_request(prepared->request, prepared->url.host_header(), prepared->request.target,
                        *keys, assume.region, "sts", Clock::now());
  auto answer = co_await exchange(*prepared, url);
  if (!answer) co_return answer.take_error();
  co_return parse_sts_answer("AssumeRole", answer->status, answer->body);
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
    if (state->assume) {
      // Signed with the gateway's role: its first fetch, started at the same moment, ends
      // first (else this one would fail and wait kRetryAfterFailure for nothing).
      const RoleCredentials* base = state->assume->base.get();
      for (int polls = 0; base != nullptr && !base->first_fetch_done() && polls < 2000; ++polls) {
        timer.expires_after(std::chrono::milliseconds(5));
        auto [waited] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (waited) co_return;
      }
      answer = co_await fetch_assumed(*state->assume, state->assume_sts_url);
    } else if (!state->source.web_identity_token_file.empty()) {
      answer = co_await fetch_with_web_identity(state->source);
    } else if (!state->source.container_url.empty()) {
      answer = co_await fetch_from_container(state->source);
    } else {
      answer = co_await fetch_from_instance(state->source);
    }
    if (answer && answer->expires_at <= Clock::now()) {
      answer = core::Error::unavailable(
          "the credentials fetched had expired already (is this machine's clock right?)");
    }
    std::chrono::milliseconds delay = kRetryAfterFailure;
    {
      std::lock_guard lock(state->mutex);
      if (answer) {
        state->credentials = std::make_shared<const AwsCredentials>(answer->credentials);
        state->expires_at = answer->expires_at;
        state->error.clear();
        delay = refresh_delay(answer->expires_at, Clock::now());
      } else {
        // Credentials still valid stay in use until they expire; the error is logged.
        state->error = answer.error().message;
      }
      state->first_fetch_done.store(true, std::memory_order_release);
    }
    if (!answer) {
      LLMGATE_LOG_WARN("bedrock: fetching {} failed (again in {} s): {}", state->what,
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
  http::abandon_name_lookups(state_->io);
}

std::shared_ptr<RoleCredentials> RoleCredentials::start(std::shared_ptr<State> state) {
  net::co_spawn(state->io, keep_fresh(state.get()), net::detached);
  state->thread = std::thread([raw = state.get()] {
    core::name_this_thread("llmgate-awscred");
    raw->io.run();
  });
  return std::shared_ptr<RoleCredentials>(new RoleCredentials(std::move(state)));
}

std::shared_ptr<RoleCredentials> RoleCredentials::shared(const EnvironmentLookup& environment) {
  static std::mutex mutex;
  static std::weak_ptr<RoleCredentials> existing;
  std::lock_guard lock(mutex);
  if (auto alive = existing.lock()) return alive;
  auto state = std::make_shared<State>();
  state->source = source_from(environment);
  auto created = start(std::move(state));
  existing = created;
  return created;
}

std::shared_ptr<RoleCredentials> RoleCredentials::assumed(AssumeRoleRequest request,
                                                          const EnvironmentLookup& environment) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<RoleCredentials>> existing;
  std::string sts_url = sts_url_from(environment, request.region);
  // Everything that makes the answer differ; the base keys only in memory, never logged.
  std::string identity = request.role_arn + '\n' + request.session_name + '\n' +
                         request.external_id + '\n' + request.region + '\n' + sts_url + '\n';
  if (request.base) {
    identity += std::to_string(reinterpret_cast<std::uintptr_t>(request.base.get()));
  } else {
    identity += request.base_keys.access_key_id + '\n' + request.base_keys.secret_access_key +
                '\n' + request.base_keys.session_token;
  }
  std::lock_guard lock(mutex);
  std::erase_if(existing, [](const auto& entry) { return entry.second.expired(); });
  if (auto alive = existing[identity].lock()) return alive;
  auto state = std::make_shared<State>();
  state->what = "the credentials of role " + request.role_arn;
  state->assume = std::move(request);
  state->assume_sts_url = std::move(sts_url);
  auto created = start(std::move(state));
  existing[identity] = created;
  return created;
}

core::Result<std::shared_ptr<const AwsCredentials>> RoleCredentials::current() const {
  std::lock_guard lock(state_->mutex);
  // Expired credentials are not handed out: AWS would refuse them less clearly.
  if (state_->credentials && Clock::now() < state_->expires_at) return state_->credentials;
  if (state_->credentials) {
    return core::Error::unavailable(state_->what +
                                    " expired and could not be renewed: " + state_->error);
  }
  return core::Error::unavailable(state_->what + " are not available: " + state_->error);
}

bool RoleCredentials::first_fetch_done() const {
  return state_->first_fetch_done.load(std::memory_order_acquire);
}

}  // namespace providers::bedrock
