// Upstream failures mapped to client answers (SPEC 6): before the first byte as an
// OpenAI-shaped HTTP error, after it as a final SSE error event.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { echoReply, kRetryAfterSeconds } from '../fakes/openai_upstream.js';
import { assertOpenAiError, expectApiError, within } from './lib/expect.js';
import { request } from './lib/http.js';
import {
  gatewayModel,
  kDefaultGroupId,
  sseDataLines,
  startStack,
  stopStack,
  uniquePrompt,
} from './lib/stack.js';

const kTimeoutEnv = {
  LLMGATE_UPSTREAM_FIRST_BYTE_TIMEOUT: '1s',
  LLMGATE_UPSTREAM_IDLE_TIMEOUT: '1s',
};

let stack;

before(async () => {
  stack = await startStack({ env: kTimeoutEnv });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

const ask = (behaviour, extra = {}) =>
  stack.client.chat.completions.create({
    model: gatewayModel(behaviour),
    messages: [{ role: 'user', content: uniquePrompt(behaviour) }],
    ...extra,
  });

/** A local port nothing listens on. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('upstream 404 → 404', { timeout: 10_000 }, async () => {
  await expectApiError(ask('status-404'), { status: 404, errorClass: OpenAI.NotFoundError });
});

test('upstream 400 → 400', { timeout: 10_000 }, async () => {
  await expectApiError(ask('status-400'), { status: 400, errorClass: OpenAI.BadRequestError });
});

test('upstream 429 → 429 with its Retry-After', { timeout: 10_000 }, async () => {
  const error = await expectApiError(ask('status-429'), { status: 429, errorClass: OpenAI.RateLimitError });
  assert.equal(error.headers.get('retry-after'), kRetryAfterSeconds);
  const streamed = await expectApiError(ask('status-429', { stream: true }), {
    status: 429,
    errorClass: OpenAI.RateLimitError,
  });
  assert.equal(streamed.headers.get('retry-after'), kRetryAfterSeconds);
});

test('upstream 500 and 503 → 502', { timeout: 10_000 }, async () => {
  await expectApiError(ask('status-500'), { status: 502, errorClass: OpenAI.InternalServerError });
  await expectApiError(ask('status-503'), { status: 502, errorClass: OpenAI.InternalServerError });
  await expectApiError(ask('status-500', { stream: true }), { status: 502, errorClass: OpenAI.InternalServerError });
});

test('upstream 401 and 403 → 502 (the gateway credentials are wrong, not the client)', { timeout: 10_000 }, async () => {
  for (const behaviour of ['status-401', 'status-403']) {
    const answer = await request(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      key: stack.user.api_key,
      body: { model: gatewayModel(behaviour), messages: [{ role: 'user', content: 'creds' }] },
    });
    assertOpenAiError(answer, 502);
    await expectApiError(ask(behaviour), { status: 502, errorClass: OpenAI.InternalServerError });
  }
});

test('upstream unreachable → 502', { timeout: 10_000 }, async () => {
  const port = await closedPort();
  await stack.admin.saveModel({
    name: 'unreachable',
    config: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'echo' },
    group_id: kDefaultGroupId,
  });
  const messages = [{ role: 'user', content: 'anyone?' }];
  await expectApiError(stack.client.chat.completions.create({ model: 'unreachable', messages }), {
    status: 502,
    errorClass: OpenAI.InternalServerError,
  });
  await expectApiError(stack.client.chat.completions.create({ model: 'unreachable', messages, stream: true }), {
    status: 502,
    errorClass: OpenAI.InternalServerError,
  });
});

test('upstream silent past the first-byte timeout → 504, and the upstream connection is closed', { timeout: 15_000 }, async () => {
  const prompt = uniquePrompt('hang');
  const started = performance.now();
  await expectApiError(
    stack.client.chat.completions.create({ model: gatewayModel('hang'), messages: [{ role: 'user', content: prompt }] }),
    { status: 504, errorClass: OpenAI.InternalServerError },
  );
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs >= 900, `504 came after ${elapsedMs} ms, before the 1 s timeout`);
  assert.ok(elapsedMs < 8_000, `504 came after ${elapsedMs} ms with a 1 s timeout`);
  await within(
    5_000,
    'the gateway closes the upstream connection after the first-byte timeout',
    stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt),
  );

  await expectApiError(ask('hang', { stream: true }), { status: 504, errorClass: OpenAI.InternalServerError });
});

test('upstream truncates a non-stream answer → 502', { timeout: 10_000 }, async () => {
  await expectApiError(ask('cut'), { status: 502, errorClass: OpenAI.InternalServerError });
});

test('upstream cut mid-stream: the client gets what came, then an error while iterating', { timeout: 10_000 }, async () => {
  const stream = await ask('cut', { stream: true });
  let text = '';
  let caught;
  try {
    for await (const chunk of stream) {
      assert.equal(chunk.model, gatewayModel('cut'));
      text += chunk.choices[0]?.delta?.content ?? '';
    }
  } catch (error) {
    caught = error;
  }
  assert.equal(text, 'partial answer ');
  assert.ok(caught, 'iterating must throw after the cut');
  assert.ok(
    caught instanceof OpenAI.APIError,
    `the gateway must send an error event, not drop the connection (got ${caught?.stack ?? caught})`,
  );
  assert.ok(caught.error?.message, `the error event has a message: ${JSON.stringify(caught.error)}`);
});

test('upstream cut mid-stream: on the wire, a final data: {"error": ...} event and a clean end', { timeout: 10_000 }, async () => {
  const answer = await request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: stack.user.api_key,
    body: { model: gatewayModel('cut'), stream: true, messages: [{ role: 'user', content: 'wire cut' }] },
  });
  assert.equal(answer.status, 200);
  const events = sseDataLines(answer.text);
  const last = JSON.parse(events.at(-1));
  assert.ok(last.error, `the last event is the error: ${answer.text}`);
  assert.equal(typeof last.error.message, 'string');
  assert.ok(!events.includes('[DONE]'), 'no [DONE] after a failed stream');
  const content = events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '').join('');
  assert.equal(content, 'partial answer ');
});

test('upstream silent mid-stream past the idle timeout: final error event, upstream closed', { timeout: 15_000 }, async () => {
  const prompt = uniquePrompt('stall');
  const stream = await stack.client.chat.completions.create({
    model: gatewayModel('stall'),
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  });
  let text = '';
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })(),
    OpenAI.APIError,
  );
  assert.equal(text, 'then silence');
  await within(
    5_000,
    'the gateway closes the upstream connection after the idle timeout',
    stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt),
  );
});

test('an upstream that closed an idle keep-alive connection: the request goes out again on a fresh one', { timeout: 10_000 }, async () => {
  // The gateway reuses a pooled connection without probing it when it was idle for less
  // than a second; the fake closes every connection right after its answer, so each request
  // after the first meets a closed connection and must be retried, once, on a new one.
  const prompts = [1, 2, 3, 4].map(() => uniquePrompt('drop-after'));
  for (const prompt of prompts) {
    const messages = [{ role: 'user', content: prompt }];
    const answer = await stack.client.chat.completions.create({ model: gatewayModel('drop-after'), messages });
    assert.equal(answer.choices[0].message.content, echoReply(messages));
  }
  for (const prompt of prompts) {
    const received = stack.fake.requests.filter((r) => r.body?.messages?.at(-1)?.content === prompt);
    assert.equal(received.length, 1, `the upstream got "${prompt}" once`);
  }
});

test('the gateway still serves after all of that', { timeout: 10_000 }, async () => {
  const answer = await ask('echo');
  assert.match(answer.choices[0].message.content, /^echo: /);
});
