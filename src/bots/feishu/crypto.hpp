#pragma once
// Feishu's event security: the body of an app with an Encrypt Key is {"encrypt": base64},
// AES-256-CBC with key SHA-256(encrypt key), the IV the first 16 bytes of the decoded data,
// PKCS#7 padding; and every event request carries X-Lark-Signature, the hex SHA-256 of
// X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt key + the raw body.

#include <optional>
#include <string>
#include <string_view>

namespace bots::feishu {

// The plaintext, or nullopt when the data is not base64, too short, or does not decrypt
// with this key (bad padding).
std::optional<std::string> decrypt_event(std::string_view encrypt_key,
                                         std::string_view encrypted_base64);

// Lower-case hex SHA-256 of timestamp + nonce + encrypt_key + body.
std::string request_signature(std::string_view timestamp, std::string_view nonce,
                              std::string_view encrypt_key, std::string_view body);

// Compares in time independent of where the texts differ.
bool constant_time_equals(std::string_view a, std::string_view b);

// Standard base64 (with padding); nullopt on any other character or a bad length.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace bots::feishu
