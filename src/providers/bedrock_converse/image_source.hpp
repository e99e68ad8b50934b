#pragma once
// Images for Converse image blocks: Bedrock takes the bytes (base64 in JSON) and a format
// (png, jpeg, gif, webp) that comes from the image's MIME type.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace providers::bedrock {

struct ImageBytes {
  std::string format;       // png | jpeg | gif | webp
  std::string_view base64;  // standard alphabet, padded; a view into the URL
};

// "png" for "image/png" (parameters and case ignored); an error naming the accepted types.
core::Result<std::string> image_format(std::string_view mime_type);

// A `data:<mime>;base64,<data>` URL. https URLs are refused with a message saying so: the
// gateway does not fetch images on a client's behalf yet (that needs an asynchronous step
// before translation, a size cap and a guard against requests to internal addresses).
core::Result<ImageBytes> image_from_url(std::string_view url);

}  // namespace providers::bedrock
