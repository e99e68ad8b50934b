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
  auto messages = messages_with(image, core::base64_encode(bytes_of(2000, 2)),
                                "data:application/pdf;base64,AAAA");
  const std::string sent = json::serialize(messages);
  EXPECT_EQ(whole_prompt_text(messages, true), sent);
  json::array plain;
  plain.push_back({{"role", "user"}, {"content", "hello"}});
  const std::string plain_sent = json::serialize(plain);
  EXPECT_EQ(whole_prompt_text(plain, false), plain_sent);
}

TEST(InlineMediaTest, LargeInlineDataBecomesANoteAndTheRestStays) {
  const std::string png = bytes_of(3000, 1);
  const std::string wav = bytes_of(2000, 2);
  const std::string pdf = bytes_of(5000, 3);
  auto messages =
      messages_with("data:image/png;base64," + core::base64_encode(png), core::base64_encode(wav),
                    "data:application/pdf;base64," + core::base64_encode(pdf));
  json::value expected(messages);
  const json::value stored = json::parse(whole_prompt_text(messages, false));

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
  const std::string sent = json::serialize(messages);
  EXPECT_EQ(whole_prompt_text(messages, false), sent);
}

// The image_url part's value given as a string (the gateway takes it so too).
TEST(InlineMediaTest, AnImageUrlGivenAsAStringIsInlineDataToo) {
  const std::string png = bytes_of(3000, 5);
  json::array messages;
  json::array parts;
  parts.push_back(
      {{"type", "image_url"}, {"image_url", "data:image/png;base64," + core::base64_encode(png)}});
  messages.push_back({{"role", "user"}, {"content", parts}});
  const json::value stored = json::parse(whole_prompt_text(messages, false));
  EXPECT_EQ(std::string_view(stored.at(0).at("content").at(0).at("image_url").as_string()),
            "[not stored: image/png, 3000 bytes, sha256 " + core::sha256_hex(png) + "]");
}

// Base64 as clients write it decodes to the same bytes: wrapped at 76 columns, unpadded,
// URL-safe, ";BASE64".
TEST(InlineMediaTest, TheNoteDecodesBase64AsClientsWriteIt) {
  const std::string png = bytes_of(3000, 1);
  const std::string expected =
      "[not stored: image/png, 3000 bytes, sha256 " + core::sha256_hex(png) + "]";
  const std::string plain = core::base64_encode(png);
  std::string wrapped;
  for (std::size_t i = 0; i < plain.size(); i += 76) wrapped += plain.substr(i, 76) + "\n";
  std::string url_safe = plain;
  for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  const std::string unpadded = plain.substr(0, plain.find('='));
  for (const std::string& text : {plain, wrapped, url_safe, unpadded}) {
    EXPECT_EQ(inline_media_note("data:image/png;base64," + text, ""), expected);
  }
  EXPECT_EQ(inline_media_note("data:image/png;BASE64," + plain, ""), expected);
  EXPECT_EQ(inline_media_note(plain, "audio"),
            "[not stored: audio, 3000 bytes, sha256 " + core::sha256_hex(png) + "]");
}

TEST(InlineMediaTest, TextThatIsNotBase64IsMeasuredAsText) {
  // Not base64 (no type: RFC 2397's text/plain), or broken: the text is counted and hashed,
  // and the note says so.
  const std::string text(1500, 'z');
  EXPECT_EQ(inline_media_note("data:," + text, ""),
            "[not stored: text/plain, 1500 characters of text, sha256 of the text " +
                core::sha256_hex(text) + "]");
  EXPECT_EQ(inline_media_note("data:image/jpeg;name=a.jpg;base64,@@@@", ""),
            "[not stored: image/jpeg, 4 characters of text, sha256 of the text " +
                core::sha256_hex("@@@@") + "]");
  EXPECT_EQ(inline_media_note("data:image/svg+xml", ""),
            "[not stored: image/svg+xml, 0 characters of text, sha256 of the text " +
                core::sha256_hex("") + "]");
}

}  // namespace
}  // namespace records
