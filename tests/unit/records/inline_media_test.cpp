// Inline images, audio and files in a record's whole prompt: kept by default; with
// LLMGATE_STORE_MEDIA=false each becomes a note of its type, size and SHA-256, and nothing
// else of the messages changes.

#include "records/inline_media.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/api_key.hpp"
#include "core/base64.hpp"

namespace records {
namespace {

namespace json = boost::json;

std::string bytes_of(std::size_t size, char seed) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(seed + i * 7);
  return bytes;
}

json::array messages_with(const std::string& image_url, const std::string& audio,
                          const std::string& file_data) {
  json::array messages;
  messages.push_back({{"role", "system"}, {"content", "be brief"}});
  json::array parts;
  parts.push_back({{"type", "text"}, {"text", "what is in these?"}});
  parts.push_back({{"type", "image_url"}, {"image_url", {{"url", image_url}, {"detail", "low"}}}});
  parts.push_back({{"type", "input_audio"}, {"input_audio", {{"data", audio}, {"format", "wav"}}}});
  parts.push_back({{"type", "file"}, {"file", {{"filename", "a.pdf"}, {"file_data", file_data}}}});
  messages.push_back({{"role", "user"}, {"content", parts}});
  return messages;
}

TEST(InlineMediaTest, KeptByDefaultAndWhenThereIsNone) {
  const std::string image = "data:image/png;base64," + core::base64_encode(bytes_of(3000, 1));
  const auto messages = messages_with(image, core::base64_encode(bytes_of(2000, 2)),
                                      "data:application/pdf;base64,AAAA");
  EXPECT_EQ(whole_prompt_text(messages, true), json::serialize(messages));
  json::array plain;
  plain.push_back({{"role", "user"}, {"content", "hello"}});
  EXPECT_EQ(whole_prompt_text(plain, false), json::serialize(plain));
}

TEST(InlineMediaTest, LargeInlineDataBecomesANoteAndTheRestStays) {
  const std::string png = bytes_of(3000, 1);
  const std::string wav = bytes_of(2000, 2);
  const std::string pdf = bytes_of(5000, 3);
  const auto messages =
      messages_with("data:image/png;base64," + core::base64_encode(png), core::base64_encode(wav),
                    "data:application/pdf;base64," + core::base64_encode(pdf));
  const json::value stored = json::parse(whole_prompt_text(messages, false));

  json::value expected(messages);
  auto& parts = expected.at(1).at("content").as_array();
  parts[1].at("image_url").at("url") =
      "[not stored: image/png, 3000 bytes, sha256 " + core::sha256_hex(png) + "]";
  parts[2].at("input_audio").at("data") =
      "[not stored: audio, 2000 bytes, sha256 " + core::sha256_hex(wav) + "]";
  parts[3].at("file").at("file_data") =
      "[not stored: application/pdf, 5000 bytes, sha256 " + core::sha256_hex(pdf) + "]";
  EXPECT_EQ(stored, expected);
}

TEST(InlineMediaTest, SmallDataLinksAndTextThatLooksLikeDataStay) {
  const std::string tiny = "data:image/gif;base64," + core::base64_encode(bytes_of(60, 4));
  const std::string link = "https://example.com/" + std::string(2000, 'a') + ".png";
  const std::string sse_log = "data: {\"choices\":[]}\n\n" + std::string(2000, 'x');
  json::array messages;
  json::array parts;
  parts.push_back({{"type", "image_url"}, {"image_url", {{"url", tiny}}}});
  parts.push_back({{"type", "image_url"}, {"image_url", {{"url", link}}}});
  parts.push_back({{"type", "text"}, {"text", sse_log}});
  messages.push_back({{"role", "user"}, {"content", parts}});
  messages.push_back({{"role", "assistant"}, {"content", sse_log}});
  EXPECT_EQ(whole_prompt_text(messages, false), json::serialize(messages));
}

TEST(InlineMediaTest, TheNoteReadsTheDataUrl) {
  // Not base64: the characters themselves are counted and hashed; no type: RFC 2397's.
  const std::string text(1500, 'z');
  EXPECT_EQ(inline_media_note("data:," + text, ""),
            "[not stored: text/plain, 1500 bytes, sha256 " + core::sha256_hex(text) + "]");
  EXPECT_EQ(inline_media_note("data:image/jpeg;name=a.jpg;base64,@@@@", ""),
            "[not stored: image/jpeg, 4 bytes, sha256 " + core::sha256_hex("@@@@") + "]");
}

}  // namespace
}  // namespace records
