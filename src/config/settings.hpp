#pragma once
// Settings of `llmgate serve`. Sources, highest first: command-line flags, LLMGATE_*
// environment variables, the TOML file named by --config / LLMGATE_CONFIG, defaults.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace config {

enum class LogFormat { kText, kJson };

struct Settings {
  std::string listen_host = "0.0.0.0";
  std::uint16_t listen_port = 8866;
  std::string database = "sqlite://./data/llmgate.db";
  std::string admin_key;  // empty: generate one on first start
  bool store_content = true;
  bool store_media =
      true;  // inline images, audio and files in the records (records/inline_media.hpp)
  std::string timezone = "UTC";
  std::uint64_t max_body_bytes = 32ull * 1024 * 1024;
  std::uint32_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds upstream_connect_timeout{10'000};
  std::chrono::milliseconds upstream_first_byte_timeout{120'000};
  std::chrono::milliseconds upstream_idle_timeout{300'000};
  std::chrono::milliseconds client_timeout{30'000};
  std::chrono::milliseconds keepalive_timeout{75'000};
  std::chrono::milliseconds shutdown_grace{30'000};
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;
  std::string feishu_base_url = "https://open.feishu.cn";
  // Feishu messages answered at once, over all bots; beyond, the webhook answers 503.
  unsigned feishu_max_in_flight = 64;
  std::chrono::seconds clock_offset{0};
  std::string upstream_ca_file;      // extra CAs for upstream HTTPS, PEM
  bool image_fetch_private = false;  // image URLs may point at private addresses
  // SQLite commits wait for fsync (true: survive power loss) or only for the OS (false:
  // survive a crash of the process, kill -9 included). docs/operations.md, "Durability".
  bool sqlite_flush_commits = true;
  unsigned threads = 0;     // I/O threads; 0 means one per core
  std::string config_file;  // the TOML file the settings were read from, if any

  bool operator==(const Settings&) const = default;
};

// One row per setting, used by --help, the README table and validation.
struct SettingInfo {
  std::string name;  // TOML key and flag name, e.g. "max_body" -> --max-body
  std::string env;   // e.g. "LLMGATE_MAX_BODY"
  std::string default_text;
  std::string description;
};
// The first row is "config" (--config / LLMGATE_CONFIG), which names the TOML file and
// cannot itself be set inside it.
const std::vector<SettingInfo>& setting_table();
// The command-line flag of a setting: "max_body" -> "--max-body".
std::string flag_name(std::string_view setting_name);

// Merge the sources. `flags` maps setting names (TOML form, "max_body") to the raw text
// given on the command line; `env` maps environment variable names to values (pass the
// real environment in production, a fixed map in tests). The TOML file is the one named by
// flags["config"], else env["LLMGATE_CONFIG"], else none.
// Errors name the setting and its source, e.g. "LLMGATE_MAX_BODY: not a size: 'abc'".
core::Result<Settings> load_settings(const std::map<std::string, std::string>& flags,
                                     const std::map<std::string, std::string>& env);

// The process environment as a map (only LLMGATE_* entries).
std::map<std::string, std::string> process_environment();

// The directory that holds a sqlite:// database file ("./data" for the default); empty for
// other databases. admin.key is written there.
std::string data_directory(const Settings& settings);

}  // namespace config
