// The seed API (../shared/seeds/000_bddf5e57ad9a43c6.txt): every example request of the
// admin sections, sent byte for byte as the seed shows it (the only change: the recharge
// example's placeholder "br-xxxxxxxxxxxxxxx" becomes a real key), must succeed.
//
// The gateway here starts empty, as a new installation would: key 1 is the bootstrap admin,
// group 1 is "default", so the seed's ids (`"id": 2` is the first applied key, `"id": 1`
// the first model and the first bot) mean what they meant for the seed's authors.
//
// The seed's model is `bedrock-converse` with config {"modelId": "somevalue"}: no region,
// no credentials. The provider then takes them from the gateway's environment (AWS_REGION,
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), so this gateway runs with those set, as a
// deployment on AWS would; without them the body is refused with 400 naming config.region.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeUpstream } from '../fakes/openai_upstream.js';
import { Admin } from './lib/admin.js';
import { assertAdminError } from './lib/expect.js';
import { startGateway } from './lib/gateway.js';
import { request } from './lib/http.js';
import { sseDataLines } from './lib/stack.js';

const kAwsEnvironment = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: '',
  AWS_ACCESS_KEY_ID: 'AKIDSEEDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'seed-example-secret-access-key',
  AWS_SESSION_TOKEN: '',
  AWS_BEARER_TOKEN_BEDROCK: '',
};

let fake;
let gateway;
let admin;
const seen = {}; // what earlier steps created: jack, rob

before(async () => {
  fake = await startFakeUpstream();
  gateway = await startGateway({ env: kAwsEnvironment });
  admin = new Admin(gateway.url, gateway.adminKey);
}, { timeout: 60_000 });

after(async () => {
  try {
    await gateway?.stop();
  } finally {
    await fake?.close();
  }
}, { timeout: 60_000 });

/** Sends a seed example as it is written: the request line, its headers, its body text. */
async function seedCall(method, path, bodyText, key = gateway.adminKey) {
  const headers = { authorization: `Bearer ${key}` };
  if (bodyText !== undefined) headers['content-type'] = 'application/json';
  const answer = await request(`${gateway.url}${path}`, { method, headers, body: bodyText });
  assert.equal(answer.status, 200, `${method} ${path}: ${answer.status} ${answer.text}`);
  assert.equal(answer.json?.success, true, answer.text);
  return answer.json.data;
}

async function providerRegistered(name) {
  const providers = await admin.get('/admin/model/list-providers');
  return providers.some((p) => p.name === name);
}

// ---- API key ----------------------------------------------------------------------------

test('seed: Create an api key', { timeout: 10_000 }, async () => {
  const jack = await seedCall('POST', '/admin/api-key/apply', `{
  "name": "jack",
  "group_id": 1,
  "role": "user",
  "email": "",
  "month_quota": 1.00
}`);
  assert.equal(jack.id, 2, 'the first applied key is id 2, as the seed assumes');
  assert.equal(jack.name, 'jack');
  assert.equal(jack.group_id, 1);
  assert.equal(jack.role, 'user');
  assert.equal(jack.email, '');
  assert.equal(jack.month_quota, 1);
  assert.match(jack.api_key, /^br-[A-Za-z0-9]{32}$/);
  seen.jack = jack;
});

test('seed: Create an api key with admin role', { timeout: 10_000 }, async () => {
  const rob = await seedCall('POST', '/admin/api-key/apply', `{
  "name": "rob",
  "group_id": 1,
  "role": "admin",
  "email": ""
}`);
  assert.equal(rob.role, 'admin');
  assert.equal(rob.month_quota, 0);
  seen.rob = rob;
  // rob is an administrator now.
  await seedCall('GET', '/admin/api-key/list?q=&name=&group_id=&role=&limit=10&offset=', undefined, rob.api_key);
});

test("seed: Update and api key's info", { timeout: 10_000 }, async () => {
  const updated = await seedCall('POST', '/admin/api-key/update', `{
  "id": 2,
  "name": "jack",
  "month_quota": 10.00
}`);
  assert.equal(updated.id, 2);
  assert.equal(updated.name, 'jack');
  assert.equal(updated.month_quota, 10);
  assert.equal(updated.role, 'user', 'fields not given stay');
  assert.equal(updated.group_id, 1);
});

test('seed: Recharge up an API key (with a real key in place of the placeholder)', { timeout: 10_000 }, async () => {
  const body = `{
  "api_key": "br-xxxxxxxxxxxxxxx",
  "balance": 0.23
}`.replace('br-xxxxxxxxxxxxxxx', seen.jack.api_key);
  const recharged = await seedCall('POST', '/admin/api-key/recharge', body);
  assert.equal(recharged.id, 2);
  assert.equal(recharged.balance, 0.23);
  assert.equal(recharged.payment.amount, 0.23);
  assert.equal(recharged.payment.balance_after, 0.23);
});

test('seed: Recharge history', { timeout: 10_000 }, async () => {
  const history = await seedCall('GET', '/admin/payment/list?key_id=');
  assert.equal(history.total, 1);
  assert.equal(history.items[0].key_id, 2);
  assert.equal(history.items[0].key_name, 'jack');
  assert.equal(history.items[0].amount, 0.23);
  assert.equal(history.items[0].admin_key_name, 'admin');
});

