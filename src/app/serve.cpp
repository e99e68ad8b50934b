#include "app/serve.hpp"

#include <signal.h>

#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/admin/routes.hpp"
#include "api/console.hpp"
#include "api/database.hpp"
#include "api/envelope.hpp"
#include "api/health.hpp"
#include "api/records_api.hpp"
#include "api/router.hpp"
#include "api/user/routes.hpp"
#include "api/v1/routes.hpp"
#include "app/bootstrap_admin.hpp"
#include "app/open_files_limit.hpp"
#include "billing/ledger.hpp"
#include "billing/memory_ledger.hpp"
#include "billing/month.hpp"
#include "billing/shared_ledger.hpp"
#include "bots/feishu/bot_config.hpp"
#include "bots/feishu/feishu_bot.hpp"
#include "catalog/catalog.hpp"
#include "chat/pipeline.hpp"
#include "http/client/name_lookup.hpp"
#include "http/client/proxy.hpp"
#include "http/client/upstream_call.hpp"
#include "http/io_pool.hpp"
#include "http/server/server.hpp"
#include "providers/registry.hpp"
#include "records/recorder.hpp"
#include "store/worker.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace app {
namespace {

namespace net = boost::asio;

// After the grace period, how long the requests that were ended get to charge and record
// what they used (a store commit each, batched: milliseconds).
constexpr std::chrono::seconds kEndingRequests{5};

unsigned io_threads(const config::Settings& settings) {
  if (settings.threads > 0) return settings.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

// POST /bot/feishu/{bot id}/webhook/event: public, authenticated by the bot's token and
// signature (bots::feishu::FeishuBot).
net::awaitable<void> feishu_webhook(api::RequestContext& context, bots::feishu::FeishuBot& bot) {
  auto answer = co_await bot.handle_webhook(context.path_id, context.exchange.request(),
                                            context.exchange.request_id());
  if (!answer) {
    auto response = api::envelope_error(answer.error());
    co_await context.exchange.respond(std::move(response));
    co_return;
  }
  co_await context.exchange.respond(std::move(*answer));
}

bool signal_ignored(int signal) {
  struct sigaction current {};
  return ::sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

// Which upstreams go through a proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); never a password.
void log_proxies(const http::ProxySettings& proxies) {
  for (const auto& [scheme, proxy] :
       {std::pair{"https", &proxies.for_https}, std::pair{"http", &proxies.for_http}}) {
    if (!*proxy) continue;
    LLMGATE_LOG_INFO("{} upstreams through the proxy {}{} ({} NO_PROXY entries)", scheme,
                     (*proxy)->shown, (*proxy)->authorization.empty() ? "" : " with credentials",
                     proxies.no_proxy.size());
  }
}

}  // namespace

int serve_gateway(const config::Settings& settings) {
  telemetry::init_logging(settings.log_level, settings.log_format == config::LogFormat::kJson
                                                  ? telemetry::LogFormat::kJson
                                                  : telemetry::LogFormat::kText);
  std::signal(SIGPIPE, SIG_IGN);
  auto proxies = http::proxy_settings_from(http::proxy_environment());
  if (!proxies) {
    std::cerr << "llmgate: " << proxies.error().message << "\n";
    return 1;
  }
  log_proxies(*proxies);
  http::use_proxies(std::move(*proxies));
  const auto open_files = raise_open_files_limit();
  if (open_files.now != open_files.before) {
    LLMGATE_LOG_INFO("open files limit raised from {} to {} (the hard limit)", open_files.before,
                     open_files.now);
  }

  auto opened = store::open_store(settings.database, settings.sqlite_flush_commits);
  if (!opened) {
    std::cerr << "llmgate: " << opened.error().message << "\n";
    return 1;
  }
  auto& store = **opened;
  if (auto migrated = store.migrate(); !migrated) {
    std::cerr << "llmgate: migrating the database failed: " << migrated.error().message << "\n";
    return 1;
  }
  if (auto hashed = bots::feishu::hash_stored_bot_keys(store); !hashed) {
    std::cerr << "llmgate: hashing the bots' stored keys failed: " << hashed.error().message
              << "\n";
    return 1;
  }
  if (auto admin = bootstrap_admin_key(settings, store); !admin) {
    std::cerr << "llmgate: " << admin.error().message << "\n";
    return 1;
  }

  auto months = billing::MonthClock::create(core::Clock(settings.clock_offset), settings.timezone);
  if (!months) {
    std::cerr << "llmgate: " << months.error().message << "\n";
    return 1;
  }
  if (!settings.upstream_ca_file.empty()) {
    if (auto trusted = http::trust_extra_certificates(settings.upstream_ca_file); !trusted) {
      std::cerr << "llmgate: " << trusted.error().message << "\n";
      return 1;
    }
  }
  auto registry = providers::make_default_registry();
  telemetry::Metrics metrics;
  for (auto name : registry.names()) metrics.register_provider(name);
  auto data = store.load_catalog();
  if (!data) {
    std::cerr << "llmgate: loading keys and models failed: " << data.error().message << "\n";
    return 1;
  }

  auto feishu_url = http::parse_url(settings.feishu_base_url);
  if (!feishu_url) {
    std::cerr << "llmgate: LLMGATE_FEISHU_BASE_URL: " << feishu_url.error().message << "\n";
    return 1;
  }

  // Several gateways on one database (SPEC 11) reserve money in it, through a connection
  // of its own so that admission never waits behind other database work (billing.md).
  std::unique_ptr<store::Store> admission_store;
  if (store.shared()) {
    auto second = store::open_store(settings.database, settings.sqlite_flush_commits);
    if (!second) {
      std::cerr << "llmgate: " << second.error().message << "\n";
      return 1;
    }
    admission_store = std::move(*second);
  }

  // Admin reads through a connection of their own, so that a long one (statistics over
  // millions of threads) never holds up the charges queued on the writer. Null for a
  // SQLite ":memory:" database; its reads share the writer.
  auto reader_store =
      store::open_store(settings.database, settings.sqlite_flush_commits, store::OpenAs::kReader);
  if (!reader_store) {
    std::cerr << "llmgate: " << reader_store.error().message << "\n";
    return 1;
  }

  // From here on each store belongs to its worker thread.
  store::Worker worker(store);
  std::unique_ptr<store::Worker> reader_worker;
  if (*reader_store)
    reader_worker = std::make_unique<store::Worker>(**reader_store, "llmgate-read");
  std::unique_ptr<store::Worker> admission_worker;
  std::unique_ptr<billing::Ledger> ledger_owner;
  if (admission_store) {
    admission_worker = std::make_unique<store::Worker>(*admission_store, "llmgate-admit");
    ledger_owner =
        std::make_unique<billing::SharedLedger>(worker, *admission_worker, std::move(*months));
  } else {
    ledger_owner = std::make_unique<billing::MemoryLedger>(worker, std::move(*months));
  }
  billing::Ledger& ledger = *ledger_owner;
  ledger.sync(data->keys);  // nothing else runs yet
  catalog::CatalogHolder catalog;
  catalog.replace(catalog::Catalog::build(std::move(*data), registry));
  api::Database database(worker, reader_worker.get(), catalog, registry, ledger);
  // Changes other gateways make reach this one within a second (SPEC 2, 11); null for SQLite.
  std::unique_ptr<store::ChangeWatch> watch =
      store.watch_changes([&database] { database.refresh_soon(); });
  records::Recorder recorder(worker, core::Clock(settings.clock_offset),
                             {.text = settings.store_content, .media = settings.store_media});
  chat::Pipeline pipeline(
      http::ClientTimeouts{settings.upstream_connect_timeout, settings.upstream_first_byte_timeout,
                           settings.upstream_idle_timeout},
      metrics, ledger, recorder, settings.image_fetch_private);

  bots::feishu::FeishuBot feishu(
      bots::feishu::FeishuOptions{
          *feishu_url,
          http::ClientTimeouts{settings.upstream_connect_timeout, std::chrono::seconds(30),
                               std::chrono::seconds(30)},
          settings.feishu_max_in_flight},
      worker, catalog, pipeline);

  api::Router router(catalog, metrics);
  api::add_health_routes(router, database, metrics);
  api::add_console_routes(router);
  api::v1::add_routes(router, pipeline);
  api::admin::add_routes(router, database);
  api::user::add_routes(router, database);
  api::add_admin_record_routes(router, database);
  api::add_user_record_routes(router, database);
  router.add_with_id(
      "POST", "/bot/feishu/", api::Access::kPublic,
      [&feishu](api::RequestContext& context) { return feishu_webhook(context, feishu); },
      "/webhook/event");

  http::IoPool io(io_threads(settings));
  http::Server server(
      io,
      http::ServerLimits{settings.max_body_bytes, settings.max_header_bytes,
                         settings.client_timeout, settings.keepalive_timeout},
      [&router](http::Exchange& exchange) { return router.handle(exchange); },
      &api::Router::render_error);
  // Caught from here on, before anything says the gateway is up: a stop that comes right
  // after the "listening" line drains as any other. Before, during migrations, a stop ends
  // the process at once (nothing is queued yet).
  net::io_context control;
  net::signal_set signals(control, SIGINT, SIGTERM);
  // SIGHUP too: its default action (a closed terminal, `make run`) would lose the queued
  // records, and there is no configuration to reload; unless it is ignored (nohup).
  if (!signal_ignored(SIGHUP)) signals.add(SIGHUP);
  std::uint16_t port = 0;
  try {
    port = server.listen(settings.listen_host, settings.listen_port);
  } catch (const std::exception& error) {
    std::cerr << "llmgate: cannot listen on " << settings.listen_host << ":" << settings.listen_port
              << ": " << error.what() << "\n";
    return 1;
  }
  io.start();
  LLMGATE_LOG_INFO("llmgate listening on http://{}:{} ({} I/O threads, database {})",
                   settings.listen_host, port, io.size(),
                   settings.database.substr(0, settings.database.find("://")));

  // The main thread waits for a signal, then drains with a deadline.
  net::steady_timer grace(control);
  bool drained = false;
  bool ended_requests = false;  // the grace period ran out
  auto stop_deadline = std::chrono::steady_clock::now();
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    stop_deadline = std::chrono::steady_clock::now() + settings.shutdown_grace;
    LLMGATE_LOG_INFO("signal {}: draining (up to {} ms)", signal, settings.shutdown_grace.count());
    server.drain([&control, &drained] {
      net::post(control, [&control, &drained] {
        drained = true;
        control.stop();
      });
    });
    grace.expires_after(settings.shutdown_grace);
    grace.async_wait([&](const boost::system::error_code& timer_ec) {
      if (timer_ec) return;
      // SPEC 7: a graceful stop loses no charge. The requests still running end as if their
      // clients had left: what they used is charged and recorded before the process goes.
      LLMGATE_LOG_WARN("grace period over with {} connections open; ending their requests",
                       server.open_connections());
      ended_requests = true;
      server.end_requests();
      feishu.end_model_calls();
      grace.expires_after(kEndingRequests);
      grace.async_wait([&](const boost::system::error_code& ending_ec) {
        if (ending_ec) return;
        LLMGATE_LOG_WARN("{} connections still open after ending their requests; stopping",
                         server.open_connections());
        control.stop();
      });
    });
  });
  control.run();
  // Feishu messages are answered after their webhook request ended: they get the rest of
  // the grace period too; then their model calls are ended like the requests above (charged
  // and recorded), with a moment to do that and reply.
  if (drained) {
    bool idle = ended_requests || feishu.wait_idle(stop_deadline);
    if (!idle) {
      LLMGATE_LOG_WARN(
          "grace period over with {} Feishu messages being answered; ending their "
          "model calls",
          feishu.in_flight());
      feishu.end_model_calls();
      ended_requests = true;
    }
    if (ended_requests && !feishu.wait_idle(std::chrono::steady_clock::now() + kEndingRequests)) {
      LLMGATE_LOG_WARN("{} Feishu messages still being answered; stopping", feishu.in_flight());
    }
  }

  io.stop();
  io.join();
  // Name lookups still hanging hand nothing to the I/O threads' io_contexts, which go next.
  for (std::size_t index = 0; index < io.size(); ++index) http::abandon_name_lookups(io.at(index));
  recorder.flush_before_stop();
  worker.stop();  // runs every queued write before returning
  if (admission_worker) admission_worker->stop();
  if (reader_worker) reader_worker->stop();
  watch.reset();  // after the last charge: gives back whatever this gateway still holds
  LLMGATE_LOG_INFO("stopped{}",
                   !ended_requests ? ""
                   : drained
                       ? " (requests still running after the grace period were ended and charged)"
                       : " (forced after the grace period)");
  return 0;
}

}  // namespace app
