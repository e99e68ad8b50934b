// The admin calls of the foundation (SPEC 3 and 4) and what /v1/models shows as a result.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { assertAdminError, expectApiError } from './lib/expect.js';
import { request } from './lib/http.js';
import {
  gatewayModel,
  kBehaviours,
  kDefaultGroupId,
  openaiClient,
  startStack,
  stopStack,
  upstreamRequestFor,
  uniquePrompt,
} from './lib/stack.js';

const kKeyPattern = /^br-[A-Za-z0-9]{32}$/;

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

function echoConfig(extra = {}) {
  return { baseUrl: `${stack.fake.url}/v1`, model: 'echo', ...extra };
}

async function modelIds(client) {
  const page = await client.models.list();
  return page.data.map((m) => m.id).sort();
}

test('apply returns the key row with a plain br- key that works at once', { timeout: 10_000 }, async () => {
  const row = await stack.admin.createKey({ name: 'apply-test', email: 'a@example.com' });
  assert.match(row.api_key, kKeyPattern);
  assert.equal(typeof row.id, 'number');
  assert.equal(row.name, 'apply-test');
  assert.equal(row.role, 'user');
  assert.equal(row.group_id, kDefaultGroupId);

  const client = openaiClient(stack.gateway, row.api_key);
  const ids = await modelIds(client);
  assert.deepEqual(ids, kBehaviours.map(gatewayModel).sort());

  const other = await stack.admin.createKey({ name: 'apply-test-2' });
  assert.match(other.api_key, kKeyPattern);
  assert.notEqual(other.api_key, row.api_key);
  assert.notEqual(other.id, row.id);
});

test('apply without a name is refused with 400 naming the field', { timeout: 10_000 }, async () => {
  const answer = await stack.admin.call('POST', '/admin/api-key/apply', { email: 'x@example.com' });
  assertAdminError(answer, 400);
  assert.match(answer.json.error.message, /name/);
});

test('an applied admin key can use the admin API', { timeout: 10_000 }, async () => {
  const row = await stack.admin.createKey({ name: 'second-admin', role: 'admin' });
  assert.equal(row.role, 'admin');
  const answer = await request(`${stack.gateway.url}/admin/api-key/apply`, {
    method: 'POST',
    body: { name: 'made-by-second-admin' },
    key: row.api_key,
  });
  assert.equal(answer.status, 200, answer.text);
  assert.match(answer.json.data.api_key, kKeyPattern);
});

test('/v1/models lists only models granted to the key group or to the key', { timeout: 10_000 }, async () => {
  const alice = await stack.admin.createKey({ name: 'alice' });
  const bob = await stack.admin.createKey({ name: 'bob' });
  const aliceClient = openaiClient(stack.gateway, alice.api_key);
  const bobClient = openaiClient(stack.gateway, bob.api_key);
  const base = await modelIds(aliceClient);
  assert.deepEqual(await modelIds(bobClient), base, 'two keys of one group see the same models');

  const hidden = await stack.admin.saveModel({ name: 'private-for-key', config: echoConfig() });
  const shared = await stack.admin.saveModel({ name: 'private-for-group', config: echoConfig() });
  assert.equal(typeof hidden.id, 'number');
  assert.deepEqual(await modelIds(aliceClient), [...base].sort(), 'a model granted to nobody is listed');

  await stack.admin.authorizeKey(alice.id, hidden.id);
  await stack.admin.authorizeKey(alice.id, hidden.id); // idempotent
  assert.deepEqual(await modelIds(aliceClient), [...base, 'private-for-key'].sort());
  assert.deepEqual(await modelIds(bobClient), [...base].sort(), 'a key grant leaks to another key');

  await stack.admin.authorizeGroup(kDefaultGroupId, shared.id);
  await stack.admin.authorizeGroup(kDefaultGroupId, shared.id); // idempotent
  assert.deepEqual(await modelIds(aliceClient), [...base, 'private-for-group', 'private-for-key'].sort());
  assert.deepEqual(await modelIds(bobClient), [...base, 'private-for-group'].sort());

  const prompt = uniquePrompt('key grant');
  const answer = await aliceClient.chat.completions.create({
    model: 'private-for-key',
    messages: [{ role: 'user', content: prompt }],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
  assert.equal(answer.model, 'private-for-key');
  await expectApiError(
    bobClient.chat.completions.create({ model: 'private-for-key', messages: [{ role: 'user', content: 'no' }] }),
    { status: 403, errorClass: OpenAI.PermissionDeniedError, code: 'model_not_authorized' },
  );
});

test('/v1/models entries have the OpenAI shape with owned_by and multiple', { timeout: 10_000 }, async () => {
  await stack.admin.saveModel({
    name: 'vision-model',
    config: echoConfig(),
    multiple: true,
    group_id: kDefaultGroupId,
  });
  const answer = await request(`${stack.gateway.url}/v1/models`, { key: stack.user.api_key });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.json.object, 'list');
  for (const entry of answer.json.data) {
    assert.equal(entry.object, 'model');
    assert.equal(typeof entry.id, 'string');
    assert.equal(typeof entry.created, 'number');
    assert.equal(entry.owned_by, 'openai-compatible');
    assert.equal(typeof entry.multiple, 'boolean');
  }
  assert.equal(answer.json.data.find((m) => m.id === 'vision-model').multiple, true);
  assert.equal(answer.json.data.find((m) => m.id === gatewayModel('echo')).multiple, false);
});

test('model save: config may be a JSON string; duplicate names are 409', { timeout: 10_000 }, async () => {
  const row = await stack.admin.saveModel({
    name: 'string-config',
    config: JSON.stringify(echoConfig()),
    group_id: kDefaultGroupId,
  });
  assert.equal(typeof row.id, 'number');
  const prompt = uniquePrompt('string config');
  const answer = await stack.client.chat.completions.create({
    model: 'string-config',
    messages: [{ role: 'user', content: prompt }],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);

  const duplicate = await stack.admin.call('POST', '/admin/model/save', {
    name: 'string-config',
    provider: 'openai-compatible',
    config: echoConfig(),
    price_in: 1,
    price_out: 1,
  });
  assertAdminError(duplicate, 409);
});

test('the upstream model id defaults to the gateway model name', { timeout: 10_000 }, async () => {
  // The fake answers by upstream id, so a gateway model named `echo` without `model` in its
  // config must reach the fake as `echo`.
  await stack.admin.saveModel({
    name: 'echo',
    config: { baseUrl: `${stack.fake.url}/v1` },
    group_id: kDefaultGroupId,
  });
  const prompt = uniquePrompt('default id');
  const answer = await stack.client.chat.completions.create({
    model: 'echo',
    messages: [{ role: 'user', content: prompt }],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
  const upstream = upstreamRequestFor(stack.fake, prompt);
  assert.equal(upstream.body.model, 'echo');
  assert.equal(upstream.headers.authorization, undefined, 'no apiKey in config: no Authorization upstream');
});

test('authorize-model with an unknown id answers 404 in the envelope', { timeout: 10_000 }, async () => {
  assertAdminError(
    await stack.admin.call('POST', '/admin/api-key/authorize-model', { key_id: 999999, model_id: stack.models.echo.id }),
    404,
  );
  assertAdminError(
    await stack.admin.call('POST', '/admin/group/authorize-model', { group_id: kDefaultGroupId, model_id: 999999 }),
    404,
  );
});
