// The event stream decoder on AWS's own frames (encoded by @smithy/eventstream-codec: the
// all_headers, empty_message and payload_one_str_header vectors of the AWS SDKs' shared
// test suite), on corrupt, truncated and oversized frames, and on every split of a stream.
#include "providers/bedrock_converse/event_stream.hpp"

#include <gtest/gtest.h>

#include "bedrock_event_stream_frames.hpp"

namespace providers::bedrock {
namespace {

using testing::event_frame;
using testing::frame;
using testing::from_hex;
using testing::put_big_endian;
using testing::string_header;

const std::string kAllHeaders = from_hex(
    "000000cc000000af0fae64ca0a6576656e742d74797065040000a00c0c636f6e74656e742d74797065070010"
    "6170706c69636174696f6e2f6a736f6e0a626f6f6c2066616c73650109626f6f6c207472756500046279746502"
    "cf08627974652062756606001449276d2061206c6974746c6520746561706f74210974696d657374616d700800"
    "00000000845fed05696e74313603002a05696e7436340500000000028757b20475756964090102030405060708"
    "090a0b0c0d0e0f107b27666f6f273a27626172277daba5f10c");
const std::string kEmptyMessage = from_hex("000000100000000005c248eb7d98c8ff");
const std::string kOneStringHeader = from_hex(
    "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b"
    "27666f6f273a27626172277d8d9c08b1");

std::vector<EventMessage> decode_ok(EventStreamDecoder& decoder, std::string_view bytes) {
  std::vector<EventMessage> messages;
  auto error = decoder.feed(bytes, messages);
  EXPECT_FALSE(error) << *error;
  return messages;
}

std::optional<std::string> decode_error(std::string_view bytes) {
  EventStreamDecoder decoder;
  std::vector<EventMessage> messages;
  auto error = decoder.feed(bytes, messages);
  EXPECT_TRUE(messages.empty());
  return error;
}

const EventHeader& header(const EventMessage& message, std::string_view name) {
  for (const auto& entry : message.headers) {
    if (entry.name == name) return entry;
  }
  ADD_FAILURE() << "no header " << name;
  static const EventHeader kNone;
  return kNone;
}

TEST(EventStream, Crc32IsTheGzipCrc) { EXPECT_EQ(crc32("123456789"), 0xCBF43926u); }

TEST(EventStream, DecodesEveryHeaderType) {
  EventStreamDecoder decoder;
  auto messages = decode_ok(decoder, kAllHeaders);
  ASSERT_EQ(messages.size(), 1u);
  const auto& message = messages[0];
  EXPECT_EQ(message.payload, "{'foo':'bar'}");
  ASSERT_EQ(message.headers.size(), 10u);

  EXPECT_EQ(header(message, "event-type").type, HeaderType::kInteger);
  EXPECT_EQ(std::get<std::int64_t>(header(message, "event-type").value), 40972);
  EXPECT_EQ(message.string_header("content-type"), "application/json");
  EXPECT_EQ(std::get<bool>(header(message, "bool false").value), false);
  EXPECT_EQ(header(message, "bool false").type, HeaderType::kBoolFalse);
  EXPECT_EQ(std::get<bool>(header(message, "bool true").value), true);
  EXPECT_EQ(std::get<std::int64_t>(header(message, "byte").value), -49);
  EXPECT_EQ(header(message, "byte buf").type, HeaderType::kByteArray);
  EXPECT_EQ(std::get<std::string>(header(message, "byte buf").value), "I'm a little teapot!");
  EXPECT_EQ(header(message, "timestamp").type, HeaderType::kTimestamp);
  EXPECT_EQ(std::get<std::int64_t>(header(message, "timestamp").value), 8675309);
  EXPECT_EQ(header(message, "int16").type, HeaderType::kShort);
  EXPECT_EQ(std::get<std::int64_t>(header(message, "int16").value), 42);
  EXPECT_EQ(header(message, "int64").type, HeaderType::kLong);
  EXPECT_EQ(std::get<std::int64_t>(header(message, "int64").value), 42424242);
  EXPECT_EQ(header(message, "uuid").type, HeaderType::kUuid);
  EXPECT_EQ(std::get<std::string>(header(message, "uuid").value),
            from_hex("0102030405060708090a0b0c0d0e0f10"));
  // A byte array is not a string header.
  EXPECT_EQ(message.string_header("byte buf"), std::nullopt);
  EXPECT_TRUE(decoder.at_message_boundary());
}

TEST(EventStream, DecodesEmptyAndSingleHeaderMessages) {
  EventStreamDecoder decoder;
  auto messages = decode_ok(decoder, kEmptyMessage + kOneStringHeader);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_TRUE(messages[0].headers.empty());
  EXPECT_TRUE(messages[0].payload.empty());
  EXPECT_EQ(messages[1].string_header("content-type"), "application/json");
  EXPECT_EQ(messages[1].payload, "{'foo':'bar'}");
}

TEST(EventStream, NegativeIntegersKeepTheirSign) {
  std::string headers;
  headers += '\x01';
  headers += 's';
  headers += '\x03';
  put_big_endian(headers, 0xfffe, 2);  // -2 as a short
  headers += '\x01';
  headers += 'i';
  headers += '\x04';
  put_big_endian(headers, 0xfffffffd, 4);  // -3 as an integer
  EventStreamDecoder decoder;
  auto messages = decode_ok(decoder, frame(headers, ""));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(messages[0].headers[0].value), -2);
  EXPECT_EQ(std::get<std::int64_t>(messages[0].headers[1].value), -3);
}

TEST(EventStream, WrongPreludeCrcIsAnError) {
  std::string bytes = kOneStringHeader;
  bytes[7] = '\x21';  // headers length 33: the prelude CRC no longer matches
  auto error = decode_error(bytes);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("prelude"), std::string::npos) << *error;

