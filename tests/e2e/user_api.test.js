// The user API (SPEC 5): /user/api-key/mine and /user/model/list, scoped to the caller's key.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertPage } from './lib/admin.js';
import { assertAdminError } from './lib/expect.js';
import { generateKey } from './lib/gateway.js';
import { request } from './lib/http.js';
import { gatewayModel, kBehaviours, openaiClient, startStack, stopStack } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

async function userGet(path, key) {
  const answer = await request(`${stack.gateway.url}${path}`, { key });
  assert.equal(answer.status, 200, `${path}: ${answer.text}`);
  assert.equal(answer.json.success, true, answer.text);
  return answer;
}

async function myModels(key, query = '') {
  const answer = await userGet(`/user/model/list${query}`, key);
  return assertPage(answer.json.data);
}

function echoConfig() {
  return { baseUrl: `${stack.fake.url}/v1`, model: 'echo' };
}

test('mine: my key masked, my group, my money; never the plain key', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const group = await admin.ok('POST', '/admin/group/save', { name: 'users-group' });
  const row = await admin.createKey({
    name: 'me',
    email: 'me@example.com',
    group_id: group.id,
    month_quota: 5.5,
    balance: 0.1,
  });
  await admin.ok('POST', '/admin/api-key/recharge', { id: row.id, balance: 0.2 });
  const answer = await userGet('/user/api-key/mine', row.api_key);
  assert.equal(answer.text.includes(row.api_key), false, 'the plain key is shown');
  assert.match(answer.text, /"balance":0\.3[,}]/, 'exact money');
  const mine = answer.json.data;
  for (const field of ['name', 'role', 'group_id', 'group_name', 'key', 'month_quota', 'month_fee', 'balance', 'total_fee']) {
    assert.ok(field in mine, `mine lacks ${field}: ${answer.text}`);
  }
  assert.equal(mine.id, row.id);
  assert.equal(mine.name, 'me');
  assert.equal(mine.email, 'me@example.com');
  assert.equal(mine.role, 'user');
  assert.equal(mine.group_id, group.id);
  assert.equal(mine.group_name, 'users-group');
  assert.equal(mine.key, row.key);
  assert.match(mine.key, /^br-[A-Za-z0-9]{4}…[A-Za-z0-9]{4}$/);
  assert.equal(mine.month_quota, 5.5);
  assert.equal(mine.month_fee, 0);
  assert.equal(mine.balance, 0.3);
  assert.equal(mine.total_fee, 0);
  assert.equal('api_key' in mine, false);

  // Each key sees itself, and an update shows on the next call.
  const other = await userGet('/user/api-key/mine', stack.user.api_key);
  assert.equal(other.json.data.id, stack.user.id);
  await admin.ok('POST', '/admin/api-key/update', { id: row.id, name: 'me-renamed', month_quota: 6 });
  const again = (await userGet('/user/api-key/mine', row.api_key)).json.data;
  assert.equal(again.name, 'me-renamed');
  assert.equal(again.month_quota, 6);
  await admin.ok('POST', '/admin/group/save', { id: group.id, name: 'users-group-renamed' });
  assert.equal((await userGet('/user/api-key/mine', row.api_key)).json.data.group_name, 'users-group-renamed');

  const adminMine = (await userGet('/user/api-key/mine', stack.gateway.adminKey)).json.data;
  assert.equal(adminMine.role, 'admin');
});

