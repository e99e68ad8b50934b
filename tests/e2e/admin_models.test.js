// /admin/model/... (SPEC 4 and 9): save (create and partial update), list, detail,
// delete, list-providers; config as object or string, validated per provider; secrets
// masked, and a masked secret saved back keeps the stored one.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { assertAdminError, expectApiError } from './lib/expect.js';
import {
  gatewayModel,
  kDefaultGroupId,
  kUpstreamApiKey,
  kUpstreamHeader,
  startStack,
  stopStack,
  uniquePrompt,
  upstreamRequestFor,
} from './lib/stack.js';

const kModelFields = ['config', 'created_at', 'id', 'multiple', 'name', 'price_in', 'price_out', 'provider', 'updated_at'];

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

async function modelIds() {
  return (await stack.client.models.list()).data.map((m) => m.id);
}

/** Sends one chat to `model` and returns the fake's record of it. */
async function chatAndRecord(model) {
  const prompt = uniquePrompt(`via ${model}`);
  const answer = await stack.client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
  assert.equal(answer.model, model);
  const record = upstreamRequestFor(stack.fake, prompt);
  assert.ok(record, 'the fake saw the request');
  return record;
}

function assertModelRow(row, expected = {}) {
  assert.deepEqual(Object.keys(row).sort(), kModelFields, JSON.stringify(row));
  assert.equal(typeof row.id, 'number');
  assert.equal(typeof row.config, 'object', 'config is rendered as an object');
  assert.equal(typeof row.multiple, 'boolean');
  for (const [field, value] of Object.entries(expected)) assert.deepEqual(row[field], value, field);
}

// ---- create -----------------------------------------------------------------------------

test('create: the row with prices, multiple and a masked config; group_id grants it', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const answer = await admin.call('POST', '/admin/model/save', {
    name: 'created-model',
    provider: 'openai-compatible',
    config: echoConfig({ apiKey: kUpstreamApiKey, maxTokens: 512 }),
    price_in: 0.5,
    price_out: '1.25',
    multiple: true,
    group_id: kDefaultGroupId,
  });
  assert.equal(answer.status, 200, answer.text);
  const row = answer.json.data;
  assertModelRow(row, {
    name: 'created-model',
    provider: 'openai-compatible',
    price_in: 0.5,
    price_out: 1.25,
    multiple: true,
    config: echoConfig({ apiKey: 'sk-…cret', maxTokens: 512 }),
  });
  assert.equal(answer.text.includes(kUpstreamApiKey), false, 'the secret is not shown');
  assert.ok((await modelIds()).includes('created-model'), 'granted to the default group');
  const record = await chatAndRecord('created-model');
  assert.equal(record.headers.authorization, `Bearer ${kUpstreamApiKey}`);
  assert.equal(record.body.model, 'echo');

  const defaults = await admin.ok('POST', '/admin/model/save', {
    name: 'minimal-model',
    provider: 'openai-compatible',
    config: echoConfig(),
  });
  assertModelRow(defaults, { price_in: 0, price_out: 0, multiple: false });
  assert.equal((await modelIds()).includes('minimal-model'), false, 'no group_id: granted to nobody');
});

test('create: config may be a JSON string; prices are exact to 9 decimals', { timeout: 10_000 }, async () => {
  const row = await stack.admin.saveModel({
    name: 'string-config-model',
    config: JSON.stringify(echoConfig({ apiKey: 'sk-string-secret-1234' })),
    price_in: 0.000000001,
    price_out: '123456.123456789',
    group_id: kDefaultGroupId,
  });
  assert.deepEqual(row.config, echoConfig({ apiKey: 'sk-…1234' }));
  assert.equal(row.price_in, 0.000000001);
  assert.equal(row.price_out, 123456.123456789);
  const record = await chatAndRecord('string-config-model');
  assert.equal(record.headers.authorization, 'Bearer sk-string-secret-1234');
});

