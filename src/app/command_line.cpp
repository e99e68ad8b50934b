#include "app/command_line.hpp"

#include <iostream>
#include <map>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/serve.hpp"
#include "config/settings.hpp"

namespace app {

int run_command_line(int argc, char** argv) {
  CLI::App cli{"llmgate: an OpenAI-compatible LLM API gateway with keys, quotas and records"};
  cli.require_subcommand(1);
  auto* version = cli.add_subcommand("version", "Print the version and exit");
  auto* serve = cli.add_subcommand(
      "serve",
      "Run the gateway. Every setting is also read from LLMGATE_* variables and the TOML file");

  std::map<std::string, std::string> values;
  std::vector<std::pair<std::string, CLI::Option*>> options;
  for (const auto& setting : config::setting_table()) {
    auto description =
        setting.description + " [env " + setting.env + ", default " + setting.default_text + "]";
    options.emplace_back(setting.name, serve->add_option(config::flag_name(setting.name),
                                                         values[setting.name], description));
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return cli.exit(error);
  }
  if (version->parsed()) {
    std::cout << "llmgate " << LLMGATE_VERSION << "\n";
    return 0;
  }
  std::map<std::string, std::string> flags;
  for (const auto& [name, option] : options) {
    if (option->count() > 0) flags[name] = values[name];
  }
  auto settings = config::load_settings(flags, config::process_environment());
  if (!settings) {
    std::cerr << "llmgate: " << settings.error().message << "\n";
    return 2;
  }
  return serve_gateway(*settings);
}

}  // namespace app
