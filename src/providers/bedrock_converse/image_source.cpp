#include "providers/bedrock_converse/image_source.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"

namespace providers::bedrock {
namespace {

bool is_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;  // '=' only at the end
    if (!std::isalnum(c) && c != '+' && c != '/') return false;
  }
  return padding <= 2;
}

}  // namespace

core::Result<std::string> image_format(std::string_view mime_type) {
  std::string type = core::ascii_lower(mime_type.substr(0, mime_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type == "image/png") return std::string("png");
  if (type == "image/jpeg" || type == "image/jpg") return std::string("jpeg");
  if (type == "image/gif") return std::string("gif");
  if (type == "image/webp") return std::string("webp");
  return core::Error::bad_request("unsupported image type '" + type +
                                  "' (Bedrock accepts image/png, image/jpeg, image/gif, "
                                  "image/webp)");
}

core::Result<ImageBytes> image_from_url(std::string_view url) {
  if (url.starts_with("https://") || url.starts_with("http://")) {
    return core::Error::bad_request(
        "https image URLs are not supported by bedrock-converse yet; send the image as a "
        "data: URL");
  }
  constexpr std::string_view kScheme = "data:";
  if (!url.starts_with(kScheme)) return core::Error::bad_request("must be a data: URL");
  auto comma = url.find(',');
  if (comma == std::string_view::npos) {
    return core::Error::bad_request("a data: URL needs a ',' before its data");
  }
  std::string header = core::ascii_lower(url.substr(kScheme.size(), comma - kScheme.size()));
  constexpr std::string_view kBase64 = ";base64";
  if (!header.ends_with(kBase64)) {
    return core::Error::bad_request(
        "an image data: URL must be base64 (data:image/png;base64,...)");
  }
  auto format = image_format(std::string_view(header).substr(0, header.size() - kBase64.size()));
  if (!format) return format.take_error();
  std::string_view data = url.substr(comma + 1);
  if (!is_base64(data)) return core::Error::bad_request("the image data is not valid base64");
  return ImageBytes{std::move(*format), data};
}

}  // namespace providers::bedrock
