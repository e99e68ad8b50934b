#include "config/settings.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "config/toml_file.hpp"
#include "config/value_parsers.hpp"
#include "core/ascii.hpp"

extern char** environ;

namespace config {
namespace {

// Which TOML types a setting takes besides a string (strings are always read as text).
enum class ValueKind { kText, kBoolean, kInteger };

using Apply = std::function<core::Status(Settings&, std::string_view)>;

struct SettingSpec {
  SettingInfo info;
  ValueKind kind;
  Apply apply;  // empty for "config", which is read before everything else
};

constexpr std::string_view kConfigName = "config";
constexpr std::string_view kConfigEnv = "LLMGATE_CONFIG";

core::Error error(std::string message) { return core::Error::bad_request(std::move(message)); }

core::Status apply_listen(Settings& settings, std::string_view text) {
  auto address = parse_listen(text);
  if (!address) return address.take_error();
  settings.listen_host = std::move(address->host);
  settings.listen_port = address->port;
  return core::Ok{};
}

core::Status apply_database(Settings& settings, std::string_view text) {
  if (text.starts_with("sqlite://")) {
    if (text.size() == std::string_view("sqlite://").size()) {
      return error("sqlite:// needs a file path, e.g. sqlite://./data/llmgate.db");
    }
  } else if (!text.starts_with("postgresql://") && !text.starts_with("postgres://")) {
    // Only the scheme is echoed: the rest of a database URL may hold a password.
    auto scheme = text.substr(0, std::min(text.find("://"), std::size_t{16}));
    return error(
        fmt::format("unsupported database '{}...' (use sqlite://<path> or "
                    "postgresql://user:pass@host:port/db)",
                    scheme));
  }
  settings.database = std::string(text);
  return core::Ok{};
}

core::Status apply_feishu_base_url(Settings& settings, std::string_view text) {
  if (!text.starts_with("http://") && !text.starts_with("https://")) {
    return error(fmt::format("not an http(s) URL: '{}'", text));
  }
  // Paths are appended as "/open-apis/...", so a trailing slash would double up.
  while (text.ends_with('/')) text.remove_suffix(1);
  settings.feishu_base_url = std::string(text);
  return core::Ok{};
}

core::Status apply_log_level(Settings& settings, std::string_view text) {
  std::string level = core::ascii_lower(text);
  for (std::string_view known : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (level == known) {
      settings.log_level = std::move(level);
      return core::Ok{};
    }
  }
  return error(fmt::format("not a log level: '{}' (trace, debug, info, warn, error, off)", text));
}

core::Status apply_log_format(Settings& settings, std::string_view text) {
  if (text == "text" || text == "TEXT") {
    settings.log_format = LogFormat::kText;
  } else if (text == "json" || text == "JSON") {
    settings.log_format = LogFormat::kJson;
  } else {
    return error(fmt::format("not a log format: '{}' (text, json)", text));
  }
  return core::Ok{};
}

core::Status apply_sqlite_synchronous(Settings& settings, std::string_view text) {
  if (text == "full" || text == "FULL") {
    settings.sqlite_flush_commits = true;
  } else if (text == "normal" || text == "NORMAL") {
    settings.sqlite_flush_commits = false;
  } else {
    return error(fmt::format("not a SQLite synchronous mode: '{}' (full, normal)", text));
  }
  return core::Ok{};
}

Apply text_setting(std::string Settings::*member) {
  return [member](Settings& settings, std::string_view text) -> core::Status {
    settings.*member = std::string(text);
    return core::Ok{};
  };
}

Apply non_empty_setting(std::string Settings::*member) {
  return [member](Settings& settings, std::string_view text) -> core::Status {
    if (text.empty()) return error("must not be empty");
    settings.*member = std::string(text);
    return core::Ok{};
  };
}

Apply duration_setting(std::chrono::milliseconds Settings::*member) {
  return [member](Settings& settings, std::string_view text) -> core::Status {
    auto duration = parse_duration(text);
    if (!duration) return duration.take_error();
    settings.*member = *duration;
    return core::Ok{};
  };
}

Apply bool_setting(bool Settings::*member) {
  return [member](Settings& settings, std::string_view text) -> core::Status {
    auto value = parse_bool(text);
    if (!value) return value.take_error();
    settings.*member = *value;
    return core::Ok{};
  };
}

core::Status apply_max_body(Settings& settings, std::string_view text) {
  auto size = parse_size(text);
  if (!size) return size.take_error();
  settings.max_body_bytes = *size;
  return core::Ok{};
}

core::Status apply_max_header(Settings& settings, std::string_view text) {
  auto size = parse_size(text);
  if (!size) return size.take_error();
  // Below 1 KiB ordinary requests (a bearer key plus a few headers) would be refused.
  if (*size < 1024 || *size > std::numeric_limits<std::uint32_t>::max()) {
    return error(fmt::format("out of range: '{}' (allowed 1KiB to 4GiB)", text));
  }
  settings.max_header_bytes = static_cast<std::uint32_t>(*size);
  return core::Ok{};
}

core::Status apply_clock_offset(Settings& settings, std::string_view text) {
  constexpr std::int64_t kHundredYears = 100ll * 366 * 24 * 3600;
  auto seconds = parse_integer(text, -kHundredYears, kHundredYears);
  if (!seconds) return seconds.take_error();
  settings.clock_offset = std::chrono::seconds(*seconds);
  return core::Ok{};
}

core::Status apply_feishu_max_in_flight(Settings& settings, std::string_view text) {
  auto messages = parse_integer(text, 1, 100'000);
  if (!messages) return messages.take_error();
  settings.feishu_max_in_flight = static_cast<unsigned>(*messages);
  return core::Ok{};
}

core::Status apply_threads(Settings& settings, std::string_view text) {
  auto threads = parse_integer(text, 0, 1024);
  if (!threads) return threads.take_error();
  settings.threads = static_cast<unsigned>(*threads);
  return core::Ok{};
}

const std::vector<SettingSpec>& specs() {
  using K = ValueKind;
  static const std::vector<SettingSpec> table = {
      {{"config", "LLMGATE_CONFIG", "", "TOML file with settings (keys are the setting names)"},
       K::kText,
       {}},
      {{"listen", "LLMGATE_LISTEN", "0.0.0.0:8866",
        "address to listen on: host:port or [ipv6]:port; port 0 picks a free port"},
       K::kText,
       apply_listen},
      {{"database", "LLMGATE_DATABASE", "sqlite://./data/llmgate.db",
        "sqlite://<path> or postgresql://user:pass@host:port/db"},
       K::kText,
       apply_database},
      {{"admin_key", "LLMGATE_ADMIN_KEY", "",
        "bootstrap admin key; when unset and none exists, one is generated and written to "
        "<data dir>/admin.key"},
       K::kText,
       text_setting(&Settings::admin_key)},
      {{"store_content", "LLMGATE_STORE_CONTENT", "true",
        "keep prompts and completions; false keeps tokens, cost and timings only"},
       K::kBoolean,
       bool_setting(&Settings::store_content)},
      {{"store_media", "LLMGATE_STORE_MEDIA", "true",
        "keep images sent inline (base64 data: URLs) in the records' whole prompt; false "
        "stores their type, size and SHA-256 instead"},
       K::kBoolean,
       bool_setting(&Settings::store_media)},
      {{"timezone", "LLMGATE_TIMEZONE", "UTC", "time zone in which a quota month starts"},
       K::kText,
       non_empty_setting(&Settings::timezone)},
      {{"max_body", "LLMGATE_MAX_BODY", "32MiB",
        "largest request body; larger ones get 413 (bytes or KiB/MiB/GiB/KB/MB/GB)"},
       K::kInteger,
       apply_max_body},
      {{"max_header", "LLMGATE_MAX_HEADER", "64KiB", "largest request header block"},
       K::kInteger,
       apply_max_header},
      {{"upstream_connect_timeout", "LLMGATE_UPSTREAM_CONNECT_TIMEOUT", "10s",
        "time to connect to a provider (seconds or 500ms/10s/5m/1h)"},
       K::kInteger,
       duration_setting(&Settings::upstream_connect_timeout)},
      {{"upstream_first_byte_timeout", "LLMGATE_UPSTREAM_FIRST_BYTE_TIMEOUT", "120s",
        "time from sending a request to a provider until its first byte"},
       K::kInteger,
       duration_setting(&Settings::upstream_first_byte_timeout)},
      {{"upstream_idle_timeout", "LLMGATE_UPSTREAM_IDLE_TIMEOUT", "300s",
        "longest silence inside a provider's streamed answer"},
       K::kInteger,
       duration_setting(&Settings::upstream_idle_timeout)},
      {{"client_timeout", "LLMGATE_CLIENT_TIMEOUT", "30s",
        "time for a client to send a request's header and body"},
       K::kInteger,
       duration_setting(&Settings::client_timeout)},
      {{"keepalive_timeout", "LLMGATE_KEEPALIVE_TIMEOUT", "75s",
        "idle time before a kept-alive client connection is closed"},
       K::kInteger,
       duration_setting(&Settings::keepalive_timeout)},
      {{"shutdown_grace", "LLMGATE_SHUTDOWN_GRACE", "30s",
        "on SIGTERM/SIGINT, how long in-flight requests may take to finish"},
       K::kInteger,
       duration_setting(&Settings::shutdown_grace)},
      {{"log", "LLMGATE_LOG", "info", "log level: trace, debug, info, warn, error, off"},
       K::kText,
       apply_log_level},
      {{"log_format", "LLMGATE_LOG_FORMAT", "text", "log format: text or json"},
       K::kText,
       apply_log_format},
      {{"feishu_base_url", "LLMGATE_FEISHU_BASE_URL", "https://open.feishu.cn",
        "base URL of the Feishu (Lark) open platform"},
       K::kText,
       apply_feishu_base_url},
      {{"feishu_max_in_flight", "LLMGATE_FEISHU_MAX_IN_FLIGHT", "64",
        "Feishu messages answered at once, over all bots (1-100000); beyond, the webhook "
        "answers 503 and Feishu resends later"},
       K::kInteger,
       apply_feishu_max_in_flight},
      {{"clock_offset", "LLMGATE_CLOCK_OFFSET", "0",
        "seconds (may be negative) added to the wall clock for months, timestamps and token "
        "expiry; for tests"},
       K::kInteger,
       apply_clock_offset},
      {{"upstream_ca_file", "LLMGATE_UPSTREAM_CA_FILE", "",
        "PEM file of extra certificate authorities trusted for upstream HTTPS (besides the "
        "system store)"},
       K::kText,
       text_setting(&Settings::upstream_ca_file)},
      {{"image_fetch_private", "LLMGATE_IMAGE_FETCH_PRIVATE", "false",
        "allow fetching https image URLs from private, loopback and link-local addresses"},
       K::kBoolean,
       bool_setting(&Settings::image_fetch_private)},
      {{"sqlite_synchronous", "LLMGATE_SQLITE_SYNCHRONOUS", "full",
        "full: a SQLite commit (a charge) waits for the disk and survives power loss; normal: "
        "it survives a crash or kill -9 of the gateway but not of the machine, and answers "
        "sooner"},
       K::kText,
       apply_sqlite_synchronous},
      {{"threads", "LLMGATE_THREADS", "0", "I/O threads; 0 means one per core"},
       K::kInteger,
       apply_threads},
  };
  return table;
}

std::string normalize_name(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

const SettingSpec* find_spec(std::string_view name) {
  for (const auto& spec : specs()) {
    if (spec.info.name == name) return &spec;
  }
  return nullptr;
}

// For a mistyped key: "max-body", "MAX_BODY" or "LLMGATE_MAX_BODY" all mean max_body.
std::string suggestion(std::string_view key) {
  std::string guess = core::ascii_lower(normalize_name(key));
  if (guess.starts_with("llmgate_")) guess.erase(0, 8);
  const SettingSpec* spec = find_spec(guess);
  if (spec == nullptr || spec->info.name == kConfigName) return {};
  return fmt::format(" (did you mean '{}'?)", guess);
}

core::Status apply_with_source(const SettingSpec& spec, Settings& settings, std::string_view text,
                               std::string_view source) {
  auto status = spec.apply(settings, text);
  if (status) return status;
  auto failure = status.take_error();
  failure.message = fmt::format("{}: {}", source, failure.message);
  failure.field = spec.info.name;
  return failure;
}

core::Status apply_file(Settings& settings, const std::string& path) {
  auto entries = read_toml_file(path);
  if (!entries) return entries.take_error();
  for (const auto& entry : *entries) {
    const SettingSpec* spec = find_spec(entry.key);
    if (spec == nullptr || !spec->apply) {
      return core::Error::bad_request(
          fmt::format("{}: unknown setting '{}'{}", path, entry.key, suggestion(entry.key)),
          entry.key);
    }
    auto source = fmt::format("{}: {}", path, entry.key);
    bool type_ok = entry.type == TomlType::kString ||
                   (entry.type == TomlType::kInteger && spec->kind == ValueKind::kInteger) ||
                   (entry.type == TomlType::kBoolean && spec->kind == ValueKind::kBoolean);
    if (!type_ok) {
      const char* expected = spec->kind == ValueKind::kInteger   ? "an integer or a string"
                             : spec->kind == ValueKind::kBoolean ? "a boolean"
                                                                 : "a string";
      std::string got = entry.type == TomlType::kInteger   ? "an integer"
                        : entry.type == TomlType::kBoolean ? "a boolean"
                                                           : entry.text;
      return core::Error::bad_request(fmt::format("{}: expected {}, got {}", source, expected, got),
                                      spec->info.name);
    }
    if (auto status = apply_with_source(*spec, settings, entry.text, source); !status) {
      return status;
    }
  }
  return core::Ok{};
}

}  // namespace

const std::vector<SettingInfo>& setting_table() {
  static const std::vector<SettingInfo> table = [] {
    std::vector<SettingInfo> rows;
    for (const auto& spec : specs()) rows.push_back(spec.info);
    return rows;
  }();
  return table;
}

std::string flag_name(std::string_view setting_name) {
  std::string flag = "--" + std::string(setting_name);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

core::Result<Settings> load_settings(const std::map<std::string, std::string>& flags,
                                     const std::map<std::string, std::string>& env) {
  Settings settings;

  // The file comes first: its values are the lowest-precedence source apart from defaults.
  std::string config_path;
  std::string config_source;
  if (auto flag = flags.find(std::string(kConfigName)); flag != flags.end()) {
    config_path = flag->second;
    config_source = flag_name(kConfigName);
  } else if (auto var = env.find(std::string(kConfigEnv)); var != env.end()) {
    config_path = var->second;
    config_source = kConfigEnv;
  }
  if (!config_source.empty()) {
    if (config_path.empty()) {
      return core::Error::bad_request(fmt::format("{}: empty file name", config_source),
                                      std::string(kConfigName));
    }
    if (auto status = apply_file(settings, config_path); !status) return status.take_error();
    settings.config_file = config_path;
  }

  // An empty variable counts as unset, as `LLMGATE_X=${X}` in a compose file often yields.
  for (const auto& spec : specs()) {
    if (!spec.apply) continue;
    auto var = env.find(spec.info.env);
    if (var == env.end() || var->second.empty()) continue;
    if (auto status = apply_with_source(spec, settings, var->second, spec.info.env); !status) {
      return status.take_error();
    }
  }

  for (const auto& [name, text] : flags) {
    const SettingSpec* spec = find_spec(normalize_name(name));
    if (spec == nullptr) {
      return core::Error::bad_request(fmt::format("{}: unknown setting", flag_name(name)), name);
    }
    if (!spec->apply) continue;
    if (auto status = apply_with_source(*spec, settings, text, flag_name(spec->info.name));
        !status) {
      return status.take_error();
    }
  }
  return settings;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto equals = text.find('=');
    if (equals == std::string_view::npos || !text.starts_with("LLMGATE_")) continue;
    result.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return result;
}

std::string data_directory(const Settings& settings) {
  constexpr std::string_view kScheme = "sqlite://";
  std::string_view database = settings.database;
  if (!database.starts_with(kScheme)) return {};
  auto path = database.substr(kScheme.size());
  path = path.substr(0, path.find('?'));  // sqlite URI parameters are not part of the path
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace config
