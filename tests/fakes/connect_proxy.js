// A forward proxy as corporate egress proxies are: it tunnels (CONNECT, for HTTPS) and
// forwards plain-http requests sent to it in absolute form (`POST http://host:port/path`).
// With `credentials` ("user:password") it wants them in Proxy-Authorization (Basic) and
// answers 407 (with an HTML body, as Squid does) otherwise. `hosts` maps names only the
// proxy knows to addresses (its own DNS). Every CONNECT is recorded in `connects` ({target,
// authorization}), its bytes piped both ways; every forwarded request in `forwards`
// ({method, url, authorization}); `connections` counts the TCP connections clients opened.
//
//   const proxy = await startConnectProxy({ credentials: 'alice:s3cret', hosts: { 'a.test': '127.0.0.1' } });
//   proxy.url, proxy.connects, proxy.forwards, proxy.connections, await proxy.close()

import http from 'node:http';
import net from 'node:net';

/** "host:port" or "[v6]:port" as [host, port]. */
function splitAuthority(authority) {
  const colon = authority.lastIndexOf(':');
  return [authority.slice(0, colon).replace(/^\[|\]$/g, ''), Number(authority.slice(colon + 1))];
}

const kDenied = '<p>access denied</p>\n';

export async function startConnectProxy({ credentials, hosts = {} } = {}) {
  const connects = [];
  const forwards = [];
  const counts = { connections: 0 };
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const allowed = (authorization) =>
    !credentials || authorization === `Basic ${Buffer.from(credentials).toString('base64')}`;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const authorization = req.headers['proxy-authorization'] ?? '';
    forwards.push({ method: req.method, url: req.url, authorization });
    if (!req.url.startsWith('http://')) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('a proxy wants an absolute URL or CONNECT');
      return;
    }
    if (!allowed(authorization)) {
      res.writeHead(407, 'Proxy Authentication Required', { 'proxy-authenticate': 'Basic realm="e2e"', 'content-type': 'text/html' });
      res.end(kDenied);
      return;
    }
    const target = new URL(req.url);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request({
      host: hosts[target.hostname] ?? target.hostname,
      port: Number(target.port || 80),
      method: req.method,
      path: target.pathname + target.search,
      headers,
      agent,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    counts.connections += 1;
    track(socket);
  });
  server.on('connect', (req, client, head) => {
    track(client);
    const authorization = req.headers['proxy-authorization'] ?? '';
    connects.push({ target: req.url, authorization });
    if (!allowed(authorization)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="e2e"\r\n' +
          'Content-Type: text/html\r\nContent-Length: 21\r\nConnection: close\r\n\r\n<p>access denied</p>\n',
      );
      return;
    }
    const [host, port] = splitAuthority(req.url);
    const upstream = net.connect(port, hosts[host] ?? host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    forwards,
    get connections() {
      return counts.connections;
    },
    async close() {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
