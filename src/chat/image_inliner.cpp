#include "chat/image_inliner.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/base64.hpp"

namespace chat {
namespace {

namespace json = boost::json;

core::Error fetch_error(const std::string& field, const std::string& reason) {
  return core::Error::bad_request(field + ": fetching the image failed: " + reason, field);
}

// Fetches one image and answers its data: URL.
boost::asio::awaitable<core::Result<std::string>> fetch_as_data_url(
    const std::string& url_text, const std::string& field, const ImageFetchOptions& options) {
  // Signed image URLs carry a query; the fragment never goes on the wire.
  std::string_view text = url_text;
  text = text.substr(0, text.find('#'));
  auto question = text.find('?');
  std::string query(question == std::string_view::npos ? std::string_view()
                                                       : text.substr(question));
  auto url = http::parse_url(text.substr(0, question));
  if (!url) co_return fetch_error(field, url.error().message);
  if (!url->tls) co_return fetch_error(field, "only https:// image URLs are fetched");
  http::OutgoingRequest request;
  request.method = "GET";
  request.target = (url->path.empty() ? "/" : "") + query;
  request.headers.set("accept", "image/*");
  request.public_addresses_only = !options.allow_private_addresses;
  // Url keeps the image's path as its base path; the target adds the query.
  http::UpstreamCall call(options.timeouts);
  if (auto failure = co_await call.start(*url, std::move(request)))
    co_return fetch_error(field, failure.message);
  if (call.status() != 200)
    co_return fetch_error(field, "the server answered " + std::to_string(call.status()));
  std::string mime(call.headers().get("content-type").value_or(""));
  mime = mime.substr(0, mime.find(';'));
  if (!mime.starts_with("image/")) {
    co_return fetch_error(field, "the server sent '" + mime + "', not an image");
  }
  std::string bytes;
  if (auto failure = co_await call.read_all(bytes, options.max_bytes)) {
    std::string reason = failure.message;
    if (failure.kind == http::CallErrorKind::kTooLarge) {
      reason = "the image is larger than " + std::to_string(options.max_bytes) + " bytes";
    }
    co_return fetch_error(field, reason);
  }
  co_return "data:" + mime + ";base64," + core::base64_encode(bytes);
}

}  // namespace

boost::asio::awaitable<core::Status> inline_remote_images(providers::ChatRequest& request,
                                                          const ImageFetchOptions& options) {
  auto* messages = request.body.if_contains("messages");
  if (!messages || !messages->is_array()) co_return core::Ok{};
  auto& list = messages->get_array();
  for (std::size_t m = 0; m < list.size(); ++m) {
    if (!list[m].is_object()) continue;
    auto* content = list[m].get_object().if_contains("content");
    if (!content || !content->is_array()) continue;
    auto& parts = content->get_array();
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (!parts[p].is_object()) continue;
      auto* image = parts[p].get_object().if_contains("image_url");
      if (!image) continue;
      json::value* url = image->is_object() ? image->get_object().if_contains("url") : image;
      if (!url || !url->is_string() || !url->get_string().starts_with("https://")) continue;
      std::string field =
          "messages[" + std::to_string(m) + "].content[" + std::to_string(p) + "].image_url.url";
      std::string source(url->get_string());
      auto data_url = co_await fetch_as_data_url(source, field, options);
      if (!data_url) co_return data_url.take_error();
      *url = *data_url;
      request.fetched_images.push_back({m, p, std::move(source)});
    }
  }
  co_return core::Ok{};
}

}  // namespace chat
