#include "config/settings.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <unistd.h>

namespace config {
namespace {

using Map = std::map<std::string, std::string>;

// Each test writes its TOML files into a directory of its own, removed afterwards.
class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("llmgate-settings-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_file(const std::string& content, const std::string& name = "llmgate.toml") {
    auto path = dir_ / name;
    std::ofstream(path) << content;
    return path.string();
  }

  // The error message of a load that must fail.
  static std::string error_of(const Map& flags, const Map& env) {
    auto result = load_settings(flags, env);
    EXPECT_FALSE(result.ok());
    if (result.ok()) return {};
    EXPECT_EQ(result.error().kind, core::ErrorKind::kBadRequest);
    return result.error().message;
  }

  std::filesystem::path dir_;
};

TEST_F(SettingsTest, DefaultsWithoutAnySource) {
  auto settings = load_settings({}, {});
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(*settings, Settings{});
  EXPECT_EQ(settings->listen_host, "0.0.0.0");
  EXPECT_EQ(settings->listen_port, 8866);
  EXPECT_EQ(settings->max_body_bytes, 32u * 1024 * 1024);
  EXPECT_TRUE(settings->config_file.empty());
}

TEST_F(SettingsTest, EachLevelBeatsTheOnesBelow) {
  auto file = write_file(
      "listen = \"127.0.0.1:1001\"\nlog = \"debug\"\nthreads = 3\n"
      "max_body = \"1MiB\"\n");
  Map env = {
      {"LLMGATE_CONFIG", file}, {"LLMGATE_LISTEN", "127.0.0.1:1002"}, {"LLMGATE_LOG", "warn"}};
  Map flags = {{"listen", "127.0.0.1:1003"}};

  auto settings = load_settings(flags, env);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen_port, 1003);             // flag beats env and file
  EXPECT_EQ(settings->log_level, "warn");             // env beats file
  EXPECT_EQ(settings->threads, 3u);                   // file beats default
  EXPECT_EQ(settings->max_body_bytes, 1024u * 1024);  // file beats default
  EXPECT_EQ(settings->max_header_bytes, 64u * 1024);  // default when nobody sets it
  EXPECT_EQ(settings->config_file, file);

  flags.clear();
  settings = load_settings(flags, env);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen_port, 1002);  // env beats file

  env.erase("LLMGATE_LISTEN");
  settings = load_settings(flags, env);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen_port, 1001);  // file beats default
}

TEST_F(SettingsTest, ConfigFlagBeatsConfigEnv) {
  auto from_env = write_file("threads = 1\n", "env.toml");
  auto from_flag = write_file("threads = 2\n", "flag.toml");
  auto settings = load_settings({{"config", from_flag}}, {{"LLMGATE_CONFIG", from_env}});
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->threads, 2u);
  EXPECT_EQ(settings->config_file, from_flag);
}

