#include "api/v1/http_sink.hpp"

#include "chat/openai_error.hpp"

namespace api::v1 {

boost::asio::awaitable<void> HttpSink::send_error(const providers::ApiError& error) {
  http::Response response;
  response.status = error.status;
  response.body = chat::render_openai_error(error);
  if (!error.retry_after.empty()) response.headers.set("retry-after", error.retry_after);
  co_await exchange_.respond(std::move(response));
}

boost::asio::awaitable<void> HttpSink::send_completion(std::string&& body) {
  http::Response response;
  response.body = std::move(body);
  co_await exchange_.respond(std::move(response));
}

void HttpSink::begin_stream() {
  http::Headers headers;
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no");  // tell nginx in front of us not to buffer
  exchange_.begin_stream(200, std::move(headers));
}

boost::asio::awaitable<bool> HttpSink::write_events(std::string_view events) {
  co_return !co_await exchange_.write_stream(events);
}

boost::asio::awaitable<void> HttpSink::end_stream(std::string_view last_events) {
  co_await exchange_.end_stream(last_events);
}

// Not a coroutine: hands on the exchange's awaitable instead of wrapping it in another frame.
// Both arguments are references to the caller's objects, which outlive the co_await.
boost::asio::awaitable<bool> HttpSink::run_watching_client(boost::asio::awaitable<void>&& work,
                                                           std::function<void()>&& on_client_gone) {
  return exchange_.run_watching_client(std::move(work), std::move(on_client_gone));
}

}  // namespace api::v1