test('create: each invalid field is 400 naming it; nothing is created', { timeout: 15_000 }, async () => {
  const { admin } = stack;
  const before = await admin.list('/admin/model/list', { limit: 1000 });
  const valid = { name: 'never-created', provider: 'openai-compatible', config: echoConfig() };
  const cases = [
    [{ ...valid, name: undefined }, 'name', /name: required/],
    [{ ...valid, name: '' }, 'name', /name/],
    [{ ...valid, name: 12 }, 'name', /name: must be a string/],
    [{ ...valid, provider: undefined }, 'provider', /provider: required/],
    [{ ...valid, provider: 7 }, 'provider', /provider: must be a string/],
    [{ ...valid, provider: 'telepathy' }, 'provider', /provider: unknown provider 'telepathy'.*openai-compatible/],
    [{ ...valid, config: undefined }, 'config.baseUrl', /config\.baseUrl: required/],
    [{ ...valid, config: {} }, 'config.baseUrl', /config\.baseUrl: required/],
    [{ ...valid, config: '' }, 'config.baseUrl', /config\.baseUrl/],
    [{ ...valid, config: 42 }, 'config', /config: must be a JSON object/],
    [{ ...valid, config: [] }, 'config', /config/],
    [{ ...valid, config: '{"baseUrl": ' }, 'config', /config: must be a JSON object/],
    [{ ...valid, config: '["a"]' }, 'config', /config/],
    [{ ...valid, config: { baseUrl: 5 } }, 'config.baseUrl', /config\.baseUrl: must be a string/],
    [{ ...valid, config: { baseUrl: 'not a url' } }, 'config.baseUrl', /config\.baseUrl/],
    [{ ...valid, config: echoConfig({ apiKey: 99 }) }, 'config.apiKey', /config\.apiKey: must be a string/],
    [{ ...valid, config: echoConfig({ model: false }) }, 'config.model', /config\.model/],
    [{ ...valid, config: echoConfig({ maxTokens: -1 }) }, 'config.maxTokens', /config\.maxTokens: must be a positive integer/],
    [{ ...valid, config: echoConfig({ maxTokens: '100' }) }, 'config.maxTokens', /config\.maxTokens/],
    [{ ...valid, config: echoConfig({ headers: 'x' }) }, 'config.headers', /config\.headers: must be an object/],
    [{ ...valid, config: echoConfig({ headers: { 'x-n': 1 } }) }, 'config.headers.x-n', /config\.headers\.x-n: must be a string/],
    [{ ...valid, price_in: -1 }, 'price_in', /price_in: must not be negative/],
    [{ ...valid, price_in: 'cheap' }, 'price_in', /price_in: must be a number/],
    [{ ...valid, price_out: -0.5 }, 'price_out', /price_out: must not be negative/],
    [{ ...valid, price_out: 0.0000000001 }, 'price_out', /price_out/],
    [{ ...valid, multiple: 'yes' }, 'multiple', /multiple: must be true or false/],
    [{ ...valid, group_id: 'one' }, 'group_id', /group_id/],
    [{ ...valid, group_id: 424242 }, 'group_id', /group/],
    [{ ...valid, id: 'x' }, 'id', /id/],
  ];
  for (const [body, param, message] of cases) {
    const answer = await admin.call('POST', '/admin/model/save', body);
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.status} ${answer.text}`);
    assertAdminError(answer, 400, { param, message });
  }
  assert.deepEqual(await admin.list('/admin/model/list', { limit: 1000 }), before, 'a refused save changed the list');
});

test('duplicate names are 409, on create and on rename', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const first = await admin.saveModel({ name: 'dup-model', config: echoConfig() });
  const second = await admin.saveModel({ name: 'dup-model-2', config: echoConfig() });
  await admin.fails(
    'POST',
    '/admin/model/save',
    { name: 'dup-model', provider: 'openai-compatible', config: echoConfig() },
    409,
    { param: 'name', message: /dup-model/ },
  );
  await admin.fails('POST', '/admin/model/save', { id: second.id, name: 'dup-model' }, 409, { param: 'name' });
  assert.equal((await admin.get(`/admin/model/detail/${second.id}`)).name, 'dup-model-2');
  // Saving a model under its own name is no conflict.
  assert.equal((await admin.ok('POST', '/admin/model/save', { id: first.id, name: 'dup-model' })).name, 'dup-model');
});

// ---- update -----------------------------------------------------------------------------

test('update with only price_in changes only price_in', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.saveModel({
    name: 'partial-model',
    config: echoConfig({ apiKey: kUpstreamApiKey, headers: { [kUpstreamHeader[0]]: kUpstreamHeader[1] } }),
    price_in: 3,
    price_out: 4,
    multiple: true,
    group_id: kDefaultGroupId,
  });
  const updated = await admin.ok('POST', '/admin/model/save', { id: row.id, price_in: 7.5 });
  assert.deepEqual({ ...updated, updated_at: 0 }, { ...row, price_in: 7.5, updated_at: 0 });
  assert.deepEqual(await admin.get(`/admin/model/detail/${row.id}`), updated);
  // Config, grant and secret survived.
  const record = await chatAndRecord('partial-model');
  assert.equal(record.headers.authorization, `Bearer ${kUpstreamApiKey}`);
  assert.equal(record.headers[kUpstreamHeader[0]], kUpstreamHeader[1]);

  const multipleOnly = await admin.ok('POST', '/admin/model/save', { id: row.id, multiple: false });
  assert.deepEqual({ ...multipleOnly, updated_at: 0 }, { ...updated, multiple: false, updated_at: 0 });
  const listed = (await stack.client.models.list()).data.find((m) => m.id === 'partial-model');
  assert.equal(listed.multiple, false, '/v1/models sees the update at once');
});

test('a masked apiKey saved back keeps the stored secret (the upstream still gets it)', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.saveModel({
    name: 'masked-roundtrip',
    config: echoConfig({ apiKey: kUpstreamApiKey }),
    group_id: kDefaultGroupId,
  });
  const shown = await admin.get(`/admin/model/detail/${row.id}`);
  assert.equal(shown.config.apiKey, 'sk-…cret');

  // What a console does: send the whole row back, with one field changed.
  const edited = await admin.ok('POST', '/admin/model/save', {
    ...shown,
    config: { ...shown.config, headers: { 'x-edited': 'yes' } },
  });
  assert.equal(edited.config.apiKey, 'sk-…cret');
  let record = await chatAndRecord('masked-roundtrip');
  assert.equal(record.headers.authorization, `Bearer ${kUpstreamApiKey}`, 'the original secret is kept');
  assert.equal(record.headers['x-edited'], 'yes', 'the edited field applied');

  // The same as a JSON string.
  await admin.ok('POST', '/admin/model/save', { id: row.id, config: JSON.stringify(shown.config) });
  record = await chatAndRecord('masked-roundtrip');
  assert.equal(record.headers.authorization, `Bearer ${kUpstreamApiKey}`);
  assert.equal(record.headers['x-edited'], undefined, 'a sent config replaces the stored one');

  // A new secret replaces it; a config without apiKey removes it.
  await admin.ok('POST', '/admin/model/save', { id: row.id, config: echoConfig({ apiKey: 'sk-rotated-secret-9876' }) });
  record = await chatAndRecord('masked-roundtrip');
  assert.equal(record.headers.authorization, 'Bearer sk-rotated-secret-9876');
  await admin.ok('POST', '/admin/model/save', { id: row.id, config: echoConfig() });
  record = await chatAndRecord('masked-roundtrip');
  assert.equal(record.headers.authorization, undefined);
});

test('update: name, config as object and as string, group_id; each applies to the next request', { timeout: 15_000 }, async () => {
  const { admin } = stack;
  const row = await admin.saveModel({ name: 'renamable', config: echoConfig(), group_id: kDefaultGroupId });
  await chatAndRecord('renamable');

  const renamed = await admin.ok('POST', '/admin/model/save', { id: row.id, name: 'renamed-model' });
  assert.equal(renamed.name, 'renamed-model');
  const ids = await modelIds();
  assert.ok(ids.includes('renamed-model') && !ids.includes('renamable'));
  await chatAndRecord('renamed-model');
  await expectApiError(
    stack.client.chat.completions.create({ model: 'renamable', messages: [{ role: 'user', content: 'x' }] }),
    { status: 404, errorClass: OpenAI.NotFoundError, code: 'model_not_found' },
  );

  await admin.ok('POST', '/admin/model/save', { id: row.id, config: echoConfig({ model: 'echo-fragmented' }) });
  assert.equal((await chatAndRecord('renamed-model')).body.model, 'echo-fragmented');
  await admin.ok('POST', '/admin/model/save', { id: row.id, config: JSON.stringify(echoConfig({ model: 'echo' })) });
  assert.equal((await chatAndRecord('renamed-model')).body.model, 'echo');

  const ungranted = await admin.saveModel({ name: 'granted-on-update', config: echoConfig() });
  assert.equal((await modelIds()).includes('granted-on-update'), false);
  await admin.ok('POST', '/admin/model/save', { id: ungranted.id, group_id: kDefaultGroupId });
  assert.ok((await modelIds()).includes('granted-on-update'));
});

test('update: invalid input is 400 naming the field and leaves the row as it was', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.saveModel({ name: 'guarded-model', config: echoConfig({ apiKey: kUpstreamApiKey }), price_in: 2 });
  const cases = [
    [{ name: '' }, 'name', /name/],
    [{ name: 5 }, 'name', /name/],
    [{ provider: 'telepathy' }, 'provider', /unknown provider/],
    [{ provider: '' }, 'provider', /provider/],
    [{ config: { model: 'echo' } }, 'config.baseUrl', /config\.baseUrl: required/],
    [{ config: '{broken' }, 'config', /config/],
    [{ config: echoConfig({ maxTokens: 0 }) }, 'config.maxTokens', /config\.maxTokens/],
    [{ price_in: -2 }, 'price_in', /must not be negative/],
    [{ price_out: 'free' }, 'price_out', /price_out/],
    [{ multiple: 2 }, 'multiple', /multiple/],
    [{ group_id: 424242 }, 'group_id', /group/],
    [{ price_in: 9, config: { model: 'echo' } }, 'config.baseUrl', /config\.baseUrl/],
  ];
  for (const [changes, param, message] of cases) {
    const answer = await admin.call('POST', '/admin/model/save', { id: row.id, ...changes });
    assert.equal(answer.status, 400, `${JSON.stringify(changes)}: ${answer.status} ${answer.text}`);
    assertAdminError(answer, 400, { param, message });
  }
  assert.deepEqual(await admin.get(`/admin/model/detail/${row.id}`), row, 'a refused update changed the row');
  await admin.fails('POST', '/admin/model/save', { id: 999999, price_in: 1 }, 404, { message: /999999/ });
});

test('bedrock-converse: secrets masked; a masked bearerToken saved back is still sent upstream', { timeout: 15_000 }, async (t) => {
  const { admin, fake } = stack;
  const providers = await admin.get('/admin/model/list-providers');
  if (!providers.some((p) => p.name === 'bedrock-converse')) {
    t.todo('the bedrock-converse provider is not registered in this build yet');
  }
  const secret = 'bedrock-bearer-secret-123456';
  const row = await admin.saveModel({
    name: 'bedrock-masked',
    provider: 'bedrock-converse',
    config: { modelId: 'test.model-v1', region: 'us-east-1', bearerToken: secret, endpoint: fake.url },
    group_id: kDefaultGroupId,
  });
  assert.deepEqual(row.config, { modelId: 'test.model-v1', region: 'us-east-1', bearerToken: 'bed…3456', endpoint: fake.url });

  // The fake is no Bedrock: it answers 404, but it records what the gateway sent.
  const sendAndRecord = async () => {
    const prompt = uniquePrompt('bedrock');
    await stack.client.chat.completions
      .create({ model: 'bedrock-masked', messages: [{ role: 'user', content: prompt }] })
      .catch(() => {});
    const record = fake.findRequest((r) => r.body?.messages?.[0]?.content?.[0]?.text === prompt);
    assert.ok(record, 'the Converse request reached the fake');
    assert.equal(record.path, '/model/test.model-v1/converse');
    return record;
  };
  assert.equal((await sendAndRecord()).headers.authorization, `Bearer ${secret}`);

  const shown = await admin.get(`/admin/model/detail/${row.id}`);
  await admin.ok('POST', '/admin/model/save', { id: row.id, price_out: 9, config: JSON.stringify(shown.config) });
  assert.equal((await sendAndRecord()).headers.authorization, `Bearer ${secret}`, 'the stored token was kept');

  // Keys and types are checked per provider, naming the key.
  for (const [config, param] of [
    [{ region: 'us-east-1', bearerToken: secret }, 'config.modelId'],
    [{ modelId: 5, region: 'us-east-1', bearerToken: secret }, 'config.modelId'],
    [{ modelId: 'm', region: 'Not A Region', bearerToken: secret }, 'config.region'],
    [{ modelId: 'm', region: 'us-east-1', accessKeyId: 'AKID' }, 'config.secretAccessKey'],
    [{ modelId: 'm', region: 'us-east-1', bearerToken: secret, maxTokens: -1 }, 'config.maxTokens'],
  ]) {
    await admin.fails('POST', '/admin/model/save', { id: row.id, config }, 400, { param });
  }
});

// ---- delete -----------------------------------------------------------------------------

test('delete removes the model and its grants at once; the name can be used again', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.saveModel({ name: 'deletable-model', config: echoConfig(), group_id: kDefaultGroupId });
  await admin.authorizeKey(stack.user.id, row.id);
  await chatAndRecord('deletable-model');

  assert.deepEqual(await admin.ok('POST', '/admin/model/delete', { id: row.id }), { id: row.id });
  assert.equal((await modelIds()).includes('deletable-model'), false);
  await expectApiError(
    stack.client.chat.completions.create({ model: 'deletable-model', messages: [{ role: 'user', content: 'x' }] }),
    { status: 404, errorClass: OpenAI.NotFoundError, code: 'model_not_found' },
  );
  await admin.fails('GET', `/admin/model/detail/${row.id}`, undefined, 404);
  assert.equal((await admin.list('/admin/group/list-model', { model_id: row.id })).total, 0);
  assert.equal((await admin.list('/admin/api-key/list-model', { model_id: row.id })).total, 0);
  await admin.fails('POST', '/admin/model/delete', { id: row.id }, 404);
  await admin.fails('POST', '/admin/model/delete', {}, 400, { param: 'id' });
  await admin.fails('POST', '/admin/model/delete', { id: 'abc' }, 400, { param: 'id' });

  const again = await admin.saveModel({ name: 'deletable-model', config: echoConfig() });
  assert.ok(again.id > row.id, `the id ${row.id} of a deleted model was reused (${again.id})`);
  assert.equal((await modelIds()).includes('deletable-model'), false, 'the old grants did not come back');
});

// ---- list, detail, providers ------------------------------------------------------------

test('list: masked configs, newest first, paging, q (case-insensitive) and provider', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  for (let index = 0; index < 4; ++index) {
    await admin.saveModel({ name: `Listed-Model-${index}`, config: echoConfig({ apiKey: `sk-listed-secret-${index}` }) });
  }
  const page = await admin.list('/admin/model/list', { q: 'LISTED-model', limit: 3 });
  assert.equal(page.total, 4);
  assert.deepEqual(page.items.map((m) => m.name), ['Listed-Model-3', 'Listed-Model-2', 'Listed-Model-1']);
  for (const item of page.items) assertModelRow(item);
  assert.deepEqual(page.items.map((m) => m.config.apiKey), ['sk-…et-3', 'sk-…et-2', 'sk-…et-1']);
  const rest = await admin.list('/admin/model/list', { q: 'listed-model', limit: 3, offset: 3 });
  assert.deepEqual(rest.items.map((m) => m.name), ['Listed-Model-0']);

  const all = await admin.list('/admin/model/list', { limit: 1000 });
  const ids = all.items.map((m) => m.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  assert.equal(all.total, all.items.length);
  const text = JSON.stringify(all);
  assert.equal(text.includes(kUpstreamApiKey), false);
  assert.equal(text.includes('sk-listed-secret'), false);
  // q must not search configs: it would be an oracle for the secrets the list masks.
  assert.equal((await admin.list('/admin/model/list', { q: 'sk-listed-secret' })).total, 0);
  assert.equal((await admin.list('/admin/model/list', { q: kUpstreamApiKey })).total, 0);

  assert.deepEqual(await admin.list('/admin/model/list', { q: '', provider: '', limit: 1000, offset: '' }), all);
  for (const provider of new Set(all.items.map((m) => m.provider))) {
    const only = await admin.list('/admin/model/list', { provider, limit: 1000 });
    assert.deepEqual(only.items, all.items.filter((m) => m.provider === provider), `provider=${provider}`);
  }
  assert.equal((await admin.list('/admin/model/list', { provider: 'OpenAI-Compatible' })).total, 0, 'provider is exact');
  assert.ok((await admin.list('/admin/model/list', { q: 'OPENAI-COMP', limit: 1000 })).total > 0, 'q searches the provider');
  assert.equal((await admin.list('/admin/model/list', { provider: 'bedrock-converse-nope' })).total, 0);
  assert.equal((await admin.list('/admin/model/list', { q: 'zzz-nothing' })).total, 0);
  assert.equal((await admin.list('/admin/model/list', { limit: 5000 })).limit, 1000);
  await admin.fails('GET', '/admin/model/list?limit=0', undefined, 400, { param: 'limit' });
  await admin.fails('GET', '/admin/model/list?offset=x', undefined, 400, { param: 'offset' });
});

test('detail: one masked model; unknown id 404', { timeout: 10_000 }, async () => {
  const { admin, models } = stack;
  const detail = await admin.get(`/admin/model/detail/${models.echo.id}`);
  assertModelRow(detail, {
    id: models.echo.id,
    name: gatewayModel('echo'),
    config: {
      baseUrl: `${stack.fake.url}/v1`,
      apiKey: 'sk-…cret',
      model: 'echo',
      headers: { [kUpstreamHeader[0]]: kUpstreamHeader[1] },
    },
  });
  await admin.fails('GET', '/admin/model/detail/999999', undefined, 404, { message: /999999/ });
});

test('list-providers names each provider and its secret config keys', { timeout: 10_000 }, async () => {
  const providers = await stack.admin.get('/admin/model/list-providers');
  assert.ok(Array.isArray(providers));
  const openai = providers.find((p) => p.name === 'openai-compatible');
  assert.deepEqual(openai, { name: 'openai-compatible', secret_keys: ['apiKey'] });
  for (const provider of providers) {
    assert.equal(typeof provider.name, 'string');
    assert.ok(Array.isArray(provider.secret_keys));
  }
  const bedrock = providers.find((p) => p.name === 'bedrock-converse');
  if (bedrock) {
    for (const key of ['secretAccessKey', 'bearerToken']) assert.ok(bedrock.secret_keys.includes(key), key);
  }
});
