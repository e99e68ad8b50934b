#pragma once
// The text of a record's whole prompt (SPEC 8: all messages, JSON), and what becomes of the
// images, audio and files a client sends inline (base64 in the request): kept, or, with
// `LLMGATE_STORE_MEDIA=false`, each replaced by a note of its type, size and SHA-256.
// A conversation re-sends its images with every turn, so each thread would hold them all
// again: a few megabytes per request that the search and the console do not use.

#include <string>
#include <string_view>

#include <boost/json/array.hpp>

namespace records {

// Inline data shorter than this stays (an icon, a tiny test image): the note would not be
// much shorter.
inline constexpr std::size_t kSmallInlineData = 1024;

// `messages` as JSON text; with keep_media false, every `data:` URL of kSmallInlineData
// characters or more in an image_url part (its `url`, or the part's value given as a string)
// or a file part's `file_data`, and every input_audio part's `data` as long, is first
// replaced, in `messages`, by
// "[not stored: image/png, 123456 bytes, sha256 <hex of the decoded bytes>]" (the text's
// length and hash, said so, when it is not base64). The chat API takes image parts today;
// audio and file parts are covered for when it takes them.
std::string whole_prompt_text(boost::json::array& messages, bool keep_media);

// The note for one inline datum (`data:` URL or bare base64 with its `kind`), for tests.
std::string inline_media_note(std::string_view data, std::string_view kind);

}  // namespace records
