#include "app/bootstrap_admin.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/api_key.hpp"
#include "telemetry/log.hpp"

namespace app {
namespace {

constexpr std::size_t kMinAdminKeyLength = 16;

core::Status write_key_file(const std::string& directory, const std::string& key) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  auto path = std::filesystem::path(directory) / "admin.key";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return core::Error::internal("writing " + path.string() + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // also when the file existed with wider permissions
  std::string line = key + "\n";
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return core::Error::internal("writing " + path.string() + " failed");
  return core::Ok{};
}

}  // namespace

core::Status bootstrap_admin_key(const config::Settings& settings, store::Store& store) {
  if (!settings.admin_key.empty()) {
    if (settings.admin_key.size() < kMinAdminKeyLength) {
      return core::Error::bad_request("LLMGATE_ADMIN_KEY: must be at least 16 characters",
                                      "admin_key");
    }
    auto hash = core::hash_api_key(settings.admin_key);
    if (store.find_key_by_hash(hash)) return core::Ok{};
    store::NewKey key;
    key.name = "admin";
    key.role = store::Role::kAdmin;
    key.key_hash = hash;
    key.key_hint = core::mask_api_key(settings.admin_key);
    auto inserted = store.insert_key(key);
    if (!inserted) {
      // Another gateway on the same database registered it at the same moment.
      if (inserted.error().kind == core::ErrorKind::kConflict) return core::Ok{};
      return inserted.take_error();
    }
    LLMGATE_LOG_INFO("registered the admin key from LLMGATE_ADMIN_KEY ({})", key.key_hint);
    return core::Ok{};
  }
  if (store.has_admin_key()) return core::Ok{};

  auto plain = core::generate_api_key();
  store::NewKey key;
  key.name = "admin";
  key.role = store::Role::kAdmin;
  key.key_hash = core::hash_api_key(plain);
  key.key_hint = core::mask_api_key(plain);
  auto inserted = store.insert_key(key);
  if (!inserted) return inserted.take_error();
  std::cerr << "llmgate: created the first admin key (shown only now): " << plain << "\n";
  if (auto directory = config::data_directory(settings); !directory.empty()) {
    auto written = write_key_file(directory, plain);
    if (!written) return written;
    std::cerr << "llmgate: the admin key is also in "
              << (std::filesystem::path(directory) / "admin.key").string() << " (mode 0600)\n";
  }
  return core::Ok{};
}

}  // namespace app
