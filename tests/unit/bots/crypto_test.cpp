// Decryption and signatures against Feishu's own examples: the "test key" / "hello world"
// vector from the "receive events" guide (the same one its SDKs test against), the
// encrypted schema 2.0 event from the official Go SDK's dispatcher tests, and the
// documented signature formula sha256_hex(timestamp + nonce + encrypt_key + body), pinned
// against a value computed outside this code (`printf ... | sha256sum`).

#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <boost/json/parse.hpp>

#include "bots/feishu/crypto.hpp"
#include "bots/feishu/event.hpp"

namespace bots::feishu {
namespace {

constexpr const char* kDocumentedKey = "test key";
constexpr const char* kDocumentedCipher = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=";

// larksuite/oapi-sdk-go, event/dispatcher/dispatcher_test.go (TestDecryptEvent).
constexpr const char* kSdkKey = "1212121212";
constexpr const char* kSdkCipher =
    "bZ3L7yh6m3Fkuffl4g+3uGjIHnhOm5fVZbKVuyT8t7tcd5ABMYm8l28/X900ZL3knZ7n+sCREu/H2WnIzft0amC7+"
    "xWqNH8o25IU63N4BnZWfHh+4hyG76QPd19vkw2bPJCx9aqxK8Nz+xqFNbk0RdgyWhmgd30jSxHtcQXAllkI7FMpGpOC"
    "teJad3bLXPDBQIV/xkCtKICCS7Z63gakpxZCLaRZ3qCXP1fapHh+LBIupxenrU6ysc7I3nHmjmKie41IiWwS5puG4zQ"
    "HhVbq6KWLcgWm/3NBZOPQy53ucMu75SXA55I7jarVLZXWUcqBGrcgE3vouWbtwgZuzmoTQl0GSh5VYSVvpW992BuGxU"
    "Wj0XjPYdICJm6Cr7xouNXwMcdb7N8caVdkdSZeEnswG19qSyDoQhklwzNGW0yiaayulBqJNjfge/G5V3401c2XaIuAeE"
    "Io+QQ4RSNpRGfnHkbu/j55FGQAGWjpuBNaIwZbaUoVP3NkGP+vM5rpEDe3sL2GN+Xsd+g9yBs7FqdMV8mXTGgLjCqjr"
    "Prke5/km76Q3Pe6KPs2YexMRG4MkSx3xUTzZnNn7zIzShPcjeSwBd2pxk6ht5N+fzueZdxl6Oo=";

TEST(FeishuCryptoTest, DecryptsTheDocumentedExample) {
  auto plain = decrypt_event(kDocumentedKey, kDocumentedCipher);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, "hello world");
}

TEST(FeishuCryptoTest, DecryptsTheSdkEventIntoAnEnvelope) {
  auto plain = decrypt_event(kSdkKey, kSdkCipher);
  ASSERT_TRUE(plain.has_value());
  auto value = boost::json::parse(*plain);
  const auto& header = value.at("header").as_object();
  EXPECT_EQ(header.at("event_id").as_string(), "f7984f25108f8137722bb63cee927e66");
  EXPECT_EQ(header.at("event_type").as_string(), "contact.user.created_v3");
  EXPECT_EQ(header.at("token").as_string(), "v");
  EXPECT_EQ(value.at("event").at("object").at("name").as_string(), "张三");
}

TEST(FeishuCryptoTest, RefusesAWrongKey) {
  EXPECT_FALSE(decrypt_event("other key", kDocumentedCipher).has_value());
  EXPECT_FALSE(decrypt_event("", kSdkCipher).has_value());
}

TEST(FeishuCryptoTest, RefusesMalformedData) {
  EXPECT_FALSE(decrypt_event(kDocumentedKey, "").has_value());
  EXPECT_FALSE(decrypt_event(kDocumentedKey, "not base64!").has_value());
  EXPECT_FALSE(decrypt_event(kDocumentedKey, "P37w+VZImNgPEO1RBhJ6Rt").has_value());  // length
  // Only an IV, no ciphertext.
  EXPECT_FALSE(decrypt_event(kDocumentedKey, "AAAAAAAAAAAAAAAAAAAAAA==").has_value());
  // An IV and a block and a half.
  EXPECT_FALSE(
      decrypt_event(kDocumentedKey, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
          .has_value());
}

TEST(FeishuCryptoTest, DecodesBase64) {
  EXPECT_EQ(decode_base64("aGVsbG8gd29ybGQ="), "hello world");
  EXPECT_EQ(decode_base64("aGk="), "hi");
  EXPECT_EQ(decode_base64("aGV5"), "hey");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("aGk").has_value());
  EXPECT_FALSE(decode_base64("a-k=").has_value());  // base64url is not what Feishu sends
}

// Encrypts as Feishu does (a test-side copy of the scheme, written with OpenSSL directly).
std::string encrypt_like_feishu(const std::string& key, const std::string& plain,
                                const std::string& iv) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr);
  EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(context, EVP_aes_256_cbc(), nullptr, digest,
                     reinterpret_cast<const unsigned char*>(iv.data()));
  std::string out(plain.size() + 32, '\0');
  int written = 0;
  int final_written = 0;
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  EVP_EncryptUpdate(context, bytes, &written, reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(context, bytes + written, &final_written);
  EVP_CIPHER_CTX_free(context);
  out.resize(static_cast<std::size_t>(written + final_written));
  std::string data = iv + out;
  std::string encoded(4 * ((data.size() + 2) / 3) + 1, '\0');
  int encoded_length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                       reinterpret_cast<const unsigned char*>(data.data()),
                                       static_cast<int>(data.size()));
  encoded.resize(static_cast<std::size_t>(encoded_length));
  return encoded;
}

