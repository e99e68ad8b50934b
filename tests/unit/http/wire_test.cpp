#include "http/wire.hpp"

#include <sstream>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/http.hpp>

namespace http {
namespace {

namespace bhttp = boost::beast::http;

// What Beast's own serializer writes for the message.
template <bool isRequest>
std::string beast_bytes(const bhttp::message<isRequest, bhttp::string_body>& message) {
  std::ostringstream out;
  out << message;
  return out.str();
}

template <bool isRequest>
std::string wire_bytes(const bhttp::message<isRequest, bhttp::string_body>& message) {
  std::string bytes;
  wire::append_head(bytes, message.base());
  return bytes + message.body();
}

TEST(WireHead, ResponseMatchesBeast) {
  for (unsigned status : {200u, 404u, 499u, 502u}) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {true, false}) {
        bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(status), version};
        message.set(bhttp::field::content_type, "application/json");
        message.set("x-request-id", "abc");
        message.set("Retry-After", "3");
        message.set("x-custom", "");
        message.body() = R"({"a":1})";
        message.keep_alive(keep_alive);
        message.prepare_payload();
        EXPECT_EQ(wire_bytes(message), beast_bytes(message)) << status << " " << version;
      }
    }
  }
}

TEST(WireHead, ResponseWithOwnReasonMatchesBeast) {
  bhttp::response<bhttp::string_body> message{bhttp::status::ok, 11};
  message.reason("Fine");
  message.body() = "x";
  message.prepare_payload();
  EXPECT_EQ(wire_bytes(message), beast_bytes(message));
}

TEST(WireHead, RequestMatchesBeast) {
  bhttp::request<bhttp::string_body> message;
  message.method_string("POST");
  message.target("/v1/chat/completions?x=1");
  message.version(11);
  message.set(bhttp::field::host, "example.com:8080");
  message.set("authorization", "Bearer sk-1");
  message.set("Content-Type", "application/json");
  message.set("x-odd", "value with spaces");
  message.body() = R"({"model":"m"})";
  message.keep_alive(true);
  message.prepare_payload();
  EXPECT_EQ(wire_bytes(message), beast_bytes(message));

  message.method_string("PROPFIND");  // not a verb Beast knows by name
  message.body().clear();
  message.prepare_payload();
  EXPECT_EQ(wire_bytes(message), beast_bytes(message));
}

TEST(WireChunk, FramesAsBeastMakeChunk) {
  for (std::size_t size : {0u, 1u, 9u, 15u, 16u, 255u, 4096u, 1000000u}) {
    std::string data(size, 'x');
    auto chunk = bhttp::make_chunk(boost::asio::buffer(data));
    std::string expected(boost::asio::buffer_size(chunk), '\0');
    boost::asio::buffer_copy(boost::asio::buffer(expected), chunk);

    char size_line[2 * sizeof(std::size_t) + 2];
    std::size_t length = wire::chunk_size_line(size, size_line);
    EXPECT_EQ(std::string(size_line, length) + data + "\r\n", expected) << size;
  }
}

TEST(WireSendNow, AdvancesPastWhatWasSent) {
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor acceptor(context, {boost::asio::ip::address_v4::loopback(), 0});
  boost::asio::ip::tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  auto server = acceptor.accept();

  std::string head = "head;";
  std::string body = "body";
  wire::Pieces pieces{boost::asio::buffer(head), boost::asio::buffer(body)};
  boost::system::error_code ec;
  wire::send_now(client, pieces, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(wire::remaining(pieces), 0u);
  EXPECT_TRUE(client.non_blocking());

  std::string received(head.size() + body.size(), '\0');
  boost::asio::read(server, boost::asio::buffer(received));
  EXPECT_EQ(received, "head;body");

  // A full socket is not an error: what did not fit stays in `pieces`.
  std::string big(8 * 1024 * 1024, 'y');
  wire::Buffers<1> large{boost::asio::buffer(big)};
  wire::send_now(client, large, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_GT(wire::remaining(large), 0u);
  EXPECT_LT(wire::remaining(large), big.size());
}

}  // namespace
}  // namespace http
