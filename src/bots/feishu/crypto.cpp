#include "bots/feishu/crypto.hpp"

#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/api_key.hpp"
#include "core/base64.hpp"

namespace bots::feishu {
namespace {

constexpr std::size_t kBlock = 16;

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  return core::base64_decode(text);
}

std::optional<std::string> decrypt_event(std::string_view encrypt_key,
                                         std::string_view encrypted_base64) {
  auto data = decode_base64(encrypted_base64);
  // The IV and at least one block of ciphertext, in whole blocks.
  if (!data || data->size() < 2 * kBlock || data->size() % kBlock != 0) return std::nullopt;
  unsigned char key[EVP_MAX_MD_SIZE];
  unsigned int key_length = 0;
  if (EVP_Digest(encrypt_key.data(), encrypt_key.size(), key, &key_length, EVP_sha256(), nullptr) !=
      1) {
    return std::nullopt;
  }
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> context(EVP_CIPHER_CTX_new());
  if (!context) return std::nullopt;
  const auto* iv = reinterpret_cast<const unsigned char*>(data->data());
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_cbc(), nullptr, key, iv) != 1) {
    return std::nullopt;
  }
  const auto* cipher_text = iv + kBlock;
  const int cipher_length = static_cast<int>(data->size() - kBlock);
  std::string plain(static_cast<std::size_t>(cipher_length) + kBlock, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  int written = 0;
  if (EVP_DecryptUpdate(context.get(), out, &written, cipher_text, cipher_length) != 1) {
    return std::nullopt;
  }
  int final_written = 0;
  // Checks and removes the PKCS#7 padding: a wrong key fails here (almost always).
  if (EVP_DecryptFinal_ex(context.get(), out + written, &final_written) != 1) {
    return std::nullopt;
  }
  plain.resize(static_cast<std::size_t>(written + final_written));
  return plain;
}

std::string request_signature(std::string_view timestamp, std::string_view nonce,
                              std::string_view encrypt_key, std::string_view body) {
  std::string content;
  content.reserve(timestamp.size() + nonce.size() + encrypt_key.size() + body.size());
  content.append(timestamp).append(nonce).append(encrypt_key).append(body);
  return core::sha256_hex(content);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bots::feishu
