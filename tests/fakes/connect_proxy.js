// A forward proxy that only tunnels (CONNECT), as corporate egress proxies do for HTTPS.
// With `credentials` ("user:password") it wants them in Proxy-Authorization (Basic) and
// answers 407 (with an HTML body, as Squid does) otherwise. `hosts` maps names only the
// proxy knows to addresses (its own DNS). Every CONNECT is recorded ({target,
// authorization}); the bytes of an accepted one are piped both ways.
//
//   const proxy = await startConnectProxy({ credentials: 'alice:s3cret', hosts: { 'a.test': '127.0.0.1' } });
//   proxy.url, proxy.connects, await proxy.close()

import http from 'node:http';
import net from 'node:net';

/** "host:port" or "[v6]:port" as [host, port]. */
function splitAuthority(authority) {
  const colon = authority.lastIndexOf(':');
  return [authority.slice(0, colon).replace(/^\[|\]$/g, ''), Number(authority.slice(colon + 1))];
}

export async function startConnectProxy({ credentials, hosts = {} } = {}) {
  const connects = [];
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = http.createServer((req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('this proxy only tunnels (CONNECT)');
  });
  server.on('connect', (req, client, head) => {
    track(client);
    const authorization = req.headers['proxy-authorization'] ?? '';
    connects.push({ target: req.url, authorization });
    if (credentials && authorization !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
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
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
