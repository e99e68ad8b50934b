#include "providers/registry.hpp"

#include "providers/bedrock_converse/bedrock_converse.hpp"
#include "providers/openai_compatible/openai_compatible.hpp"

namespace providers {

void Registry::add(std::unique_ptr<Provider> provider) {
  providers_.push_back(std::move(provider));
}

const Provider* Registry::find(std::string_view name) const {
  for (const auto& provider : providers_) {
    if (provider->name() == name) return provider.get();
  }
  return nullptr;
}

std::vector<std::string_view> Registry::names() const {
  std::vector<std::string_view> names;
  for (const auto& provider : providers_) names.push_back(provider->name());
  return names;
}

Registry make_default_registry() {
  Registry registry;
  registry.add(std::make_unique<OpenAiCompatibleProvider>());
  registry.add(std::make_unique<BedrockConverseProvider>());
  return registry;
}

}  // namespace providers
