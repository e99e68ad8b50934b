// The outbound proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as curl and the AWS SDKs read
// them): upstream calls go through a CONNECT tunnel of the proxy, with the credentials of
// the proxy URL, and keep-alive works through the tunnel; this machine and NO_PROXY hosts
// are reached directly; a proxy that refuses is a 502 that says so; a proxy URL the gateway
// cannot use stops it at start. The proxied upstream has a name only the proxy knows (it
// is the fake upstream), so reaching it at all shows the tunnel was used. The fake upstream
// is plain http, so HTTP_PROXY is the one used here; HTTPS_PROXY takes the same path for
// https upstreams (TLS inside the tunnel).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startConnectProxy } from '../fakes/connect_proxy.js';
import { startGateway } from './lib/gateway.js';
import { gatewayModel, kDefaultGroupId, kUpstreamApiKey, restartGateway, startStack, stopStack } from './lib/stack.js';

const kProxiedHost = 'upstream.proxied.test';

let stack;
let proxy;

before(async () => {
  proxy = await startConnectProxy({ credentials: 'alice:s3cret', hosts: { [kProxiedHost]: '127.0.0.1' } });
  stack = await startStack({
    env: {
      HTTP_PROXY: `http://alice:s3cret@127.0.0.1:${proxy.port}`,
      LLMGATE_THREADS: '1', // one keep-alive pool: one tunnel for requests one after another
    },
  });
  const { port } = new URL(stack.fake.url);
  await stack.admin.saveModel({
    name: 'proxied-echo',
    config: { baseUrl: `http://${kProxiedHost}:${port}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
    group_id: kDefaultGroupId,
  });
}, { timeout: 60_000 });

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await proxy?.close();
  }
}, { timeout: 60_000 });

function ask(model, content, options = {}) {
  return stack.client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...options });
}

test('upstream calls go through the proxy, with its credentials, and keep-alive works in the tunnel', { timeout: 30_000 }, async () => {
  for (const n of [1, 2, 3]) {
    const answer = await ask('proxied-echo', `through the proxy ${n}`);
    assert.equal(answer.choices[0].message.content, `echo: through the proxy ${n}`);
  }
  const stream = await ask('proxied-echo', 'streamed through the proxy', { stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'echo: streamed through the proxy');
  // One after another: the one tunnel stays open for all of them.
  const { port } = new URL(stack.fake.url);
  assert.deepEqual(proxy.connects, [
    { target: `${kProxiedHost}:${port}`, authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
  ]);
  const log = stack.gateway.tail();
  assert.match(log, new RegExp(`http upstreams through the proxy http://127\\.0\\.0\\.1:${proxy.port} with credentials`));
  assert.ok(!log.includes('s3cret'), 'the proxy password is in the log');
});

test('this machine is reached directly', { timeout: 30_000 }, async () => {
  const before = proxy.connects.length;
  const answer = await ask(gatewayModel('echo'), 'to 127.0.0.1, not through the proxy');
  assert.equal(answer.choices[0].message.content, 'echo: to 127.0.0.1, not through the proxy');
  assert.equal(proxy.connects.length, before);
});

test('NO_PROXY hosts are reached directly', { timeout: 30_000 }, async () => {
  await restartGateway(stack, { env: { NO_PROXY: 'example.com, .proxied.test' } });
  const before = proxy.connects.length;
  // Directly, the name only the proxy knows does not resolve.
  await assert.rejects(ask('proxied-echo', 'not through the proxy'), (error) => {
    assert.equal(error.status, 502, error.message);
    assert.match(error.message, /resolving upstream\.proxied\.test/);
    return true;
  });
  assert.equal(proxy.connects.length, before);
});

test('a proxy that refuses the credentials is a 502 that says so', { timeout: 30_000 }, async () => {
  await restartGateway(stack, { env: { NO_PROXY: '', HTTP_PROXY: `http://alice:wrong@127.0.0.1:${proxy.port}` } });
  const before = proxy.connects.length;
  await assert.rejects(ask('proxied-echo', 'refused by the proxy'), (error) => {
    assert.equal(error.status, 502, error.message);
    assert.match(error.message, /the proxy http:\/\/127\.0\.0\.1:\d+ \(CONNECT upstream\.proxied\.test:\d+\): HTTP\/1\.1 407 .*credentials .* refused/);
    return true;
  });
  assert.equal(proxy.connects.length, before + 1);
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
