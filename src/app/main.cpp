// llmgate: read the command line, then run the chosen command.
#include "app/command_line.hpp"

int main(int argc, char** argv) { return app::run_command_line(argc, argv); }
