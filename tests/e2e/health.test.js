// Probes, request ids and metrics (SPEC 1 and 6).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from './lib/eventually.js';
import { metricValue, parseMetrics } from './lib/expect.js';
import { request } from './lib/http.js';
import { gatewayModel, startStack, stopStack, uniquePrompt } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

async function scrape() {
  const answer = await request(`${stack.gateway.url}/metrics`);
  assert.equal(answer.status, 200, `/metrics answered ${answer.status}: ${answer.text}`);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
  return { text: answer.text, samples: parseMetrics(answer.text) };
}

test('GET / and /healthz answer 200 "ok" without a key', { timeout: 10_000 }, async () => {
  for (const path of ['/', '/healthz']) {
    const answer = await request(`${stack.gateway.url}${path}`);
    assert.equal(answer.status, 200, `${path}: ${answer.text}`);
    assert.equal(answer.text.trim(), 'ok', path);
  }
});

test('GET /readyz answers 200 while the database answers', { timeout: 10_000 }, async () => {
  const answer = await request(`${stack.gateway.url}/readyz`);
  assert.equal(answer.status, 200, answer.text);
});

test('every answer carries an x-request-id, unique per request', { timeout: 10_000 }, async () => {
  const ids = [];
  const answers = [
    await request(`${stack.gateway.url}/healthz`),
    await request(`${stack.gateway.url}/healthz`),
    await request(`${stack.gateway.url}/v1/models`), // 401
    await request(`${stack.gateway.url}/v1/models`, { key: stack.user.api_key }),
    await request(`${stack.gateway.url}/admin/api-key/apply`, { method: 'POST', body: {}, key: stack.user.api_key }), // 403
    await request(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{not json',
      headers: { 'content-type': 'application/json' },
      key: stack.user.api_key,
    }), // 400
  ];
  for (const answer of answers) {
    const id = answer.headers.get('x-request-id');
    assert.ok(id && id.length > 0, `status ${answer.status} answer has no x-request-id`);
    ids.push(id);
  }
  assert.equal(new Set(ids).size, ids.length, `request ids repeat: ${ids.join(', ')}`);
});

test('a client-sent x-request-id is echoed', { timeout: 10_000 }, async () => {
  const mine = `e2e-${uniquePrompt('rid').replaceAll(' ', '-')}`;
  const probe = await request(`${stack.gateway.url}/healthz`, { headers: { 'x-request-id': mine } });
  assert.equal(probe.headers.get('x-request-id'), mine);
  const { response } = await stack.client.chat.completions
    .create(
      { model: gatewayModel('echo'), messages: [{ role: 'user', content: 'id please' }] },
      { headers: { 'x-request-id': mine } },
    )
    .withResponse();
  assert.equal(response.headers.get('x-request-id'), mine);
});

test('the openai client sees x-request-id on chat answers, streamed or not', { timeout: 10_000 }, async () => {
  const messages = [{ role: 'user', content: 'request id' }];
  const plain = await stack.client.chat.completions
    .create({ model: gatewayModel('echo'), messages })
    .withResponse();
  assert.ok(plain.response.headers.get('x-request-id'));
  const streamed = await stack.client.chat.completions
    .create({ model: gatewayModel('echo'), messages, stream: true })
    .withResponse();
  assert.ok(streamed.response.headers.get('x-request-id'));
  for await (const chunk of streamed.data) assert.ok(chunk);
});

test('/metrics counts requests by route and status, latency, upstream errors and open streams', { timeout: 20_000 }, async () => {
  const chatRoute = { route: '/v1/chat/completions' };
  // The earlier tests' last answer (a stream) may be counted a moment after the client read
  // it: the baseline is taken once the counts stand still and no stream is open.
  const before = await eventually(
    async () => {
      const first = await scrape();
      const second = await scrape();
      const okCount = (scraped) =>
        metricValue(scraped.samples, 'llmgate_http_requests_total', { ...chatRoute, status: '200' });
      assert.equal(okCount(second), okCount(first), 'chat answers are still being counted');
      const open = second.samples.find((s) => s.name === 'llmgate_open_streams');
      assert.equal(open?.value, 0, 'a stream is still open');
      return second;
    },
    { what: 'a settled baseline' },
  );
  const messages = [{ role: 'user', content: uniquePrompt('metrics') }];
  await stack.client.chat.completions.create({ model: gatewayModel('echo'), messages });
  await stack.client.chat.completions.create({ model: gatewayModel('echo'), messages });
  const stream = await stack.client.chat.completions.create({ model: gatewayModel('echo'), messages, stream: true });
  for await (const chunk of stream) assert.ok(chunk);
  await assert.rejects(stack.client.chat.completions.create({ model: gatewayModel('status-500'), messages }));
  await request(`${stack.gateway.url}/v1/models`); // 401
  // A request is counted once its answer has left, so a client can scrape a moment before
  // its own last request is counted: scrape until the counts are in.
  const requests = 'llmgate_http_requests_total';
  const ok200 = { ...chatRoute, status: '200' };
  const bad502 = { ...chatRoute, status: '502' };
  const afterTraffic = await eventually(
    async () => {
      const scraped = await scrape();
      assert.equal(
        metricValue(scraped.samples, requests, ok200) - metricValue(before.samples, requests, ok200),
        3,
        `three 200 answers on the chat route; exposition:\n${scraped.text}`,
      );
      assert.equal(
        metricValue(scraped.samples, requests, bad502) - metricValue(before.samples, requests, bad502),
        1,
        `one 502 on the chat route; exposition:\n${scraped.text}`,
      );
      const open = scraped.samples.filter((s) => s.name === 'llmgate_open_streams');
      assert.equal(open.length, 1, `llmgate_open_streams is exposed once:\n${scraped.text}`);
      assert.equal(open[0].value, 0, 'no stream is open once all have finished');
      const unauthorized = scraped.samples.filter((s) => s.name === requests && s.labels.status === '401');
      assert.ok(unauthorized.length > 0, `no 401 counted; exposition:\n${scraped.text}`);
      return scraped;
    },
    { what: 'the requests are counted' },
  );

  const buckets = afterTraffic.samples.filter(
    (s) => s.name === 'llmgate_http_request_duration_seconds_bucket' && s.labels.route === chatRoute.route,
  );
  assert.ok(buckets.length > 0, `no latency histogram for the chat route:\n${afterTraffic.text}`);
  const infinite = buckets.filter((s) => s.labels.le === '+Inf').reduce((sum, s) => sum + s.value, 0);
  assert.ok(infinite >= 4, `the +Inf bucket counts every chat request (got ${infinite})`);

  const upstreamErrors = 'llmgate_upstream_errors_total';
  assert.ok(
    metricValue(afterTraffic.samples, upstreamErrors) - metricValue(before.samples, upstreamErrors) >= 1,
    `the upstream 500 is counted as an upstream error; exposition:\n${afterTraffic.text}`,
  );
});