  bytes = kOneStringHeader;
  bytes[3] = '\x3e';  // total length 62
  EXPECT_TRUE(decode_error(bytes));
}

TEST(EventStream, WrongMessageCrcIsAnError) {
  std::string corrupt_payload = kOneStringHeader;
  corrupt_payload[45] = 'a';  // inside the payload
  auto error = decode_error(corrupt_payload);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("message has a wrong CRC"), std::string::npos) << *error;

  std::string corrupt_header = kOneStringHeader;
  corrupt_header[13] = 'C';  // inside a header name
  EXPECT_TRUE(decode_error(corrupt_header));

  std::string corrupt_crc = kOneStringHeader;
  corrupt_crc.back() ^= 1;
  EXPECT_TRUE(decode_error(corrupt_crc));
}

TEST(EventStream, OversizedLengthIsRefusedBeforeBuffering) {
  std::string prelude;
  put_big_endian(prelude, 64 * 1024 * 1024, 4);  // 64 MiB claimed
  put_big_endian(prelude, 0, 4);
  put_big_endian(prelude, crc32(prelude), 4);
  auto error = decode_error(prelude);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("claims"), std::string::npos) << *error;

  EventStreamDecoder small(64);
  std::vector<EventMessage> messages;
  EXPECT_TRUE(small.feed(frame("", std::string(100, 'x')), messages));
}

TEST(EventStream, LengthsThatCannotHoldAMessageAreRefused) {
  std::string too_short;
  put_big_endian(too_short, 15, 4);
  put_big_endian(too_short, 0, 4);
  put_big_endian(too_short, crc32(too_short), 4);
  EXPECT_TRUE(decode_error(too_short + std::string(4, '\0')));

  std::string headers_too_long;
  put_big_endian(headers_too_long, 20, 4);
  put_big_endian(headers_too_long, 5, 4);  // 5 bytes of headers in a 20-byte message: 1 too many
  put_big_endian(headers_too_long, crc32(headers_too_long), 4);
  EXPECT_TRUE(decode_error(headers_too_long + std::string(8, '\0')));
}

