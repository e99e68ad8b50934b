// The outbound proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as curl and the AWS SDKs read
// them): upstream calls go through a CONNECT tunnel of the proxy, with the credentials of
// the proxy URL, and keep-alive works through the tunnel; NO_PROXY hosts are reached
// directly; a proxy that refuses is a 502 that says so; a proxy URL the gateway cannot use
// stops it at start. The fake upstream is plain http, so HTTP_PROXY is the one used here;
// HTTPS_PROXY takes the same path for https upstreams (TLS inside the tunnel).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startConnectProxy } from '../fakes/connect_proxy.js';
import { startGateway } from './lib/gateway.js';
import { gatewayModel, restartGateway, startStack, stopStack } from './lib/stack.js';

let stack;
let proxy;

before(async () => {
  proxy = await startConnectProxy({ credentials: 'alice:s3cret' });
  stack = await startStack({
    env: {
      HTTP_PROXY: `http://alice:s3cret@127.0.0.1:${proxy.port}`,
      LLMGATE_THREADS: '1', // one keep-alive pool: one tunnel for requests one after another
    },
  });
}, { timeout: 60_000 });

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await proxy?.close();
  }
}, { timeout: 60_000 });

function ask(content, options = {}) {
  return stack.client.chat.completions.create({ model: gatewayModel('echo'), messages: [{ role: 'user', content }], ...options });
}

const upstreamAuthority = () => new URL(stack.fake.url).host;

test('upstream calls go through the proxy, with its credentials, and keep-alive works in the tunnel', { timeout: 30_000 }, async () => {
  for (const n of [1, 2, 3]) {
    const answer = await ask(`through the proxy ${n}`);
    assert.equal(answer.choices[0].message.content, `echo: through the proxy ${n}`);
  }
  const stream = await ask('streamed through the proxy', { stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'echo: streamed through the proxy');
  // One after another: the one tunnel stays open for all of them.
  assert.deepEqual(proxy.connects, [
    { target: upstreamAuthority(), authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
  ]);
  const log = stack.gateway.tail();
  assert.match(log, new RegExp(`http upstreams through the proxy http://127\\.0\\.0\\.1:${proxy.port} with credentials`));
  assert.ok(!log.includes('s3cret'), 'the proxy password is in the log');
});

test('NO_PROXY hosts are reached directly', { timeout: 30_000 }, async () => {
  await restartGateway(stack, { env: { NO_PROXY: 'example.com, 127.0.0.0/8' } });
  const before = proxy.connects.length;
  const answer = await ask('not through the proxy');
  assert.equal(answer.choices[0].message.content, 'echo: not through the proxy');
  assert.equal(proxy.connects.length, before);
});

test('a proxy that refuses the credentials is a 502 that says so', { timeout: 30_000 }, async () => {
  await restartGateway(stack, { env: { NO_PROXY: '', HTTP_PROXY: `http://alice:wrong@127.0.0.1:${proxy.port}` } });
  const before = proxy.connects.length;
  await assert.rejects(ask('refused by the proxy'), (error) => {
    assert.equal(error.status, 502, error.message);
    assert.match(error.message, /the proxy http:\/\/127\.0\.0\.1:\d+ \(CONNECT 127\.0\.0\.1:\d+\): HTTP\/1\.1 407 .*credentials .* refused/);
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
