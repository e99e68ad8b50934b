// Authentication and roles (SPEC 2): Bearer and x-api-key, 401 and 403.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { generateKey } from './lib/gateway.js';
import { assertAdminError, assertOpenAiError, expectApiError } from './lib/expect.js';
import { request } from './lib/http.js';
import { gatewayModel, openaiClient, startStack, stopStack } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

const chatBody = () => ({ model: gatewayModel('echo'), messages: [{ role: 'user', content: 'auth' }] });

test('no key: 401 in OpenAI shape on /v1', { timeout: 10_000 }, async () => {
  assertOpenAiError(await request(`${stack.gateway.url}/v1/models`), 401);
  assertOpenAiError(
    await request(`${stack.gateway.url}/v1/chat/completions`, { method: 'POST', body: chatBody() }),
    401,
  );
});

test('an unknown key: 401, and the openai client raises AuthenticationError', { timeout: 10_000 }, async () => {
  const stranger = openaiClient(stack.gateway, generateKey());
  await expectApiError(stranger.models.list(), { status: 401, errorClass: OpenAI.AuthenticationError });
  await expectApiError(stranger.chat.completions.create(chatBody()), {
    status: 401,
    errorClass: OpenAI.AuthenticationError,
  });
  assert.equal(
    stack.fake.findRequest((r) => r.body?.messages?.[0]?.content === 'auth'),
    undefined,
    'a request without a valid key never reaches the upstream',
  );
});

test('malformed Authorization headers: 401', { timeout: 10_000 }, async () => {
  const url = `${stack.gateway.url}/v1/models`;
  for (const authorization of [
    `Basic ${Buffer.from('user:pass').toString('base64')}`,
    'Bearer',
    'Bearer ',
    `Bearer ${stack.user.api_key}x`,
    `Bearer ${stack.user.api_key.slice(0, -1)}`,
    stack.user.api_key,
  ]) {
    const answer = await request(url, { headers: { authorization } });
    assertOpenAiError(answer, 401);
  }
  assertOpenAiError(await request(url, { headers: { 'x-api-key': '' } }), 401);
  assertOpenAiError(await request(url, { headers: { 'x-api-key': generateKey() } }), 401);
});

test('x-api-key works like Bearer', { timeout: 10_000 }, async () => {
  const headers = { 'x-api-key': stack.user.api_key };
  const models = await request(`${stack.gateway.url}/v1/models`, { headers });
  assert.equal(models.status, 200, models.text);
  assert.ok(models.json.data.some((m) => m.id === gatewayModel('echo')));

  const chat = await request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: chatBody(),
  });
  assert.equal(chat.status, 200, chat.text);
  assert.equal(chat.json.choices[0].message.content, 'echo: auth');

  const viaSdk = new OpenAI({
    apiKey: 'unused',
    baseURL: stack.gateway.baseURL,
    maxRetries: 0,
    defaultHeaders: { authorization: null, 'x-api-key': stack.user.api_key },
  });
  const answer = await viaSdk.chat.completions.create(chatBody());
  assert.equal(answer.model, gatewayModel('echo'));
});

test('admin paths: no key 401, unknown key 401, user key 403, in the admin envelope', { timeout: 10_000 }, async () => {
  const url = `${stack.gateway.url}/admin/api-key/apply`;
  const body = { name: 'should-not-exist' };
  assertAdminError(await request(url, { method: 'POST', body }), 401);
  assertAdminError(await request(url, { method: 'POST', body, key: generateKey() }), 401);
  assertAdminError(await request(url, { method: 'POST', body, key: stack.user.api_key }), 403);
  assertAdminError(
    await request(url, { method: 'POST', body, headers: { 'x-api-key': stack.user.api_key } }),
    403,
  );
  for (const path of ['/admin/model/save', '/admin/group/authorize-model', '/admin/api-key/authorize-model']) {
    assertAdminError(
      await request(`${stack.gateway.url}${path}`, { method: 'POST', body: {}, key: stack.user.api_key }),
      403,
    );
  }
});

test('the admin key works on admin paths and on /v1', { timeout: 10_000 }, async () => {
  const viaHeader = await request(`${stack.gateway.url}/admin/api-key/apply`, {
    method: 'POST',
    body: { name: 'made-with-x-api-key' },
    headers: { 'x-api-key': stack.gateway.adminKey },
  });
  assert.equal(viaHeader.status, 200, viaHeader.text);
  assert.equal(viaHeader.json.success, true);
  // Which models the bootstrap key may use is not specified; that it is a valid key is.
  const models = await stack.adminClient.models.list();
  assert.ok(Array.isArray(models.data));
});
