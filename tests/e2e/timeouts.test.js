// Client timeouts (LLMGATE_CLIENT_TIMEOUT, LLMGATE_KEEPALIVE_TIMEOUT): a keep-alive
// connection may sit idle for the keep-alive time, but a request that has begun must
// arrive within the client timeout, also on a connection that served requests before.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startGateway } from './lib/gateway.js';

let gateway;

before(async () => {
  gateway = await startGateway({
    env: { LLMGATE_CLIENT_TIMEOUT: '500ms', LLMGATE_KEEPALIVE_TIMEOUT: '3s' },
  });
}, { timeout: 60_000 });

after(async () => {
  await gateway?.stop();
}, { timeout: 60_000 });

/**
 * Opens a connection, asks for /healthz once and resolves when the whole answer is in.
 * `closed` resolves when the gateway closes the connection.
 */
async function connectionThatServedOneRequest() {
  const { hostname, port } = new URL(gateway.url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  let received = '';
  const answered = new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const headerEnd = received.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(received)?.[1] ?? NaN);
      if (received.length >= headerEnd + 4 + length) resolve(received);
    });
    socket.once('error', reject);
    closed.then(() => reject(new Error(`closed before the answer: ${received}`)));
  });
  socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  const answer = await answered;
  assert.match(answer, /^HTTP\/1\.1 200 /);
  return { socket, closed };
}

test('half a header on a kept-alive connection is closed after the client timeout, before an idle one',
  { timeout: 30_000 }, async () => {
    const idle = await connectionThatServedOneRequest();
    const stalled = await connectionThatServedOneRequest();
    // The stalled connection starts its next request after the idle one went quiet: held
    // for the keep-alive time, it would be closed after the idle one.
    stalled.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n');
    const first = await Promise.race([
      idle.closed.then(() => 'idle'),
      stalled.closed.then(() => 'stalled'),
    ]);
    assert.equal(first, 'stalled');
    // The idle one is still open until its own, longer timer.
    assert.equal(idle.socket.destroyed, false);
    await idle.closed;
  });
