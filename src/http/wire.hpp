#pragma once
// Beast-level helpers shared by the server and the upstream client (include only from .cpp
// files that already use Beast). Beast's serializer and write operation cost about 15,000
// instructions per small message (mostly walking its buffer views); a header rendered into
// one string and sent with a plain gather write gives the same bytes for a fraction of that.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>

namespace http::wire {

// The start line and fields of `header` followed by the empty line, byte for byte as
// Beast's serializer writes them.
template <bool isRequest, class Fields>
void append_head(std::string& out, const boost::beast::http::header<isRequest, Fields>& header) {
  const unsigned version = header.version();
  const char http_version[] = {'H', 'T',
                               'T', 'P',
                               '/', static_cast<char>('0' + version / 10),
                               '.', static_cast<char>('0' + version % 10)};
  if constexpr (isRequest) {
    out.append(header.method_string());
    out.push_back(' ');
    out.append(header.target());
    out.push_back(' ');
    out.append(http_version, sizeof(http_version));
  } else {
    const unsigned code = header.result_int();
    out.append(http_version, sizeof(http_version));
    const char status[] = {' ', static_cast<char>('0' + code / 100),
                           static_cast<char>('0' + (code / 10) % 10),
                           static_cast<char>('0' + code % 10), ' '};
    out.append(status, sizeof(status));
    out.append(header.reason());
  }
  out.append("\r\n");
  for (const auto& field : header) {
    out.append(field.name_string());
    out.append(": ");
    out.append(field.value());
    out.append("\r\n");
  }
  out.append("\r\n");
}

template <std::size_t N>
using Buffers = std::array<boost::asio::const_buffer, N>;
using Pieces = Buffers<2>;  // a header block and a body

template <std::size_t N>
std::size_t remaining(const Buffers<N>& pieces) {
  std::size_t size = 0;
  for (const auto& piece : pieces) size += piece.size();
  return size;
}

// Sends as much of `pieces` as the socket takes at once, without blocking, and advances
// `pieces` past what was sent. Saves the deadline timer and the completion hop of an
// asynchronous write when (as almost always for a small answer) the socket has room.
// `ec` is set on a failure of the socket, not when it would block.
template <std::size_t N>
void send_now(boost::asio::ip::tcp::socket& socket, Buffers<N>& pieces,
              boost::system::error_code& ec) {
  if (!socket.non_blocking()) {
    socket.non_blocking(true, ec);
    if (ec) return;
  }
  while (remaining(pieces) > 0) {
    std::size_t sent = socket.write_some(pieces, ec);
    if (ec) {
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) ec = {};
      return;
    }
    for (auto& piece : pieces) {
      std::size_t step = std::min(sent, piece.size());
      piece += step;
      sent -= step;
    }
  }
}

// Writes the chunk-size line of a chunk of `size` bytes ("1f4\r\n", lower-case hex as
// Beast's make_chunk) into `out`; returns its length.
inline std::size_t chunk_size_line(std::size_t size, char (&out)[2 * sizeof(std::size_t) + 2]) {
  char digits[2 * sizeof(std::size_t)];
  std::size_t count = 0;
  do {
    digits[count++] = "0123456789abcdef"[size & 0xF];
    size >>= 4;
  } while (size != 0);
  for (std::size_t i = 0; i < count; ++i) out[i] = digits[count - 1 - i];
  out[count] = '\r';
  out[count + 1] = '\n';
  return count + 2;
}

}  // namespace http::wire