test('model list: exactly the models the key may use, with prices; grants apply at once', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const group = await admin.ok('POST', '/admin/group/save', { name: 'narrow-group' });
  const row = await admin.createKey({ name: 'narrow', group_id: group.id });
  assert.deepEqual((await myModels(row.api_key)).items, []);

  const viaGroup = await admin.saveModel({ name: 'Narrow-Group-Model', config: echoConfig(), price_in: 0.25, price_out: 1.5 });
  const viaKey = await admin.saveModel({ name: 'narrow-key-model', config: echoConfig(), multiple: true });
  await admin.saveModel({ name: 'narrow-nobody-model', config: echoConfig() });
  await admin.authorizeGroup(group.id, viaGroup.id);
  await admin.authorizeKey(row.id, viaKey.id);

  const page = await myModels(row.api_key);
  assert.equal(page.total, 2);
  assert.deepEqual(page.items.map((m) => m.name).sort(), ['Narrow-Group-Model', 'narrow-key-model']);
  const groupModel = page.items.find((m) => m.name === 'Narrow-Group-Model');
  for (const field of ['id', 'name', 'provider', 'multiple', 'price_in', 'price_out']) {
    assert.ok(field in groupModel, `a model entry lacks ${field}`);
  }
  assert.equal(groupModel.id, viaGroup.id);
  assert.equal(groupModel.provider, 'openai-compatible');
  assert.equal(groupModel.price_in, 0.25);
  assert.equal(groupModel.price_out, 1.5);
  assert.equal(groupModel.multiple, false);
  assert.equal(page.items.find((m) => m.name === 'narrow-key-model').multiple, true);
  assert.equal('config' in groupModel, false, 'a user does not see provider configs');

  // The same set as /v1/models.
  const v1 = (await openaiClient(stack.gateway, row.api_key).models.list()).data.map((m) => m.id).sort();
  assert.deepEqual(page.items.map((m) => m.name).sort(), v1);

  await admin.ok('POST', '/admin/group/deauthorize-model', { group_id: group.id, model_id: viaGroup.id });
  assert.deepEqual((await myModels(row.api_key)).items.map((m) => m.name), ['narrow-key-model']);
  await admin.ok('POST', '/admin/api-key/deauthorize-model', { key_id: row.id, model_id: viaKey.id });
  assert.deepEqual((await myModels(row.api_key)).items, []);

  // The default group's user sees the stack's models and not the narrow ones.
  const names = (await myModels(stack.user.api_key, '?limit=1000')).items.map((m) => m.name).sort();
  assert.deepEqual(names, kBehaviours.map(gatewayModel).sort());
});

test('model list: paging and q (case-insensitive); empty parameters ignored; bad limit 400', { timeout: 10_000 }, async () => {
  const key = stack.user.api_key;
  const all = await myModels(key, '?limit=1000');
  assert.equal(all.total, kBehaviours.length);
  const first = await myModels(key, '?limit=2');
  assert.equal(first.limit, 2);
  assert.equal(first.total, all.total);
  assert.deepEqual(first.items, all.items.slice(0, 2));
  const second = await myModels(key, '?limit=2&offset=2');
  assert.equal(second.offset, 2);
  assert.deepEqual(second.items, all.items.slice(2, 4));
  assert.deepEqual(await myModels(key, '?q=&limit=1000&offset='), all);

  const status = await myModels(key, '?q=STATUS-5');
  assert.deepEqual(status.items.map((m) => m.name).sort(), ['gw-status-500', 'gw-status-503']);
  assert.equal(status.total, 2);
  assert.equal((await myModels(key, '?q=GW-ECHO')).total, 2);
  assert.equal((await myModels(key, '?q=nothing-here')).total, 0);
  assert.equal((await myModels(key, '?limit=5000')).limit, 1000);

  for (const query of ['?limit=0', '?limit=x', '?offset=-1']) {
    assertAdminError(await request(`${stack.gateway.url}/user/model/list${query}`, { key }), 400);
  }
});

test('no key, an unknown key, a deleted key: 401 on the user API', { timeout: 10_000 }, async () => {
  const { admin, gateway } = stack;
  const row = await admin.createKey({ name: 'short-lived-user' });
  await userGet('/user/api-key/mine', row.api_key);
  await admin.ok('POST', '/admin/api-key/delete', { id: row.id });
  for (const path of ['/user/api-key/mine', '/user/model/list']) {
    assertAdminError(await request(`${gateway.url}${path}`), 401, { message: /key/ });
    assertAdminError(await request(`${gateway.url}${path}`, { key: generateKey() }), 401);
    assertAdminError(await request(`${gateway.url}${path}`, { key: row.api_key }), 401);
    assertAdminError(await request(`${gateway.url}${path}`, { headers: { authorization: 'Token abc' } }), 401);
  }
});
