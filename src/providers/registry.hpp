#pragma once
// Provider name -> implementation. The composition root builds one with every provider.

#include <memory>
#include <string_view>
#include <vector>

#include "providers/provider.hpp"

namespace providers {

class Registry {
 public:
  void add(std::unique_ptr<Provider> provider);
  const Provider* find(std::string_view name) const;
  std::vector<std::string_view> names() const;

 private:
  std::vector<std::unique_ptr<Provider>> providers_;
};

// Every provider this build knows.
Registry make_default_registry();

}  // namespace providers
