#pragma once
// The web console (docs/console.md): static files under /console/ that talk to the admin
// and user APIs with the key the person signs in with. The files carry no secret; every
// call they make is authorised like any other client's.

namespace api {

class Router;

void add_console_routes(Router& router);

}  // namespace api