TEST_F(SettingsTest, EveryEnvironmentVariableIsRead) {
  Map env = {{"LLMGATE_LISTEN", "[::1]:80"},
             {"LLMGATE_DATABASE", "postgresql://u:p@db:5432/llmgate"},
             {"LLMGATE_ADMIN_KEY", "br-admin"},
             {"LLMGATE_STORE_CONTENT", "no"},
             {"LLMGATE_TIMEZONE", "Asia/Shanghai"},
             {"LLMGATE_MAX_BODY", "16MiB"},
             {"LLMGATE_MAX_HEADER", "8KiB"},
             {"LLMGATE_UPSTREAM_CONNECT_TIMEOUT", "500ms"},
             {"LLMGATE_UPSTREAM_FIRST_BYTE_TIMEOUT", "2m"},
             {"LLMGATE_UPSTREAM_IDLE_TIMEOUT", "1h"},
             {"LLMGATE_CLIENT_TIMEOUT", "5"},
             {"LLMGATE_KEEPALIVE_TIMEOUT", "6s"},
             {"LLMGATE_SHUTDOWN_GRACE", "7s"},
             {"LLMGATE_LOG", "ERROR"},
             {"LLMGATE_LOG_FORMAT", "json"},
             {"LLMGATE_FEISHU_BASE_URL", "http://127.0.0.1:9999/"},
             {"LLMGATE_FEISHU_MAX_IN_FLIGHT", "3"},
             {"LLMGATE_CLOCK_OFFSET", "-86400"},
             {"LLMGATE_SQLITE_SYNCHRONOUS", "normal"},
             {"LLMGATE_THREADS", "4"}};
  auto settings = load_settings({}, env);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  using std::chrono::milliseconds;
  EXPECT_EQ(settings->listen_host, "::1");
  EXPECT_EQ(settings->listen_port, 80);
  EXPECT_EQ(settings->database, "postgresql://u:p@db:5432/llmgate");
  EXPECT_EQ(settings->admin_key, "br-admin");
  EXPECT_FALSE(settings->store_content);
  EXPECT_EQ(settings->timezone, "Asia/Shanghai");
  EXPECT_EQ(settings->max_body_bytes, 16u << 20);
  EXPECT_EQ(settings->max_header_bytes, 8u << 10);
  EXPECT_EQ(settings->upstream_connect_timeout, milliseconds(500));
  EXPECT_EQ(settings->upstream_first_byte_timeout, milliseconds(120'000));
  EXPECT_EQ(settings->upstream_idle_timeout, milliseconds(3'600'000));
  EXPECT_EQ(settings->client_timeout, milliseconds(5'000));
  EXPECT_EQ(settings->keepalive_timeout, milliseconds(6'000));
  EXPECT_EQ(settings->shutdown_grace, milliseconds(7'000));
  EXPECT_EQ(settings->log_level, "error");
  EXPECT_EQ(settings->log_format, LogFormat::kJson);
  EXPECT_EQ(settings->feishu_base_url, "http://127.0.0.1:9999");
  EXPECT_EQ(settings->feishu_max_in_flight, 3u);
  EXPECT_EQ(settings->clock_offset, std::chrono::seconds(-86400));
  EXPECT_FALSE(settings->sqlite_flush_commits);
  EXPECT_EQ(settings->threads, 4u);
}

TEST_F(SettingsTest, EmptyEnvironmentVariableCountsAsUnset) {
  auto settings = load_settings({}, {{"LLMGATE_LISTEN", ""}, {"LLMGATE_TIMEZONE", ""}});
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen_port, 8866);
  EXPECT_EQ(settings->timezone, "UTC");
}

TEST_F(SettingsTest, FlagsAcceptDashedNames) {
  auto settings = load_settings({{"max-body", "2KiB"}}, {});
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->max_body_bytes, 2048u);
}

TEST_F(SettingsTest, TomlFileTakesNativeTypes) {
  auto file = write_file(R"(# comment
listen = "127.0.0.1:0"
max_body = 1048576
max_header = "16 KiB"
store_content = false
upstream_connect_timeout = 3
upstream_idle_timeout = "250ms"
clock_offset = -60
log_format = "json"
)");
  auto settings = load_settings({{"config", file}}, {});
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen_port, 0);
  EXPECT_EQ(settings->max_body_bytes, 1048576u);
  EXPECT_EQ(settings->max_header_bytes, 16u * 1024);
  EXPECT_FALSE(settings->store_content);
  EXPECT_EQ(settings->upstream_connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(settings->upstream_idle_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(settings->clock_offset, std::chrono::seconds(-60));
  EXPECT_EQ(settings->log_format, LogFormat::kJson);
}

TEST_F(SettingsTest, BadValuesNameTheSettingAndSource) {
  EXPECT_EQ(
      error_of({}, {{"LLMGATE_MAX_BODY", "abc"}}).rfind("LLMGATE_MAX_BODY: not a size: 'abc'", 0),
      0u);
  EXPECT_EQ(error_of({{"listen", "nope"}}, {}).rfind("--listen: ", 0), 0u);
  EXPECT_EQ(error_of({{"store_content", "maybe"}}, {}).rfind("--store-content: ", 0), 0u);
  EXPECT_EQ(error_of({}, {{"LLMGATE_LOG", "loud"}}).rfind("LLMGATE_LOG: ", 0), 0u);
  EXPECT_EQ(error_of({}, {{"LLMGATE_THREADS", "-1"}}).rfind("LLMGATE_THREADS: ", 0), 0u);
  EXPECT_EQ(error_of({}, {{"LLMGATE_SQLITE_SYNCHRONOUS", "off"}}),
            "LLMGATE_SQLITE_SYNCHRONOUS: not a SQLite synchronous mode: 'off' (full, normal)");
  EXPECT_EQ(error_of({}, {{"LLMGATE_CLIENT_TIMEOUT", "0"}}).rfind("LLMGATE_CLIENT_TIMEOUT: ", 0),
            0u);

  auto file = write_file("max_body = \"lots\"\n");
  EXPECT_EQ(error_of({{"config", file}}, {}), file +
                                                  ": max_body: not a size: 'lots' (use bytes "
                                                  "or a suffix such as 64KiB, 32MiB, 10MB)");

  auto result = load_settings({}, {{"LLMGATE_SHUTDOWN_GRACE", "soon"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "shutdown_grace");
}

TEST_F(SettingsTest, DatabaseErrorsDoNotEchoPasswords) {
  auto message = error_of({}, {{"LLMGATE_DATABASE", "mysql://root:secret@db/x"}});
  EXPECT_EQ(message.rfind("LLMGATE_DATABASE: ", 0), 0u);
  EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

TEST_F(SettingsTest, WrongTomlTypeIsAnError) {
  auto file = write_file("listen = 8866\n");
  EXPECT_EQ(error_of({{"config", file}}, {}), file + ": listen: expected a string, got an integer");
  file = write_file("upstream_idle_timeout = 1.5\n");
  EXPECT_EQ(error_of({{"config", file}}, {}),
            file +
                ": upstream_idle_timeout: expected an integer or a string, got a "
                "floating-point number");
}

TEST_F(SettingsTest, UnknownTomlKeyIsNamed) {
  auto file = write_file("listen = \"0.0.0.0:1\"\nmax-body = \"1MiB\"\n");
  auto message = error_of({{"config", file}}, {});
  EXPECT_EQ(message, file + ": unknown setting 'max-body' (did you mean 'max_body'?)");

  file = write_file("frobnicate = 1\n");
  EXPECT_EQ(error_of({{"config", file}}, {}), file + ": unknown setting 'frobnicate'");

  // The file is named by --config; it cannot name another file.
  file = write_file("config = \"other.toml\"\n");
  EXPECT_EQ(error_of({{"config", file}}, {}), file + ": unknown setting 'config'");
}

TEST_F(SettingsTest, MissingOrBrokenFileIsAnError) {
  auto missing = (dir_ / "absent.toml").string();
  EXPECT_EQ(error_of({{"config", missing}}, {}), missing + ": no such file");
  EXPECT_EQ(error_of({}, {{"LLMGATE_CONFIG", missing}}), missing + ": no such file");

  auto broken = write_file("listen = \n");
  auto message = error_of({{"config", broken}}, {});
  EXPECT_EQ(message.rfind(broken + ":1:", 0), 0u) << message;
}

TEST_F(SettingsTest, UnknownFlagIsAnError) {
  EXPECT_EQ(error_of({{"bogus", "1"}}, {}), "--bogus: unknown setting");
}

TEST_F(SettingsTest, SettingTableDefaultsMatchTheStruct) {
  std::set<std::string> names;
  for (const auto& row : setting_table()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_EQ(
        row.env, "LLMGATE_" + [&] {
          std::string upper = row.name;
          for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          return upper;
        }());
    EXPECT_FALSE(row.description.empty()) << row.name;
    if (row.name == "config" || row.default_text.empty()) continue;
    // Feeding each default back in as a flag must give the built-in defaults.
    auto settings = load_settings({{row.name, row.default_text}}, {});
    ASSERT_TRUE(settings.ok()) << row.name << ": " << settings.error().message;
    EXPECT_EQ(*settings, Settings{}) << row.name;
  }
  EXPECT_EQ(setting_table().front().name, "config");
  EXPECT_TRUE(names.contains("listen"));
  EXPECT_TRUE(names.contains("threads"));
  EXPECT_TRUE(names.contains("feishu_max_in_flight"));
  EXPECT_TRUE(names.contains("store_media"));
  EXPECT_EQ(names.size(), 24u);
}

TEST_F(SettingsTest, FlagName) {
  EXPECT_EQ(flag_name("max_body"), "--max-body");
  EXPECT_EQ(flag_name("listen"), "--listen");
}

TEST_F(SettingsTest, DataDirectory) {
  Settings settings;
  EXPECT_EQ(data_directory(settings), "./data");
  settings.database = "sqlite:///var/lib/llmgate/gate.db";
  EXPECT_EQ(data_directory(settings), "/var/lib/llmgate");
  settings.database = "sqlite://gate.db";
  EXPECT_EQ(data_directory(settings), ".");
  settings.database = "sqlite://./x/gate.db?mode=rwc";
  EXPECT_EQ(data_directory(settings), "./x");
  settings.database = "postgresql://u:p@localhost:5432/db";
  EXPECT_EQ(data_directory(settings), "");
}

TEST_F(SettingsTest, ProcessEnvironmentKeepsOnlyLlmgateVariables) {
  ::setenv("LLMGATE_TEST_ONLY_VARIABLE", "a=b", 1);
  auto env = process_environment();
  ::unsetenv("LLMGATE_TEST_ONLY_VARIABLE");
  EXPECT_EQ(env["LLMGATE_TEST_ONLY_VARIABLE"], "a=b");
  for (const auto& [name, value] : env) EXPECT_TRUE(name.starts_with("LLMGATE_")) << name;
}

}  // namespace
}  // namespace config
