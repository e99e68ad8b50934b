#include "bots/feishu/answer_sink.hpp"

#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>

#include "core/utf8.hpp"

namespace bots::feishu {
namespace {

constexpr std::size_t kMaxDetailChars = 200;
constexpr std::string_view kCutNote = "\n…(the answer was cut: it is too long for one message)";

}  // namespace

boost::asio::awaitable<void> AnswerSink::send_error(const providers::ApiError& error) {
  error_ = error;
  co_return;
}

boost::asio::awaitable<void> AnswerSink::send_completion(std::string&& body) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) answer_.add_completion(parsed.get_object());
  co_return;
}

boost::asio::awaitable<bool> AnswerSink::write_events(std::string_view) { co_return true; }

boost::asio::awaitable<void> AnswerSink::end_stream(std::string_view) { co_return; }

Endings::Entry Endings::add(std::function<void()> end) {
  std::unique_lock lock(mutex_);
  if (ended_) {
    lock.unlock();
    end();
    lock.lock();
  }
  return ends_.insert(ends_.end(), std::move(end));
}

void Endings::remove(Entry entry) {
  std::lock_guard lock(mutex_);
  ends_.erase(entry);
}

void Endings::end_all() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  for (auto& end : ends_) end();  // each only posts to its job's own thread
}

boost::asio::awaitable<bool> AnswerSink::run_watching_client(
    boost::asio::awaitable<void>&& work, std::function<void()>&& on_client_gone) {
  if (endings_ == nullptr) {
    co_await std::move(work);
    co_return false;
  }
  // The ending runs on this job's thread, where the work and its end are serialised; it does
  // nothing once the work is over (the pipeline's Run it points into is gone by then).
  struct Watch {
    std::function<void()> on_gone;
    bool active = true;
    bool ended = false;
  };
  auto watch = std::make_shared<Watch>();
  watch->on_gone = std::move(on_client_gone);
  auto executor = co_await boost::asio::this_coro::executor;
  std::function<void()> end = [watch, executor] {
    boost::asio::post(executor, [watch] {
      if (!watch->active) return;
      watch->ended = true;
      watch->on_gone();
    });
  };
  auto entry = endings_->add(std::move(end));
  co_await std::move(work);
  watch->active = false;
  endings_->remove(entry);
  co_return watch->ended;
}

std::string error_reply(const providers::ApiError& error, const std::string& model) {
  switch (error.status) {
    case 402:
      return "Sorry, I cannot answer: the API key behind this bot has no money left (its "
             "monthly quota is used up and its balance is empty). Ask an administrator to "
             "recharge it.";
    case 403:
      return "Sorry, I cannot answer: the API key behind this bot may not use the model '" + model +
             "'. Ask an administrator for access.";
    case 404:
      return "Sorry, I cannot answer: the model '" + model +
             "' does not exist. Ask an administrator to fix this bot's modelId.";
    case 429:
      return "Sorry, the model is busy right now. Please try again in a moment.";
    default:
      break;
  }
  // An upstream's message can be any bytes; Feishu takes UTF-8 only.
  std::string detail = core::to_valid_utf8(core::utf8_prefix(error.message, kMaxDetailChars * 3));
  if (error.status >= 400 && error.status < 500) {
    return "Sorry, the model refused this message: " + detail;
  }
  return "Sorry, the model could not answer (error " + std::to_string(error.status) +
         "): " + detail;
}

std::string fit_reply(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::string cut(core::utf8_prefix(text, max_bytes - kCutNote.size()));
  cut.append(kCutNote);
  return cut;
}

}  // namespace bots::feishu
