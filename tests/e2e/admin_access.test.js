// Who may call the admin and user APIs (SPEC 2 and 3), checked on every route: 401 without
// a valid key, 403 for a user key, nothing changed by a refused call; 404 for unknown ids on
// every call that names one; malformed bodies.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateKey } from './lib/gateway.js';
import { assertAdminError } from './lib/expect.js';
import { request } from './lib/http.js';
import { kAdminRoutes, kUserRoutes } from './lib/routes.js';
import { kDefaultGroupId, startStack, stopStack } from './lib/stack.js';

const kUnknownId = 987654;

let stack;
let world;

before(async () => {
  stack = await startStack();
  const { admin, fake, models } = stack;
  // Things a refused call would damage if it got through.
  const victim = await admin.createKey({ name: 'victim', balance: 5 });
  const group = await admin.ok('POST', '/admin/group/save', { name: 'victim-group' });
  const keyInGroup = await admin.createKey({ name: 'victim-in-group', group_id: group.id });
  const hidden = await admin.saveModel({ name: 'victim-hidden', config: { baseUrl: `${fake.url}/v1`, model: 'echo' } });
  await admin.authorizeKey(victim.id, models.echo.id);
  await admin.authorizeGroup(group.id, models.tools.id);
  const bot = await admin.ok('POST', '/admin/bot/feishu/save', {
    name: 'victim-bot',
    config: { appId: 'cli_victim', appSecret: 'victim-app-secret', apiKey: victim.api_key, modelId: 'gw-echo' },
  });
  await admin.ok('POST', '/admin/api-key/recharge', { id: victim.id, balance: 1 });
  world = { victim, group, keyInGroup, hidden, bot };
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** A body per admin route that would change something if the call got through. */
function harmfulBody(method, path) {
  const { victim, group, hidden, bot } = world;
  const bodies = {
    '/admin/api-key/apply': { name: 'intruder', role: 'admin' },
    '/admin/api-key/update': { id: victim.id, name: 'hacked', role: 'admin' },
    '/admin/api-key/recharge': { id: victim.id, balance: 1000 },
    '/admin/api-key/reset-key': { id: 1 },
    '/admin/api-key/delete': { id: victim.id },
    '/admin/api-key/authorize-model': { key_id: victim.id, model_id: hidden.id },
    '/admin/api-key/deauthorize-model': { key_id: victim.id, model_id: stack.models.echo.id },
    '/admin/model/save': { name: 'intruder-model', provider: 'openai-compatible', config: { baseUrl: 'http://127.0.0.1:9/v1' } },
    '/admin/model/delete': { id: stack.models.echo.id },
    '/admin/group/save': { id: group.id, name: 'hacked-group' },
    '/admin/group/delete': { id: group.id, force: true },
    '/admin/group/authorize-model': { group_id: kDefaultGroupId, model_id: hidden.id },
    '/admin/group/deauthorize-model': { group_id: kDefaultGroupId, model_id: stack.models.echo.id },
    '/admin/bot/feishu/save': { id: bot.id, name: 'hacked-bot', appSecret: 'stolen' },
    '/admin/bot/feishu/delete': { id: bot.id },
  };
  if (method === 'GET') return undefined;
  assert.ok(path in bodies, `no harmful body for ${path}: add one`);
  return bodies[path];
}

function snapshot() {
  return stack.admin.snapshot();
}

test('every admin route: 401 without a key, with an unknown key, with a malformed header', { timeout: 30_000 }, async () => {
  const before = await snapshot();
  for (const [method, path] of kAdminRoutes) {
    const url = `${stack.gateway.url}${path}`;
    const body = harmfulBody(method, path);
    const what = `${method} ${path}`;
    for (const [label, options] of [
      ['no key', {}],
      ['unknown key', { key: generateKey() }],
      ['unknown x-api-key', { headers: { 'x-api-key': generateKey() } }],
      ['Basic auth', { headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } }],
      ['bare key without Bearer', { headers: { authorization: stack.gateway.adminKey } }],
    ]) {
      const answer = await request(url, { method, body, ...options });
      assert.equal(answer.status, 401, `${what} with ${label}: ${answer.status} ${answer.text}`);
      assertAdminError(answer, 401);
    }
  }
  assert.deepEqual(await snapshot(), before, 'a refused call changed something');
});

test('every admin route: 403 with a user key (Bearer and x-api-key), and nothing changes', { timeout: 30_000 }, async () => {
  const before = await snapshot();
  for (const [method, path] of kAdminRoutes) {
    const url = `${stack.gateway.url}${path}`;
    const body = harmfulBody(method, path);
    for (const options of [{ key: stack.user.api_key }, { headers: { 'x-api-key': world.victim.api_key } }]) {
      const answer = await request(url, { method, body, ...options });
      assert.equal(answer.status, 403, `${method} ${path} with a user key: ${answer.status} ${answer.text}`);
      assertAdminError(answer, 403, { message: /admin/ });
    }
  }
  assert.deepEqual(await snapshot(), before, 'a call with a user key changed something');
});

test('every admin route answers an admin key (no 401/403/404/405/500)', { timeout: 30_000 }, async () => {
  // Harmless bodies: GETs, and POSTs with an empty object, which fail validation (400) or
  // name nothing (404) but are routed and authorized.
  for (const [method, path] of kAdminRoutes) {
    const answer = await stack.admin.call(method, path, method === 'POST' ? {} : undefined);
    assert.ok(
      answer.status === 200 || answer.status === 400 || answer.status === 404,
      `${method} ${path} with the admin key: ${answer.status} ${answer.text}`,
    );
    if (answer.status === 404) assert.match(path, /\/detail\//, `${path}: 404 for an empty body`);
    if (answer.status !== 200) assertAdminError(answer, answer.status);
    else assert.equal(answer.json.success, true, answer.text);
  }
});

test('user routes: 401 without a valid key; any valid key works', { timeout: 10_000 }, async () => {
  for (const [method, path] of kUserRoutes) {
    const url = `${stack.gateway.url}${path}`;
    assertAdminError(await request(url, { method }), 401);
    assertAdminError(await request(url, { method, key: generateKey() }), 401);
    assertAdminError(await request(url, { method, headers: { authorization: 'Bearer' } }), 401);
    for (const key of [stack.user.api_key, stack.gateway.adminKey]) {
      const answer = await request(url, { method, key });
      assert.equal(answer.status, 200, `${path}: ${answer.text}`);
      assert.equal(answer.json.success, true);
    }
    const viaHeader = await request(url, { method, headers: { 'x-api-key': stack.user.api_key } });
    assert.equal(viaHeader.status, 200, viaHeader.text);
  }
});

test('an admin key that is deleted or demoted loses admin access on the very next call', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const listUrl = `${stack.gateway.url}/admin/api-key/list`;
  const demoted = await admin.createKey({ name: 'soon-a-user', role: 'admin' });
  assert.equal((await request(listUrl, { key: demoted.api_key })).status, 200);
  await admin.ok('POST', '/admin/api-key/update', { id: demoted.id, role: 'user' });
  assertAdminError(await request(listUrl, { key: demoted.api_key }), 403);
  await admin.ok('POST', '/admin/api-key/update', { id: demoted.id, role: 'admin' });
  assert.equal((await request(listUrl, { key: demoted.api_key })).status, 200, 'promoted again');

  const deleted = await admin.createKey({ name: 'soon-gone', role: 'admin' });
  assert.equal((await request(listUrl, { key: deleted.api_key })).status, 200);
  await admin.ok('POST', '/admin/api-key/delete', { id: deleted.id });
  assertAdminError(await request(listUrl, { key: deleted.api_key }), 401);
  assertAdminError(await request(`${stack.gateway.url}/user/api-key/mine`, { key: deleted.api_key }), 401);
});

test('unknown ids answer 404 on every call that names one, and nothing is created', { timeout: 20_000 }, async () => {
  const { admin, models, user } = stack;
  const before = await snapshot();
  const echo = models.echo.id;
  const cases = [
    ['GET', `/admin/api-key/detail/${kUnknownId}`],
    ['GET', `/admin/model/detail/${kUnknownId}`],
    ['GET', `/admin/group/detail/${kUnknownId}`],
    ['POST', '/admin/api-key/update', { id: kUnknownId, name: 'ghost' }],
    ['POST', '/admin/api-key/update', { id: kUnknownId, month_quota: 1 }],
    ['POST', '/admin/api-key/recharge', { id: kUnknownId, balance: 1 }],
    ['POST', '/admin/api-key/recharge', { api_key: generateKey(), balance: 1 }],
    ['POST', '/admin/api-key/reset-key', { id: kUnknownId }],
    ['POST', '/admin/api-key/reset-key', { api_key: generateKey() }],
    ['POST', '/admin/api-key/delete', { id: kUnknownId }],
    ['POST', '/admin/api-key/delete', { api_key: generateKey() }],
    ['POST', '/admin/api-key/authorize-model', { key_id: kUnknownId, model_id: echo }],
    ['POST', '/admin/api-key/authorize-model', { key_id: user.id, model_id: kUnknownId }],
    ['POST', '/admin/api-key/deauthorize-model', { key_id: kUnknownId, model_id: echo }],
    ['POST', '/admin/api-key/deauthorize-model', { key_id: user.id, model_id: kUnknownId }],
    ['POST', '/admin/model/save', { id: kUnknownId, price_in: 1 }],
    ['POST', '/admin/model/delete', { id: kUnknownId }],
    ['POST', '/admin/group/save', { id: kUnknownId, name: 'ghost-group' }],
    ['POST', '/admin/group/delete', { id: kUnknownId }],
    ['POST', '/admin/group/delete', { id: kUnknownId, force: true }],
    ['POST', '/admin/group/authorize-model', { group_id: kUnknownId, model_id: echo }],
    ['POST', '/admin/group/authorize-model', { group_id: kDefaultGroupId, model_id: kUnknownId }],
    ['POST', '/admin/group/deauthorize-model', { group_id: kUnknownId, model_id: echo }],
    ['POST', '/admin/group/deauthorize-model', { group_id: kDefaultGroupId, model_id: kUnknownId }],
    ['POST', '/admin/bot/feishu/save', { id: kUnknownId, name: 'ghost-bot' }],
    ['POST', '/admin/bot/feishu/delete', { id: kUnknownId }],
  ];
  for (const [method, path, body] of cases) {
    const answer = await admin.call(method, path, body);
    assert.equal(answer.status, 404, `${method} ${path} ${JSON.stringify(body)}: ${answer.status} ${answer.text}`);
    assertAdminError(answer, 404);
  }
  assert.deepEqual(await snapshot(), before, 'a 404 call changed something');
});

test('detail paths with an id that is not a positive integer: 400 naming id', { timeout: 10_000 }, async () => {
  for (const family of ['api-key', 'model', 'group']) {
    for (const id of ['abc', '0', '-1', '1.5', '1x']) {
      await stack.admin.fails('GET', `/admin/${family}/detail/${id}`, undefined, 400, { param: 'id' });
    }
  }
});

test('malformed bodies on every admin POST route: 400 for bad JSON or a non-object, 415 for other types', { timeout: 20_000 }, async () => {
  const before = await snapshot();
  for (const [method, path] of kAdminRoutes.filter(([m]) => m === 'POST')) {
    const url = `${stack.gateway.url}${path}`;
    const key = stack.gateway.adminKey;
    for (const text of ['{"name": "x",', 'not json', '[{"name": "x"}]', '"a string"', '42', 'null']) {
      const answer = await request(url, { method, key, body: text, headers: { 'content-type': 'application/json' } });
      assert.equal(answer.status, 400, `${path} with ${JSON.stringify(text)}: ${answer.status} ${answer.text}`);
      assertAdminError(answer, 400);
    }
    const xml = await request(url, { method, key, body: '<name>x</name>', headers: { 'content-type': 'application/xml' } });
    assertAdminError(xml, 415);
  }
  assert.deepEqual(await snapshot(), before, 'a malformed body changed something');
});

test('unknown admin paths are 404 and wrong methods 405, in the envelope', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  assertAdminError(await admin.call('GET', '/admin/api-key/nope'), 404);
  assertAdminError(await admin.call('POST', '/admin/nothing/save', {}), 404);
  assertAdminError(await admin.call('GET', '/admin/api-key/apply'), 405);
  assertAdminError(await admin.call('POST', '/admin/api-key/list', {}), 405);
  assertAdminError(await admin.call('POST', '/user/api-key/mine', {}), 405);
});
