#include "records/recorder.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/utf8.hpp"
#include "records/conversation.hpp"
#include "records/inline_media.hpp"
#include "telemetry/log.hpp"

namespace records {
namespace {

// The record shows what the client sent: an https image URL the gateway fetched for a
// provider that takes bytes goes back in place of the data: URL it became (megabytes, which
// every later turn of the conversation would store again).
void restore_fetched_images(boost::json::array& messages,
                            const std::vector<providers::ChatRequest::FetchedImage>& fetched) {
  for (const auto& image : fetched) {
    if (image.message >= messages.size()) continue;
    auto* content = messages[image.message].is_object()
                        ? messages[image.message].get_object().if_contains("content")
                        : nullptr;
    if (!content || !content->is_array() || image.part >= content->get_array().size()) continue;
    auto& part = content->get_array()[image.part];
    auto* value = part.is_object() ? part.get_object().if_contains("image_url") : nullptr;
    if (value && value->is_object()) value = value->get_object().if_contains("url");
    if (value && value->is_string()) *value = image.url;
  }
}

}  // namespace

Recorder::Recorder(store::Worker& worker, core::Clock clock, Keep keep, std::size_t max_pending,
                   std::chrono::milliseconds batch_window)
    : worker_(worker),
      clock_(clock),
      store_content_(keep.text),
      store_media_(keep.media),
      max_pending_(max_pending),
      batch_window_(batch_window) {}

std::size_t Recorder::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + in_flight_;
}

void Recorder::on_completion(chat::CompletionRecord& record) {
  Queued queued;
  auto& thread = queued.thread;
  thread.key_id = record.key_id;
  thread.request_id = record.request_id;
  thread.model = record.model;
  thread.tokens_in = record.usage.prompt_tokens;
  thread.tokens_out = record.usage.completion_tokens;
  thread.cached_tokens = record.usage.cached_tokens;
  thread.reasoning_tokens = record.usage.reasoning_tokens;
  thread.usage_estimated = record.usage.estimated;
  thread.price_in = record.price_in;
  thread.price_out = record.price_out;
  thread.fee = record.fee;
  thread.first_byte_latency_ms = record.first_byte_latency.count();
  thread.latency_ms = record.latency.count();
  thread.stream = record.stream;
  thread.status = chat::to_string(record.status);
  // Stored in text columns (PostgreSQL refuses bytes that are not UTF-8) and shown as JSON.
  thread.error = core::to_valid_utf8(record.error);
  thread.created_at = clock_.unix_seconds();
  if (record.request) {
    // The request is finished with: its messages move here instead of being copied (a move
    // constructor keeps their storage; an assignment would copy them into the default one).
    if (auto* messages = record.request->body.if_contains("messages");
        messages && messages->is_array()) {
      queued.messages.emplace(std::move(messages->get_array()));
      restore_fetched_images(*queued.messages, record.request->fetched_images);
    }
    thread.session_key = record.request->session_id;  // turned into the full key on the worker
  }
  if (store_content_) {
    thread.completion = std::move(record.completion);
    thread.tool_calls = std::move(record.tool_calls);
  }
  bool first = false;
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(queued));
    first = !flush_scheduled_;
    flush_scheduled_ = true;
    full = queue_.size() == kFullBatch;
  }
  auto job = [this](store::Store& store) { flush(store); };
  if (full || (first && batch_window_.count() == 0)) {
    worker_.post_background(job);  // a window's flush still due finds what came after this
  } else if (first) {
    worker_.post_after(batch_window_, job);
  }
}

boost::asio::awaitable<void> Recorder::before_request() {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() + in_flight_ < max_pending_) co_return;
  }
  // The queue is full: wait until a batch has been written. Asio's own handler type is
  // move-only, so it is kept behind a shared_ptr to fit in std::function.
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
      [this](auto handler) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        std::function<void()> wake = [shared, executor] {
          boost::asio::post(executor, [shared]() mutable { std::move (*shared)(); });
        };
        std::lock_guard lock(mutex_);
        if (queue_.size() + in_flight_ < max_pending_) {
          wake();
        } else {
          waiters_.push_back(std::move(wake));
        }
      },
      boost::asio::use_awaitable);
}

void Recorder::wake_waiters_locked(std::vector<std::function<void()>>& wake) {
  while (!waiters_.empty() && queue_.size() + in_flight_ < max_pending_) {
    wake.push_back(std::move(waiters_.front()));
    waiters_.pop_front();
  }
}

void Recorder::flush_before_stop() {
  worker_.post([this](store::Store& store) { flush(store); });
}

void Recorder::flush(store::Store& store) {
  std::vector<Queued> batch;
  bool more = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() <= kRowsPerWrite) {
      batch.swap(queue_);
      queue_.reserve(batch.size());  // the next batch is likely as large: no growing later
      flush_scheduled_ = false;
    } else {
      // The rest is written by the same job posted again, after any charge that waits.
      const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(kRowsPerWrite);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
      more = true;
    }
    in_flight_ = batch.size();
  }
  std::vector<store::NewThread> threads;
  threads.reserve(batch.size());
  for (auto& queued : batch) {
    auto& thread = queued.thread;
    if (queued.built) {  // kept from a batch the database could not take: already built
      threads.push_back(std::move(thread));
      continue;
    }
    if (!queued.messages) queued.messages.emplace();
    boost::json::array& messages = *queued.messages;  // the record's own, edited in place
    thread.session_key = session_key(messages, thread.session_key);
    thread.session_title = session_title(messages);
    if (store_content_) {
      thread.prompt = last_user_message(messages);
      thread.whole_prompt = whole_prompt_text(messages, store_media_);
    } else {
      thread.session_title.clear();
    }
    threads.push_back(std::move(thread));
  }
  auto written = store.insert_threads(threads);
  if (!written && written.error().kind == core::ErrorKind::kUnavailable) {
    // The database is away (PostgreSQL restarting): keep every record, in order, and try
    // again with the next batch or at shutdown. Requests wait in before_request meanwhile
    // once the queue is full, instead of records being dropped.
    LLMGATE_LOG_WARN("the database is unavailable; keeping {} chat records to write later ({})",
                     threads.size(), written.error().message);
    {
      std::lock_guard lock(mutex_);
      std::vector<Queued> kept;
      kept.reserve(threads.size() + queue_.size());
      for (std::size_t i = 0; i < threads.size(); ++i) {
        kept.push_back(Queued{std::move(threads[i]), {}, true});
      }
      for (auto& queued : queue_) kept.push_back(std::move(queued));
      queue_.swap(kept);
      in_flight_ = 0;
      flush_scheduled_ = false;  // the next record schedules the next try
    }
    return;
  }
  if (!written) {
    // One bad record must not take its batch with it: write them one by one, so that only
    // a record the database refuses on its own is lost (and logged with its request id).
    LLMGATE_LOG_WARN("writing a batch of {} chat records failed ({}); writing them one by one",
                     threads.size(), written.error().message);
    for (auto& thread : threads) {
      std::vector<store::NewThread> single;
      single.push_back(std::move(thread));
      if (auto alone = store.insert_threads(single); !alone) {
        LLMGATE_LOG_ERROR("the chat record of request {} was not stored: {}",
                          single.front().request_id, alone.error().message);
      }
    }
  }
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    in_flight_ = 0;
    wake_waiters_locked(wake);
  }
  for (auto& waiter : wake) waiter();
  if (more) worker_.post_background([this](store::Store& next) { flush(next); });
}

}  // namespace records