test('seed: List api keys', { timeout: 10_000 }, async () => {
  const answer = await request(`${gateway.url}/admin/api-key/list?q=&name=&group_id=&role=&limit=10&offset=`, {
    headers: { authorization: `Bearer ${gateway.adminKey}` },
  });
  assert.equal(answer.status, 200, answer.text);
  const list = answer.json.data;
  assert.equal(list.total, 3);
  assert.equal(list.limit, 10);
  assert.equal(list.offset, 0);
  assert.deepEqual(list.items.map((k) => k.name), ['rob', 'jack', 'admin']);
  for (const plain of [seen.jack.api_key, seen.rob.api_key, gateway.adminKey]) {
    assert.equal(answer.text.includes(plain), false, 'a plain key in the list');
  }
});

// ---- Model ------------------------------------------------------------------------------

test('seed: List models', { timeout: 10_000 }, async () => {
  const list = await seedCall('GET', '/admin/model/list?q=&limit=10&offset=');
  assert.deepEqual(list, { items: [], total: 0, limit: 10, offset: 0 });
});

test('seed: Create, Update and Delete a model (bedrock-converse)', { timeout: 10_000 }, async (t) => {
  if (!(await providerRegistered('bedrock-converse'))) {
    t.todo('the bedrock-converse provider is not registered in this build yet');
  }
  const created = await seedCall('POST', '/admin/model/save', `{
  "name": "xxxx",
  "group_id": 1,
  "multiple": false, 
  "config": "{\\"modelId\\": \\"somevalue\\"}", 
  "provider": "bedrock-converse",
  "price_in": 1,
  "price_out":3
}`);
  assert.equal(created.id, 1, 'the first model is id 1, as the seed assumes');
  assert.equal(created.name, 'xxxx');
  assert.equal(created.provider, 'bedrock-converse');
  assert.deepEqual(created.config, { modelId: 'somevalue' });
  assert.equal(created.price_in, 1);
  assert.equal(created.price_out, 3);
  assert.equal(created.multiple, false);
  const jackModels = await request(`${gateway.url}/v1/models`, { key: seen.jack.api_key });
  assert.deepEqual(jackModels.json.data.map((m) => m.id), ['xxxx'], 'group_id 1 granted it');

  const updated = await seedCall('POST', '/admin/model/save', `{
  "id": 1,
  "name": "xxxx",
  "group_id": 1,
  "multiple": false, 
  "config": "{\\"modelId\\": \\"somevalue\\"}", 
  "provider": "bedrock-converse",
  "price_in": 1,
  "price_out":3
}`);
  assert.deepEqual({ ...updated, updated_at: 0 }, { ...created, updated_at: 0 });
  assert.equal((await admin.list('/admin/model/list')).total, 1, 'the update did not create a model');

  const deleted = await seedCall('POST', '/admin/model/delete', `{
  "id": 1
}`);
  assert.deepEqual(deleted, { id: 1 });
  assert.equal((await admin.list('/admin/model/list')).total, 0);
  const after = await request(`${gateway.url}/v1/models`, { key: seen.jack.api_key });
  assert.deepEqual(after.json.data, []);
});

// ---- Webhook ----------------------------------------------------------------------------

test('seed: List, Create, Update and Delete a webhook', { timeout: 10_000 }, async () => {
  const empty = await seedCall('GET', '/admin/bot/feishu/list?q=&limit=10&offset=');
  assert.deepEqual(empty, { items: [], total: 0, limit: 10, offset: 0 });

  const created = await seedCall('POST', '/admin/bot/feishu/save', `{
  "name": "xxxx",
  "config": "{\\"appId\\": \\"cli_xxxxx\\", \\"apiKey\\": \\"br-xxxxx\\", \\"modelId\\": \\"claude-3-sonnet\\", \\"appSecret\\": \\"xxxxx\\" }", 
  "provider": "bedrock-converse"
}`);
  assert.equal(created.id, 1);
  assert.equal(created.name, 'xxxx');
  assert.equal(created.provider, 'bedrock-converse');
  assert.equal(created.app_id, 'cli_xxxxx');
  assert.equal(created.config.appId, 'cli_xxxxx');
  assert.equal(created.config.modelId, 'claude-3-sonnet');
  assert.notEqual(created.config.appSecret, 'xxxxx', 'secrets are masked');
  assert.notEqual(created.config.apiKey, 'br-xxxxx', 'secrets are masked');

  const updated = await seedCall('POST', '/admin/bot/feishu/save', `{ 
  "appId": "cli_xxxxx", 
  "apiKey": "br-xxxxx", 
  "modelId": "claude-3-sonnet", 
  "appSecret": "xxxxx" 
}`);
  assert.equal(updated.id, 1, 'the update names the bot by its appId');
  assert.equal(updated.name, 'xxxx', 'the name stays');
  const list = await seedCall('GET', '/admin/bot/feishu/list?q=&limit=10&offset=');
  assert.equal(list.total, 1, 'the update did not create a second bot');

  const deleted = await seedCall('POST', '/admin/bot/feishu/delete', `{
  "id": 1
}`);
  assert.deepEqual(deleted, { id: 1 });
  assert.equal((await seedCall('GET', '/admin/bot/feishu/list?q=&limit=10&offset=')).total, 0);
});

