#include "app/serve.hpp"

#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/admin/routes.hpp"
#include "api/database.hpp"
#include "api/health.hpp"
#include "api/records_api.hpp"
#include "api/router.hpp"
#include "api/user/routes.hpp"
#include "api/v1/routes.hpp"
#include "app/bootstrap_admin.hpp"
#include "billing/ledger.hpp"
#include "billing/month.hpp"
#include "catalog/catalog.hpp"
#include "chat/pipeline.hpp"
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

unsigned io_threads(const config::Settings& settings) {
  if (settings.threads > 0) return settings.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

int serve_gateway(const config::Settings& settings) {
  telemetry::init_logging(settings.log_level, settings.log_format == config::LogFormat::kJson
                                                  ? telemetry::LogFormat::kJson
                                                  : telemetry::LogFormat::kText);
  std::signal(SIGPIPE, SIG_IGN);

  auto opened = store::open_store(settings.database);
  if (!opened) {
    std::cerr << "llmgate: " << opened.error().message << "\n";
    return 1;
  }
  auto& store = **opened;
  if (auto migrated = store.migrate(); !migrated) {
    std::cerr << "llmgate: migrating the database failed: " << migrated.error().message << "\n";
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
  auto registry = providers::make_default_registry();
  telemetry::Metrics metrics;
  for (auto name : registry.names()) metrics.register_provider(name);
  auto data = store.load_catalog();
  if (!data) {
    std::cerr << "llmgate: loading keys and models failed: " << data.error().message << "\n";
    return 1;
  }

  // From here on the store belongs to its worker thread.
  store::Worker worker(store);
  billing::Ledger ledger(worker, std::move(*months));
  ledger.sync(data->keys);  // nothing else runs yet
  catalog::CatalogHolder catalog;
  catalog.replace(catalog::Catalog::build(std::move(*data), registry));
  api::Database database(worker, catalog, registry, ledger);
  records::Recorder recorder(worker, core::Clock(settings.clock_offset), settings.store_content);
  chat::Pipeline pipeline(
      http::ClientTimeouts{settings.upstream_connect_timeout, settings.upstream_first_byte_timeout,
                           settings.upstream_idle_timeout},
      metrics, ledger, recorder);

  api::Router router(catalog, metrics);
  api::add_health_routes(router, database, metrics);
  api::v1::add_routes(router, pipeline);
  api::admin::add_routes(router, database);
  api::user::add_routes(router, database);
  api::add_admin_record_routes(router, database);
  api::add_user_record_routes(router, database);

  http::IoPool io(io_threads(settings));
  http::Server server(
      io,
      http::ServerLimits{settings.max_body_bytes, settings.max_header_bytes,
                         settings.client_timeout, settings.keepalive_timeout},
      [&router](http::Exchange& exchange) { return router.handle(exchange); },
      &api::Router::render_error);
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
  net::io_context control;
  net::signal_set signals(control, SIGINT, SIGTERM);
  net::steady_timer grace(control);
  bool drained = false;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
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
      LLMGATE_LOG_WARN("grace period over with {} connections open; stopping",
                       server.open_connections());
      control.stop();
    });
  });
  control.run();

  io.stop();
  io.join();
  worker.stop();  // runs every queued write before returning
  LLMGATE_LOG_INFO("stopped{}", drained ? "" : " (forced after the grace period)");
  return 0;
}

}  // namespace app
