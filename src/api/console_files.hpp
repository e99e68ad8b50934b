#pragma once
// The console's files (web/), built into the binary (cmake/embed_web.cmake).

#include <span>
#include <string_view>

namespace api {

struct ConsoleFile {
  std::string_view name;  // "index.html", "console.js", …
  std::string_view content_type;
  std::string_view body;
};

std::span<const ConsoleFile> console_files();

}  // namespace api