// ---- Group ------------------------------------------------------------------------------

test('seed: List groups', { timeout: 10_000 }, async () => {
  const list = await seedCall('GET', '/admin/group/list?q=&limit=10&offset=');
  assert.equal(list.total, 1);
  assert.equal(list.items[0].id, 1);
  assert.equal(list.items[0].name, 'default');
  assert.equal(list.items[0].key_count, 3);
});

test('seed: Delete a group (group 1 is the default and stays: SPEC 4)', { timeout: 10_000 }, async () => {
  // The seed's body names id 1. In llmgate group 1 is the default group every key falls
  // back to, which cannot be deleted; the same body for any other group deletes it.
  const body = `{
  "id": 1
}`;
  const refused = await request(`${gateway.url}/admin/group/delete`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.adminKey}`, 'content-type': 'application/json' },
    body,
  });
  assertAdminError(refused, 400, { param: 'id', message: /default group/ });
  assert.equal((await admin.get('/admin/group/detail/1')).name, 'default');

  const group = await admin.ok('POST', '/admin/group/save', { name: 'seed-group' });
  const deleted = await seedCall('POST', '/admin/group/delete', body.replace('1', String(group.id)));
  assert.deepEqual(deleted, { id: group.id });
});

// ---- LLM API ----------------------------------------------------------------------------

test('seed: Completions (stream) and List models with the seed bodies', { timeout: 10_000 }, async () => {
  await admin.saveModel({
    name: 'claude-3-sonnet',
    config: { baseUrl: `${fake.url}/v1`, model: 'echo' },
    group_id: 1,
  });
  const models = await request(`${gateway.url}/v1/models`, {
    headers: { authorization: `Bearer ${seen.jack.api_key}` },
  });
  assert.equal(models.status, 200, models.text);
  assert.deepEqual(models.json.data.map((m) => m.id), ['claude-3-sonnet']);

  const answer = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${seen.jack.api_key}` },
    body: `{
  "model": "claude-3-sonnet",
  "messages": [
    {
      "role": "user",
      "content": "ping"
    }
  ],
  "stream": true,
  "temperature": 1,
  "max_tokens": 4096
}`,
  });
  assert.equal(answer.status, 200, answer.text);
  assert.match(answer.headers.get('content-type'), /^text\/event-stream/);
  const events = sseDataLines(answer.text);
  assert.equal(events.at(-1), '[DONE]');
  const text = events
    .slice(0, -1)
    .map((line) => JSON.parse(line))
    .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
    .join('');
  assert.equal(text, 'echo: ping');
});

// ---- Delete an api key: last, because the seed's body deletes key 1, the bootstrap admin --

test('seed: Delete an api key (rob deletes key 1, which stops working at once)', { timeout: 10_000 }, async () => {
  const deleted = await seedCall('POST', '/admin/api-key/delete', `{
  "id": 1
}`, seen.rob.api_key);
  assert.deepEqual(deleted, { id: 1 });
  assertAdminError(await request(`${gateway.url}/admin/api-key/list`, { key: gateway.adminKey }), 401);
  const list = await seedCall('GET', '/admin/api-key/list?q=&name=&group_id=&role=&limit=10&offset=', undefined, seen.rob.api_key);
  assert.deepEqual(list.items.map((k) => k.name), ['rob', 'jack']);
});

// ---- Without AWS settings in the environment ---------------------------------------------

test("the seed's bedrock model body without AWS_REGION anywhere: 400 naming config.region", { timeout: 30_000 }, async (t) => {
  const bare = await startGateway({
    env: Object.fromEntries(Object.keys(kAwsEnvironment).map((name) => [name, ''])),
  });
  try {
    const bareAdmin = new Admin(bare.url, bare.adminKey);
    if (!(await bareAdmin.get('/admin/model/list-providers')).some((p) => p.name === 'bedrock-converse')) {
      t.todo('the bedrock-converse provider is not registered in this build yet');
    }
    const answer = await request(`${bare.url}/admin/model/save`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bare.adminKey}`, 'content-type': 'application/json' },
      body: '{"name": "xxxx", "group_id": 1, "multiple": false, "config": "{\\"modelId\\": \\"somevalue\\"}", "provider": "bedrock-converse", "price_in": 1, "price_out": 3}',
    });
    assertAdminError(answer, 400, { param: 'config.region', message: /AWS_REGION/ });
    // With a region in the config, credentials are what is missing.
    const noCredentials = await bareAdmin.call('POST', '/admin/model/save', {
      name: 'xxxx',
      provider: 'bedrock-converse',
      config: { modelId: 'somevalue', region: 'us-east-1' },
    });
    assertAdminError(noCredentials, 400, { param: 'config.accessKeyId' });
    assert.equal((await bareAdmin.list('/admin/model/list')).total, 0);
  } finally {
    await bare.stop();
  }
});
