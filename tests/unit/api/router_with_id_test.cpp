// Routes with an id: at the end of the path ("/admin/api-key/detail/:id") and in the middle
// ("/bot/feishu/:id/webhook/event"). An id is never empty and never holds a '/'.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "api/router.hpp"
#include "telemetry/metrics.hpp"

namespace api {
namespace {

class FakeExchange final : public http::Exchange {
 public:
  FakeExchange(std::string method, std::string path) {
    request_.method = std::move(method);
    request_.path = std::move(path);
    request_.target = request_.path;
  }
  const http::Request& request() const override { return request_; }
  std::string_view request_id() const override { return "test-request"; }
  std::chrono::steady_clock::time_point started_at() const override { return started_; }
  boost::asio::awaitable<void> respond(http::Response&& response) override {
    response_ = std::move(response);
    co_return;
  }
  int response_status() const override { return response_.status; }
  void begin_stream(int, http::Headers&&) override {}
  boost::asio::awaitable<boost::system::error_code> write_stream(std::string_view) override {
    co_return boost::system::error_code{};
  }
  boost::asio::awaitable<boost::system::error_code> end_stream(std::string_view) override {
    co_return boost::system::error_code{};
  }
  boost::asio::awaitable<bool> run_watching_client(boost::asio::awaitable<void>&& work,
                                                   std::function<void()>&&) override {
    co_await std::move(work);
    co_return false;
  }

  const http::Response& response() const { return response_; }

 private:
  http::Request request_;
  http::Response response_{0};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

class RouterWithIdTest : public ::testing::Test {
 protected:
  RouterWithIdTest() : router_(catalog_, metrics_) {
    router_.add_with_id("GET", "/admin/thing/detail/", Access::kPublic, handler("detail"));
    router_.add_with_id("POST", "/bot/feishu/", Access::kPublic, handler("webhook"),
                        "/webhook/event");
  }

  RouteHandler handler(std::string name) {
    return [this, name](RequestContext& context) -> boost::asio::awaitable<void> {
      matched_ = name;
      id_ = std::string(context.path_id);
      http::Response response;
      response.status = 200;
      co_await context.exchange.respond(std::move(response));
    };
  }

  // The status answered, with matched_ and id_ set when a route matched.
  int send(const std::string& method, const std::string& path) {
    matched_.clear();
    id_.clear();
    FakeExchange exchange(method, path);
    boost::asio::io_context io;
    boost::asio::co_spawn(io, router_.handle(exchange), boost::asio::detached);
    io.run();
    return exchange.response().status;
  }

  catalog::CatalogHolder catalog_;
  telemetry::Metrics metrics_;
  Router router_;
  std::string matched_;
  std::string id_;
};

TEST_F(RouterWithIdTest, TheIdAtTheEnd) {
  EXPECT_EQ(send("GET", "/admin/thing/detail/42"), 200);
  EXPECT_EQ(matched_, "detail");
  EXPECT_EQ(id_, "42");
  EXPECT_EQ(send("GET", "/admin/thing/detail/"), 404);
  EXPECT_EQ(send("GET", "/admin/thing/detail/4/2"), 404);
}

TEST_F(RouterWithIdTest, TheIdInTheMiddle) {
  EXPECT_EQ(send("POST", "/bot/feishu/17/webhook/event"), 200);
  EXPECT_EQ(matched_, "webhook");
  EXPECT_EQ(id_, "17");
  EXPECT_EQ(send("POST", "/bot/feishu/abc/webhook/event"), 200);
  EXPECT_EQ(id_, "abc");  // the handler judges the id
}

TEST_F(RouterWithIdTest, TheRestMustMatchExactly) {
  EXPECT_EQ(send("POST", "/bot/feishu//webhook/event"), 404);
  EXPECT_EQ(send("POST", "/bot/feishu/1/2/webhook/event"), 404);
  EXPECT_EQ(send("POST", "/bot/feishu/1/webhook/events"), 404);
  EXPECT_EQ(send("POST", "/bot/feishu/1/webhook"), 404);
  EXPECT_EQ(send("POST", "/bot/feishu/webhook/event"), 404);
  EXPECT_EQ(send("GET", "/bot/feishu/1/webhook/event"), 404);
  EXPECT_TRUE(matched_.empty());
}

}  // namespace
}  // namespace api
