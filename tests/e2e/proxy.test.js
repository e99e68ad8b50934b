// The outbound proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as curl and the AWS SDKs read
// them): https upstreams go through a CONNECT tunnel of the proxy (TLS end to end), plain-http
// ones are sent to the proxy in absolute form as curl does, both with the credentials of the
// proxy URL and kept alive; this machine and NO_PROXY hosts are reached directly; a proxy that
// refuses is a 502 that says so; a proxy URL the gateway cannot use stops it at start. The
// proxied upstreams have a name only the proxy knows (both lead to the fake upstream, the
// https one through a TLS front), so reaching them at all shows the proxy was used.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startConnectProxy } from '../fakes/connect_proxy.js';
import { startGateway } from './lib/gateway.js';
import { gatewayModel, kDefaultGroupId, kUpstreamApiKey, restartGateway, startStack, stopStack } from './lib/stack.js';

const kProxiedHost = 'upstream.proxied.test';
const kCredentials = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

let stack;
let proxy;
let tlsFront;
let certDir;

/** An https server for `kProxiedHost` that passes every request on to the fake upstream. */
async function startTlsFront(key, cert, upstreamUrl) {
  const { port } = new URL(upstreamUrl);
  const server = https.createServer({ key, cert }, (req, res) => {
    const forwarded = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'llmgate-proxy-'));
  const keyPath = join(certDir, 'key.pem');
  const certPath = join(certDir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '1', '-subj', `/CN=${kProxiedHost}`, '-addext', `subjectAltName=DNS:${kProxiedHost}`,
  ], { stdio: 'ignore' });
  proxy = await startConnectProxy({ credentials: 'alice:s3cret', hosts: { [kProxiedHost]: '127.0.0.1' } });
  const proxyUrl = `http://alice:s3cret@127.0.0.1:${proxy.port}`;
  stack = await startStack({
    env: {
      HTTP_PROXY: proxyUrl,
      HTTPS_PROXY: proxyUrl,
      LLMGATE_UPSTREAM_CA_FILE: certPath,
      LLMGATE_THREADS: '1', // one keep-alive pool: one connection for requests one after another
    },
  });
  tlsFront = await startTlsFront(readFileSync(keyPath), readFileSync(certPath), stack.fake.url);
  const { port } = new URL(stack.fake.url);
  await stack.admin.saveModel({
    name: 'proxied-echo',
    config: { baseUrl: `http://${kProxiedHost}:${port}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
    group_id: kDefaultGroupId,
  });
  await stack.admin.saveModel({
    name: 'proxied-echo-tls',
    config: { baseUrl: `https://${kProxiedHost}:${tlsFront.address().port}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
    group_id: kDefaultGroupId,
  });
}, { timeout: 60_000 });

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await proxy?.close();
    tlsFront?.closeAllConnections();
    tlsFront?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }
}, { timeout: 60_000 });

function ask(model, content, options = {}) {
  return stack.client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...options });
}

async function askFour(model, label) {
  for (const n of [1, 2, 3]) {
    const answer = await ask(model, `${label} ${n}`);
    assert.equal(answer.choices[0].message.content, `echo: ${label} ${n}`);
  }
  const stream = await ask(model, `${label} streamed`, { stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, `echo: ${label} streamed`);
}

test('a plain-http upstream is asked through the proxy in absolute form, with its credentials, kept alive', { timeout: 30_000 }, async () => {
  const connectionsBefore = proxy.connections;
  await askFour('proxied-echo', 'through the proxy');
  const { port } = new URL(stack.fake.url);
  const url = `http://${kProxiedHost}:${port}/v1/chat/completions`;
  assert.deepEqual(proxy.forwards, Array(4).fill({ method: 'POST', url, authorization: kCredentials }));
  assert.deepEqual(proxy.connects, [], 'no tunnel for plain http');
  assert.equal(proxy.connections - connectionsBefore, 1, 'one kept-alive connection to the proxy');
  const log = stack.gateway.tail();
  assert.match(log, new RegExp(`http upstreams through the proxy http://127\\.0\\.0\\.1:${proxy.port} with credentials`));
  assert.ok(!log.includes('s3cret'), 'the proxy password is in the log');
});

test('an https upstream is reached through one CONNECT tunnel, TLS inside it, kept alive', { timeout: 30_000 }, async () => {
  const forwardsBefore = proxy.forwards.length;
  await askFour('proxied-echo-tls', 'through the tunnel');
  assert.deepEqual(proxy.connects, [
    { target: `${kProxiedHost}:${tlsFront.address().port}`, authorization: kCredentials },
  ]);
  assert.equal(proxy.forwards.length, forwardsBefore);
});

test('this machine is reached directly', { timeout: 30_000 }, async () => {
  const before = proxy.connects.length + proxy.forwards.length;
  const answer = await ask(gatewayModel('echo'), 'to 127.0.0.1, not through the proxy');
  assert.equal(answer.choices[0].message.content, 'echo: to 127.0.0.1, not through the proxy');
  assert.equal(proxy.connects.length + proxy.forwards.length, before);
});

test('NO_PROXY hosts are reached directly', { timeout: 30_000 }, async () => {
  await restartGateway(stack, { env: { NO_PROXY: 'example.com, .proxied.test' } });
  const before = proxy.connects.length + proxy.forwards.length;
  // Directly, the name only the proxy knows does not resolve.
  for (const model of ['proxied-echo', 'proxied-echo-tls']) {
    await assert.rejects(ask(model, 'not through the proxy'), (error) => {
      assert.equal(error.status, 502, error.message);
      assert.match(error.message, /resolving upstream\.proxied\.test/);
      return true;
    });
  }
  assert.equal(proxy.connects.length + proxy.forwards.length, before);
});

test('a proxy that refuses the credentials is a 502 that says so, tunnelled or not', { timeout: 30_000 }, async () => {
  const wrong = `http://alice:wrong@127.0.0.1:${proxy.port}`;
  await restartGateway(stack, { env: { NO_PROXY: '', HTTP_PROXY: wrong, HTTPS_PROXY: wrong } });
  const connects = proxy.connects.length;
  const forwards = proxy.forwards.length;
  await assert.rejects(ask('proxied-echo', 'refused by the proxy'), (error) => {
    assert.equal(error.status, 502, error.message);
    assert.match(error.message, /the proxy http:\/\/127\.0\.0\.1:\d+ \(for http:\/\/upstream\.proxied\.test:\d+\): HTTP\/1\.1 407 .*credentials .* refused/);
    return true;
  });
  assert.equal(proxy.forwards.length, forwards + 1);
  await assert.rejects(ask('proxied-echo-tls', 'refused by the proxy'), (error) => {
    assert.equal(error.status, 502, error.message);
    assert.match(error.message, /the proxy http:\/\/127\.0\.0\.1:\d+ \(CONNECT upstream\.proxied\.test:\d+\): HTTP\/1\.1 407 .*credentials .* refused/);
    return true;
  });
  assert.equal(proxy.connects.length, connects + 1);
});

test('a proxy URL the gateway cannot use stops it at start, naming the variable', { timeout: 30_000 }, async () => {
  for (const [name, value, why] of [
    ['HTTPS_PROXY', 'https://proxy.example.com:3128', /only http:\/\/ proxies/],
    ['https_proxy', 'http://proxy.example.com:99999', /port must be a number/],
    ['NO_PROXY', '10.0.0.0/40', /address block/],
  ]) {
    await assert.rejects(startGateway({ env: { [name]: value } }), (error) => {
      assert.match(error.message, new RegExp(`llmgate: ${name}: `), error.message);
      assert.match(error.message, why);
      return true;
    });
  }
});