TEST(EventStream, HeadersThatRunPastTheirSectionAreRefused) {
  // Valid CRCs, but the string header claims more bytes than the headers section holds.
  std::string header = string_header("k", "value");
  header[4] = '\x09';  // string length 9 instead of 5
  auto error = decode_error(frame(header, "{}"));
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("runs past"), std::string::npos) << *error;

  EXPECT_TRUE(decode_error(frame(std::string("\x00", 1), "")));               // empty header name
  EXPECT_TRUE(decode_error(frame(std::string("\x01k\x0a", 3), "")));          // unknown type 10
  EXPECT_TRUE(decode_error(frame(std::string("\x01k", 2), "")));              // no type
  EXPECT_TRUE(decode_error(frame(std::string("\x01k\x09\x01\x02", 5), "")));  // short UUID
  EXPECT_TRUE(decode_error(frame(std::string("\x05k", 2), "")));              // name past the end
}

TEST(EventStream, TruncatedStreamWaitsAndIsNotAtABoundary) {
  EventStreamDecoder decoder;
  auto messages = decode_ok(decoder, std::string_view(kAllHeaders).substr(0, 100));
  EXPECT_TRUE(messages.empty());
  EXPECT_FALSE(decoder.at_message_boundary());
  messages = decode_ok(decoder, std::string_view(kAllHeaders).substr(100));
  EXPECT_EQ(messages.size(), 1u);
  EXPECT_TRUE(decoder.at_message_boundary());
}

TEST(EventStream, AFailedDecoderStaysFailed) {
  EventStreamDecoder decoder;
  std::vector<EventMessage> messages;
  std::string corrupt = kOneStringHeader;
  corrupt.back() ^= 1;
  EXPECT_TRUE(decoder.feed(corrupt, messages));
  EXPECT_TRUE(decoder.feed(kEmptyMessage, messages));
  EXPECT_TRUE(messages.empty());
  EXPECT_FALSE(decoder.at_message_boundary());
}

TEST(EventStream, MessagesBeforeACorruptOneAreDelivered) {
  EventStreamDecoder decoder;
  std::vector<EventMessage> messages;
  std::string corrupt = kOneStringHeader;
  corrupt.back() ^= 1;
  EXPECT_TRUE(decoder.feed(kEmptyMessage + corrupt, messages));
  EXPECT_EQ(messages.size(), 1u);
}

TEST(EventStream, EverySplitOfAStreamDecodesTheSame) {
  std::string stream = kAllHeaders + event_frame("messageStart", R"({"role":"assistant"})") +
                       kEmptyMessage + kOneStringHeader;
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    SCOPED_TRACE("split at " + std::to_string(split));
    EventStreamDecoder decoder;
    auto messages = decode_ok(decoder, std::string_view(stream).substr(0, split));
    auto rest = decode_ok(decoder, std::string_view(stream).substr(split));
    for (auto& message : rest) messages.push_back(std::move(message));
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_EQ(messages[0].headers.size(), 10u);
    EXPECT_EQ(messages[1].string_header(":event-type"), "messageStart");
    EXPECT_EQ(messages[1].payload, R"({"role":"assistant"})");
    EXPECT_TRUE(messages[2].payload.empty());
    EXPECT_EQ(messages[3].payload, "{'foo':'bar'}");
    EXPECT_TRUE(decoder.at_message_boundary());
  }
}

TEST(EventStream, ByteByByteDecodesTheSame) {
  std::string stream = kAllHeaders + kOneStringHeader;
  EventStreamDecoder decoder;
  std::vector<EventMessage> messages;
  for (char byte : stream) {
    ASSERT_FALSE(decoder.feed(std::string_view(&byte, 1), messages));
  }
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].payload, "{'foo':'bar'}");
}

}  // namespace
}  // namespace providers::bedrock
