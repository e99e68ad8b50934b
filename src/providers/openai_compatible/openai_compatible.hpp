#pragma once
// Provider "openai-compatible": OpenAI's own API and everything that speaks it (vLLM,
// llama.cpp server, Ollama's /v1, DeepSeek ...). Config: baseUrl, apiKey?, model?,
// headers?, maxTokens?.

#include "providers/provider.hpp"

namespace providers {

class OpenAiCompatibleProvider final : public Provider {
 public:
  std::string_view name() const override { return "openai-compatible"; }
  core::Result<std::shared_ptr<const Endpoint>> configure(
      const boost::json::object& config, std::string_view model_name) const override;
  std::vector<std::string> secret_keys() const override { return {"apiKey"}; }
};

}  // namespace providers
