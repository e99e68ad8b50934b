#pragma once
// `llmgate serve [settings]`, `llmgate version`, `llmgate --help`.

namespace app {

int run_command_line(int argc, char** argv);

}  // namespace app
