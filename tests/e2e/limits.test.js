// Request body limit (SPEC 1: LLMGATE_MAX_BODY): a larger body gets 413 and the server
// keeps serving.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAdminError, assertOpenAiError, expectApiError } from './lib/expect.js';
import { sendLargeBody } from './lib/http.js';
import { gatewayModel, startStack, stopStack, uniquePrompt } from './lib/stack.js';

const kMaxBody = 1024 * 1024;

let stack;

before(async () => {
  stack = await startStack({ env: { LLMGATE_MAX_BODY: '1MiB' } });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

async function stillServes() {
  const prompt = uniquePrompt('after 413');
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: prompt }],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
}


test('a body over the limit with Content-Length: 413, then the server still serves', { timeout: 20_000 }, async () => {
  const answer = await sendLargeBody(stack.gateway.url, { key: stack.user.api_key, bytes: 2 * kMaxBody });
  assertOpenAiError(answer, 413);
  await stillServes();
});

test('a chunked body over the limit: 413, then the server still serves', { timeout: 20_000 }, async () => {
  const answer = await sendLargeBody(stack.gateway.url, {
    key: stack.user.api_key,
    bytes: 2 * kMaxBody,
    chunked: true,
  });
  assertOpenAiError(answer, 413);
  await stillServes();
});

test('an admin body over the limit: 413 in the admin envelope', { timeout: 20_000 }, async () => {
  const answer = await sendLargeBody(stack.gateway.url, {
    key: stack.gateway.adminKey,
    bytes: 2 * kMaxBody,
    path: '/admin/api-key/apply',
  });
  assertAdminError(answer, 413);
  await stillServes();
});

test('the openai client sending too much gets a 413 APIError, not a connection error', { timeout: 20_000 }, async () => {
  await expectApiError(
    stack.client.chat.completions.create({
      model: gatewayModel('echo'),
      messages: [{ role: 'user', content: 'a'.repeat(2 * kMaxBody) }],
    }),
    { status: 413 },
  );
  await stillServes();
});

test('a body just under the limit is served', { timeout: 20_000 }, async () => {
  const content = 'a'.repeat(kMaxBody - 4096);
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content }],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${content}`);
});