TEST(FeishuCryptoTest, RoundTripsAMessageEvent) {
  const std::string event =
      R"({"schema":"2.0","header":{"event_id":"e1","event_type":"im.message.receive_v1",)"
      R"("token":"tok"},"event":{"message":{"message_id":"om_1","chat_id":"oc_1",)"
      R"("chat_type":"p2p","message_type":"text","content":"{\"text\":\"你好\"}"}}})";
  for (std::size_t extra = 0; extra < 20; ++extra) {
    std::string plain = event + std::string(extra, ' ');  // every padding length
    auto encrypted = encrypt_like_feishu("s3cret", plain, "0123456789abcdef");
    auto decrypted = decrypt_event("s3cret", encrypted);
    ASSERT_TRUE(decrypted.has_value()) << extra;
    EXPECT_EQ(*decrypted, plain);
  }
  auto envelope = parse_envelope(boost::json::parse(
      *decrypt_event("s3cret", encrypt_like_feishu("s3cret", event, "fedcba9876543210"))));
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->event_id, "e1");
}

TEST(FeishuCryptoTest, SignsTimestampNonceKeyAndBody) {
  const std::string body = R"({"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="})";
  // printf '%s' '1700000000c0a8fb2etest key{"encrypt":"P37w+...ghk="}' | sha256sum
  EXPECT_EQ(request_signature("1700000000", "c0a8fb2e", kDocumentedKey, body),
            "aab711529df72521fab8c67eee984d29bd849d3420e4507707ea52a530801706");
  // printf '%s' 'timestampnonce1212121212{"encrypt":"x"}' | sha256sum (the Go SDK's shape)
  EXPECT_EQ(request_signature("timestamp", "nonce", kSdkKey, R"({"encrypt":"x"})"),
            "679111441c6446b99aca421c1cd9e9bfdd488a8918e8b75a47c13177cfeeaa9b");
  // Every part counts, including one changed byte of the body.
  auto base = request_signature("1700000000", "c0a8fb2e", kDocumentedKey, body);
  EXPECT_NE(request_signature("1700000001", "c0a8fb2e", kDocumentedKey, body), base);
  EXPECT_NE(request_signature("1700000000", "c0a8fb2f", kDocumentedKey, body), base);
  EXPECT_NE(request_signature("1700000000", "c0a8fb2e", "test kez", body), base);
  EXPECT_NE(request_signature("1700000000", "c0a8fb2e", kDocumentedKey, body + " "), base);
}

TEST(FeishuCryptoTest, ComparesWithoutShortcuts) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
  EXPECT_FALSE(constant_time_equals("", "a"));
}

}  // namespace
}  // namespace bots::feishu
