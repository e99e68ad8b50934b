// /admin/api-key/... and /admin/payment/list (SPEC 2, 3, 4): apply, update, recharge,
// reset-key, delete, list, detail, key grants; validation; the plain key shown only once.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { echoUsage } from '../fakes/openai_upstream.js';
import { assertAdminError, expectApiError } from './lib/expect.js';
import { request } from './lib/http.js';
import {
  gatewayModel,
  kDefaultGroupId,
  openaiClient,
  startStack,
  stopStack,
  uniquePrompt,
} from './lib/stack.js';

const kKeyPattern = /^br-[A-Za-z0-9]{32}$/;
const kKeyFields = [
  'balance',
  'created_at',
  'email',
  'group_id',
  'id',
  'key',
  'month_fee',
  'month_quota',
  'name',
  'role',
  'total_fee',
  'updated_at',
];

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** The masked form of a plain key: `br-` + first 4 + `…` + last 4. */
function masked(plainKey) {
  return `br-${plainKey.slice(3, 7)}…${plainKey.slice(-4)}`;
}

function assertKeyRow(row, expected = {}) {
  for (const field of kKeyFields) assert.ok(field in row, `key row lacks ${field}: ${JSON.stringify(row)}`);
  assert.equal(typeof row.id, 'number');
  assert.match(row.key, /^br-[A-Za-z0-9]{4}…[A-Za-z0-9]{4}$/, 'masked key');
  for (const field of ['month_quota', 'month_fee', 'balance', 'total_fee', 'created_at', 'updated_at']) {
    assert.equal(typeof row[field], 'number', `${field} must be a number: ${JSON.stringify(row)}`);
  }
  for (const [field, value] of Object.entries(expected)) assert.deepEqual(row[field], value, field);
}

async function modelIds(apiKey) {
  const page = await openaiClient(stack.gateway, apiKey).models.list();
  return page.data.map((m) => m.id).sort();
}

function chat(apiKey, model) {
  return openaiClient(stack.gateway, apiKey).chat.completions.create({
    model,
    messages: [{ role: 'user', content: uniquePrompt('keys') }],
  });
}

// ---- apply ------------------------------------------------------------------------------

test('apply: the row with defaults, the masked key and the plain key once', { timeout: 10_000 }, async () => {
  const row = await stack.admin.ok('POST', '/admin/api-key/apply', { name: 'apply-defaults' });
  assertKeyRow(row, {
    name: 'apply-defaults',
    email: '',
    role: 'user',
    group_id: kDefaultGroupId,
    month_quota: 0,
    month_fee: 0,
    balance: 0,
    total_fee: 0,
  });
  assert.match(row.api_key, kKeyPattern);
  assert.equal(row.key, masked(row.api_key));
  assert.deepEqual(Object.keys(row).sort(), [...kKeyFields, 'api_key'].sort());

  const full = await stack.admin.createKey({
    name: 'apply-full',
    email: 'full@example.com',
    role: 'admin',
    group_id: kDefaultGroupId,
    month_quota: 12.5,
    balance: '3.000000001',
  });
  assertKeyRow(full, {
    name: 'apply-full',
    email: 'full@example.com',
    role: 'admin',
    month_quota: 12.5,
    balance: 3.000000001,
  });
  const { api_key: _plain, ...withoutPlain } = full;
  assert.deepEqual(await stack.admin.get(`/admin/api-key/detail/${full.id}`), withoutPlain);
});

test('apply: each invalid field is refused with 400 naming it, and no key is created', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const before = (await admin.list('/admin/api-key/list')).total;
  const cases = [
    [{}, 'name', /name: required/],
    [{ email: 'x@example.com' }, 'name', /name/],
    [{ name: '' }, 'name', /name: must not be empty/],
    [{ name: '   ' }, 'name', /name/],
    [{ name: 42 }, 'name', /name: must be a string/],
    [{ name: ['a'] }, 'name', /name/],
    [{ name: 'x'.repeat(201) }, 'name', /name: must be at most/],
    [{ name: 'ok', email: 5 }, 'email', /email: must be a string/],
    [{ name: 'ok', role: 'root' }, 'role', /role: must be 'user' or 'admin'/],
    [{ name: 'ok', role: true }, 'role', /role/],
    [{ name: 'ok', group_id: 'abc' }, 'group_id', /group_id: must be an integer/],
    [{ name: 'ok', group_id: 1.5 }, 'group_id', /group_id/],
    [{ name: 'ok', group_id: 0 }, 'group_id', /group_id: must be a positive/],
    [{ name: 'ok', group_id: -3 }, 'group_id', /group_id/],
    [{ name: 'ok', group_id: 424242 }, 'group_id', /group/],
    [{ name: 'ok', month_quota: -1 }, 'month_quota', /month_quota: must not be negative/],
    [{ name: 'ok', month_quota: 'lots' }, 'month_quota', /month_quota: must be a number/],
    [{ name: 'ok', month_quota: 0.0000000001 }, 'month_quota', /month_quota/],
    [{ name: 'ok', month_quota: {} }, 'month_quota', /month_quota/],
    [{ name: 'ok', balance: -0.01 }, 'balance', /balance: must not be negative/],
    [{ name: 'ok', balance: true }, 'balance', /balance/],
  ];
  for (const [body, param, message] of cases) {
    const answer = await admin.call('POST', '/admin/api-key/apply', body);
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.status} ${answer.text}`);
    assertAdminError(answer, 400, { param, message });
  }
  assert.equal((await admin.list('/admin/api-key/list')).total, before, 'a refused apply created a key');
});

test('apply: unknown fields are ignored; ids and money may be numeric strings', { timeout: 10_000 }, async () => {
  const row = await stack.admin.createKey({ name: 'strings', group_id: '1', month_quota: '2.25', colour: 'blue' });
  assertKeyRow(row, { group_id: 1, month_quota: 2.25 });
  assert.equal('colour' in row, false);
});

// ---- update -----------------------------------------------------------------------------

test('update changes only the fields given', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const group = await admin.ok('POST', '/admin/group/save', { name: 'update-target-group' });
  const row = await admin.createKey({ name: 'upd', email: 'upd@example.com', month_quota: 4, balance: 2 });
  const { api_key: plain, ...stored } = row;

  const quotaOnly = await admin.ok('POST', '/admin/api-key/update', { id: row.id, month_quota: 10.0 });
  assertKeyRow(quotaOnly);
  assert.deepEqual({ ...quotaOnly, updated_at: 0 }, { ...stored, month_quota: 10, updated_at: 0 });

  const nameOnly = await admin.ok('POST', '/admin/api-key/update', { id: row.id, name: 'upd-renamed' });
  assert.deepEqual({ ...nameOnly, updated_at: 0 }, { ...stored, name: 'upd-renamed', month_quota: 10, updated_at: 0 });

  const rest = await admin.ok('POST', '/admin/api-key/update', {
    id: String(row.id),
    email: 'new@example.com',
    group_id: group.id,
    role: 'admin',
  });
  assert.deepEqual(
    { ...rest, updated_at: 0 },
    { ...stored, name: 'upd-renamed', month_quota: 10, email: 'new@example.com', group_id: group.id, role: 'admin', updated_at: 0 },
  );
  assert.deepEqual(await admin.get(`/admin/api-key/detail/${row.id}`), rest, 'detail shows the update');

  // Nothing but the id: nothing changes. Empty email is a value, null is "not given".
  const same = await admin.ok('POST', '/admin/api-key/update', { id: row.id, name: null, month_quota: null });
  assert.deepEqual({ ...same, updated_at: 0 }, { ...rest, updated_at: 0 });
  const cleared = await admin.ok('POST', '/admin/api-key/update', { id: row.id, email: '' });
  assert.equal(cleared.email, '');
  assert.equal(cleared.name, 'upd-renamed');

  // The key still works, with its new group's models.
  assert.ok(Array.isArray(await modelIds(plain)));
});

test('update: validation errors name the field; an unknown id is 404', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.createKey({ name: 'upd-invalid', month_quota: 3 });
  const cases = [
    [{ name: 'x' }, 400, 'id', /id: required/],
    [{ id: 'abc', name: 'x' }, 400, 'id', /id: must be an integer/],
    [{ id: -1, name: 'x' }, 400, 'id', /id/],
    [{ id: row.id, name: '' }, 400, 'name', /name/],
    [{ id: row.id, name: 7 }, 400, 'name', /name: must be a string/],
    [{ id: row.id, role: 'superuser' }, 400, 'role', /role/],
    [{ id: row.id, month_quota: -5 }, 400, 'month_quota', /must not be negative/],
    [{ id: row.id, month_quota: 'many' }, 400, 'month_quota', /month_quota/],
    [{ id: row.id, group_id: 'x' }, 400, 'group_id', /group_id/],
    [{ id: row.id, group_id: 424242 }, 400, 'group_id', /group/],
    [{ id: row.id, email: false }, 400, 'email', /email/],
    [{ id: 999999, name: 'x' }, 404, undefined, /999999/],
  ];
  for (const [body, status, param, message] of cases) {
    const answer = await admin.call('POST', '/admin/api-key/update', body);
    assertAdminError(answer, status, { param, message });
  }
  const after = await admin.get(`/admin/api-key/detail/${row.id}`);
  assert.equal(after.name, 'upd-invalid');
  assert.equal(after.month_quota, 3);
  assert.equal(after.role, 'user');
  assert.equal(after.group_id, kDefaultGroupId);
});

test('update: moving a key to another group changes its models on the next call', { timeout: 10_000 }, async () => {
  const { admin, models } = stack;
  const group = await admin.ok('POST', '/admin/group/save', { name: 'only-tools' });
  await admin.authorizeGroup(group.id, models.tools.id);
  const row = await admin.createKey({ name: 'mover' });
  assert.ok((await modelIds(row.api_key)).includes(gatewayModel('echo')));

  await admin.ok('POST', '/admin/api-key/update', { id: row.id, group_id: group.id });
  assert.deepEqual(await modelIds(row.api_key), [gatewayModel('tools')]);
  await expectApiError(chat(row.api_key, gatewayModel('echo')), {
    status: 403,
    errorClass: OpenAI.PermissionDeniedError,
    code: 'model_not_authorized',
  });

  await admin.ok('POST', '/admin/api-key/update', { id: row.id, group_id: kDefaultGroupId });
  const answer = await chat(row.api_key, gatewayModel('echo'));
  assert.equal(answer.model, gatewayModel('echo'));
});

// ---- recharge and payments --------------------------------------------------------------

test('recharge by id and by api_key adds exactly and writes payment rows, newest first', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.createKey({ name: 'payer', balance: 0 });

  const first = await admin.call('POST', '/admin/api-key/recharge', { id: row.id, balance: 0.1 });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.data.balance, 0.1);
  assert.equal(first.json.data.payment.amount, 0.1);
  assert.equal(first.json.data.payment.balance_after, 0.1);

  const second = await admin.call('POST', '/admin/api-key/recharge', { api_key: row.api_key, balance: 0.2 });
  assert.equal(second.status, 200, second.text);
  // 0.1 + 0.2 in binary floating point is 0.30000000000000004; money is exact.
  assert.match(second.text, /"balance":0\.3[,}]/, second.text);
  assert.equal(second.json.data.balance, 0.3);
  assertKeyRow(second.json.data, { id: row.id, name: 'payer' });
  const payment = second.json.data.payment;
  assert.deepEqual(Object.keys(payment).sort(), [
    'admin_key_id',
    'admin_key_name',
    'amount',
    'balance_after',
    'created_at',
    'id',
    'key_id',
    'key_name',
  ]);
  assert.equal(payment.key_id, row.id);
  assert.equal(payment.key_name, 'payer');
  assert.equal(payment.amount, 0.2);
  assert.match(second.text, /"balance_after":0\.3[,}]/);
  assert.equal(payment.admin_key_name, 'admin', 'the bootstrap admin recharged');
  assert.equal(typeof payment.admin_key_id, 'number');

  // A second admin recharges: recorded under its own name. Strings are exact too.
  const cashier = await admin.createKey({ name: 'cashier', role: 'admin' });
  const third = await request(`${stack.gateway.url}/admin/api-key/recharge`, {
    method: 'POST',
    key: cashier.api_key,
    body: { id: row.id, balance: '0.000000001' },
  });
  assert.equal(third.status, 200, third.text);
  assert.equal(third.json.data.payment.admin_key_id, cashier.id);
  assert.equal(third.json.data.payment.admin_key_name, 'cashier');
  assert.match(third.text, /"balance":0\.300000001[,}]/);

  const history = await admin.list('/admin/payment/list', { key_id: row.id });
  assert.equal(history.total, 3);
  assert.deepEqual(
    history.items.map((p) => [p.amount, p.balance_after, p.admin_key_name, p.key_name]),
    [
      [0.000000001, 0.300000001, 'cashier', 'payer'],
      [0.2, 0.3, 'admin', 'payer'],
      [0.1, 0.1, 'admin', 'payer'],
    ],
    'newest first',
  );
  assert.deepEqual(history.items[1], payment);
  assert.ok(history.items[0].id > history.items[1].id && history.items[1].id > history.items[2].id);
  assert.equal((await admin.get(`/admin/api-key/detail/${row.id}`)).balance, 0.300000001);
});

test('payment list: key_id filter, empty key_id means all, paging, bad key_id', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const a = await admin.createKey({ name: 'pay-a' });
  const b = await admin.createKey({ name: 'pay-b' });
  for (const amount of [1, 2, 3]) await admin.ok('POST', '/admin/api-key/recharge', { id: a.id, balance: amount });
  await admin.ok('POST', '/admin/api-key/recharge', { id: b.id, balance: 9 });

  const onlyA = await admin.list('/admin/payment/list', { key_id: a.id });
  assert.deepEqual(onlyA.items.map((p) => p.amount), [3, 2, 1]);
  assert.ok(onlyA.items.every((p) => p.key_id === a.id));
  const all = await admin.list('/admin/payment/list', { key_id: '' });
  assert.ok(all.total >= 4);
  assert.deepEqual(all.items.slice(0, 4).map((p) => [p.key_name, p.amount]), [['pay-b', 9], ['pay-a', 3], ['pay-a', 2], ['pay-a', 1]]);
  assert.deepEqual(await admin.list('/admin/payment/list'), all, 'no key_id is the same as an empty one');

  const page = await admin.list('/admin/payment/list', { key_id: a.id, limit: 1, offset: 1 });
  assert.equal(page.total, 3);
  assert.equal(page.limit, 1);
  assert.equal(page.offset, 1);
  assert.deepEqual(page.items.map((p) => p.amount), [2]);

  assert.deepEqual((await admin.list('/admin/payment/list', { q: 'PAY-B' })).items.map((p) => p.amount), [9], 'q: the key name');
  await admin.fails('GET', '/admin/payment/list?key_id=abc', undefined, 400, { param: 'key_id' });
  await admin.fails('GET', '/admin/payment/list?key_id=-2', undefined, 400, { param: 'key_id' });
  await admin.fails('GET', '/admin/payment/list?limit=x', undefined, 400, { param: 'limit' });
  assert.equal((await admin.list('/admin/payment/list', { key_id: 999999 })).total, 0);
});

test('recharge: validation errors name the field; nothing is written', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.createKey({ name: 'recharge-invalid', balance: 1 });
  const cases = [
    [{ id: row.id }, 400, 'balance', /balance/],
    [{ id: row.id, balance: 0 }, 400, 'balance', /greater than 0/],
    [{ id: row.id, balance: -5 }, 400, 'balance', /balance/],
    [{ id: row.id, balance: '-0.5' }, 400, 'balance', /balance/],
    [{ id: row.id, balance: 'ten' }, 400, 'balance', /balance: must be a number/],
    [{ id: row.id, balance: [1] }, 400, 'balance', /balance/],
    [{ id: row.id, balance: 1e-10 }, 400, 'balance', /balance/],
    [{ balance: 1 }, 400, 'id', /id or api_key/],
    [{ api_key: '', balance: 1 }, 400, 'id', /id or api_key/],
    [{ id: 'x', balance: 1 }, 400, 'id', /id/],
    [{ api_key: 7, balance: 1 }, 400, 'api_key', /api_key/],
    [{ id: 999999, balance: 1 }, 404, undefined, /999999/],
    [{ api_key: 'br-doesnotexistdoesnotexistdoesnot', balance: 1 }, 404, undefined, /api/],
  ];
  for (const [body, status, param, message] of cases) {
    assertAdminError(await admin.call('POST', '/admin/api-key/recharge', body), status, { param, message });
  }
  assert.equal((await admin.get(`/admin/api-key/detail/${row.id}`)).balance, 1);
  assert.equal((await admin.list('/admin/payment/list', { key_id: row.id })).total, 0);
});

// ---- reset-key and delete ---------------------------------------------------------------

test('reset-key: a new plain key once; the old key gets 401 at once, the new one works', { timeout: 10_000 }, async () => {
  const { admin, gateway } = stack;
  const row = await admin.createKey({ name: 'resettable', month_quota: 2 });
  assert.equal((await request(`${gateway.url}/user/api-key/mine`, { key: row.api_key })).status, 200);

  const reset = await admin.ok('POST', '/admin/api-key/reset-key', { id: row.id });
  assertKeyRow(reset, { id: row.id, name: 'resettable', month_quota: 2 });
  assert.match(reset.api_key, kKeyPattern);
  assert.notEqual(reset.api_key, row.api_key);
  assert.equal(reset.key, masked(reset.api_key));

  assertAdminError(await request(`${gateway.url}/user/api-key/mine`, { key: row.api_key }), 401);
  await expectApiError(openaiClient(gateway, row.api_key).models.list(), {
    status: 401,
    errorClass: OpenAI.AuthenticationError,
  });
  const mine = await request(`${gateway.url}/user/api-key/mine`, { key: reset.api_key });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.data.id, row.id);
  assert.equal((await chat(reset.api_key, gatewayModel('echo'))).model, gatewayModel('echo'));

  // By api_key: the key named is the current one.
  const again = await admin.ok('POST', '/admin/api-key/reset-key', { api_key: reset.api_key });
  assert.equal(again.id, row.id);
  assertAdminError(await request(`${gateway.url}/user/api-key/mine`, { key: reset.api_key }), 401);
  assert.equal((await request(`${gateway.url}/user/api-key/mine`, { key: again.api_key })).status, 200);
  await admin.fails('POST', '/admin/api-key/reset-key', { api_key: row.api_key }, 404);
  await admin.fails('POST', '/admin/api-key/reset-key', {}, 400, { param: 'id' });
});

test('delete: by id or api_key; the key gets 401 at once; its grants and payments go', { timeout: 10_000 }, async () => {
  const { admin, gateway, models } = stack;
  const row = await admin.createKey({ name: 'doomed' });
  await admin.authorizeKey(row.id, models.echo.id);
  await admin.ok('POST', '/admin/api-key/recharge', { id: row.id, balance: 1 });
  assert.equal((await chat(row.api_key, gatewayModel('echo'))).model, gatewayModel('echo'));

  const deleted = await admin.ok('POST', '/admin/api-key/delete', { id: row.id });
  assert.deepEqual(deleted, { id: row.id });
  await expectApiError(chat(row.api_key, gatewayModel('echo')), { status: 401, errorClass: OpenAI.AuthenticationError });
  assertAdminError(await request(`${gateway.url}/user/api-key/mine`, { key: row.api_key }), 401);
  await admin.fails('GET', `/admin/api-key/detail/${row.id}`, undefined, 404);
  await admin.fails('POST', '/admin/api-key/delete', { id: row.id }, 404, { message: /not found/ });
  const listed = await admin.list('/admin/api-key/list', { limit: 1000 });
  assert.equal(listed.items.some((k) => k.id === row.id), false);
  assert.equal((await admin.list('/admin/payment/list', { key_id: row.id })).total, 0);
  assert.equal((await admin.list('/admin/api-key/list-model', { key_id: row.id })).total, 0);

  const byKey = await admin.createKey({ name: 'doomed-by-key' });
  assert.deepEqual(await admin.ok('POST', '/admin/api-key/delete', { api_key: byKey.api_key }), { id: byKey.id });
  assertAdminError(await request(`${gateway.url}/user/api-key/mine`, { key: byKey.api_key }), 401);
  // A deleted key's id is never given to a new key: its kept records (SPEC 4: sessions and
  // threads stay for audit) must not become the new key's.
  const successor = await admin.createKey({ name: 'successor' });
  assert.ok(successor.id > byKey.id, `the id ${byKey.id} of a deleted key was reused (${successor.id})`);

  await admin.fails('POST', '/admin/api-key/delete', {}, 400, { param: 'id' });
  await admin.fails('POST', '/admin/api-key/delete', { id: 'one' }, 400, { param: 'id' });
});

// ---- list and detail --------------------------------------------------------------------

test('list: masked keys, group name, money fields; newest first; paging', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const created = [];
  for (let index = 0; index < 5; ++index) created.push(await admin.createKey({ name: `Paging-${index}` }));
  const page = await admin.list('/admin/api-key/list', { q: 'paging-', limit: 2 });
  assert.equal(page.total, 5);
  assert.equal(page.limit, 2);
  assert.equal(page.offset, 0);
  assert.deepEqual(page.items.map((k) => k.name), ['Paging-4', 'Paging-3']);
  for (const item of page.items) {
    assertKeyRow(item);
    assert.equal(item.group_name, 'default');
    assert.equal('api_key' in item, false, 'no plain key in a list');
  }
  const second = await admin.list('/admin/api-key/list', { q: 'paging-', limit: 2, offset: 2 });
  assert.deepEqual(second.items.map((k) => k.name), ['Paging-2', 'Paging-1']);
  const last = await admin.list('/admin/api-key/list', { q: 'paging-', limit: 2, offset: 4 });
  assert.deepEqual(last.items.map((k) => k.name), ['Paging-0']);
  const beyond = await admin.list('/admin/api-key/list', { q: 'paging-', limit: 2, offset: 50 });
  assert.deepEqual(beyond.items, []);
  assert.equal(beyond.total, 5);

  const defaults = await admin.list('/admin/api-key/list');
  assert.equal(defaults.limit, 20);
  assert.equal(defaults.offset, 0);
  const all = await admin.list('/admin/api-key/list', { limit: 1000 });
  const ids = all.items.map((k) => k.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest (highest id) first');
  assert.equal(all.total, all.items.length);
  assert.deepEqual(await admin.list('/admin/api-key/list', { limit: 1000 }), all, 'stable');
});

test('list: limit is clamped to 1000; bad limit or offset is 400 naming it', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const big = await admin.list('/admin/api-key/list', { limit: 5000 });
  assert.equal(big.limit, 1000);
  assert.equal(big.items.length, big.total);
  for (const [query, param] of [
    ['limit=0', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=10x', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=abc', 'offset'],
  ]) {
    await admin.fails('GET', `/admin/api-key/list?${query}`, undefined, 400, { param, message: new RegExp(param) });
  }
});

test('list: q (case-insensitive), name, group_id and role filters; empty parameters mean no filter', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const group = await admin.ok('POST', '/admin/group/save', { name: 'filter-group' });
  const zed = await admin.createKey({ name: 'Zebra-Filter', email: 'stripes@Savanna.example' });
  const zadm = await admin.createKey({ name: 'zebra-boss', role: 'admin', group_id: group.id });
  const other = await admin.createKey({ name: 'okapi', group_id: group.id, email: 'forest@example.com' });

  const names = async (query) =>
    (await admin.list('/admin/api-key/list', { limit: 1000, ...query })).items.map((k) => k.name).sort();
  assert.deepEqual(await names({ q: 'ZEBRA' }), ['Zebra-Filter', 'zebra-boss']);
  assert.deepEqual(await names({ q: 'savanna' }), ['Zebra-Filter'], 'q searches the email too');
  assert.deepEqual(await names({ name: 'zebra' }), ['Zebra-Filter', 'zebra-boss']);
  assert.deepEqual(await names({ name: 'BOSS' }), ['zebra-boss']);
  assert.deepEqual(await names({ group_id: group.id }), ['okapi', 'zebra-boss']);
  assert.deepEqual(await names({ group_id: group.id, role: 'admin' }), ['zebra-boss']);
  assert.deepEqual(await names({ q: 'zebra', role: 'user' }), ['Zebra-Filter']);
  assert.deepEqual(await names({ q: 'no-such-thing-anywhere' }), []);
  const adminNames = await names({ role: 'admin' });
  assert.ok(adminNames.includes('admin') && adminNames.includes('zebra-boss'));
  assert.ok(!adminNames.includes('okapi'));

  const groupRows = await admin.list('/admin/api-key/list', { group_id: group.id });
  assert.ok(groupRows.items.every((k) => k.group_id === group.id && k.group_name === 'filter-group'));
  assert.equal(groupRows.total, 2);

  const unfiltered = await admin.list('/admin/api-key/list', { limit: 1000 });
  const empty = await admin.list('/admin/api-key/list', { q: '', name: '', group_id: '', role: '', limit: 1000, offset: '' });
  assert.deepEqual(empty, unfiltered, 'q=&name=&group_id=&role=&offset= must not filter');
  assert.ok(unfiltered.items.some((k) => k.id === zed.id) && unfiltered.items.some((k) => k.id === zadm.id));
  assert.ok(unfiltered.items.some((k) => k.id === other.id));

  await admin.fails('GET', '/admin/api-key/list?role=root', undefined, 400, { param: 'role' });
  await admin.fails('GET', '/admin/api-key/list?group_id=abc', undefined, 400, { param: 'group_id' });
  await admin.fails('GET', '/admin/api-key/list?group_id=0', undefined, 400, { param: 'group_id' });
  // A LIKE wildcard in q is a literal character.
  assert.deepEqual(await names({ q: '%' }), []);
  assert.deepEqual(await names({ q: '_' }), []);
});

test("list, detail and mine show this month's month_fee and total_fee after a request", { timeout: 10_000 }, async () => {
  const { admin, gateway } = stack;
  // gw-echo costs 1 per million input tokens and 2 per million output tokens.
  const row = await admin.createKey({ name: 'Spender', month_quota: 1, balance: 0.5 });
  const messages = [{ role: 'user', content: uniquePrompt('spend') }];
  const answer = await openaiClient(gateway, row.api_key).chat.completions.create({ model: gatewayModel('echo'), messages });
  const usage = echoUsage(messages);
  assert.deepEqual(answer.usage, usage);
  const costNanos = usage.prompt_tokens * 1000 + usage.completion_tokens * 2000;
  const cost = costNanos / 1e9;

  const detail = await admin.get(`/admin/api-key/detail/${row.id}`);
  assert.equal(detail.month_fee, cost);
  assert.equal(detail.total_fee, cost);
  assert.equal(detail.balance, 0.5, 'the allowance pays first');
  const listed = (await admin.list('/admin/api-key/list', { name: 'spender' })).items[0];
  assert.equal(listed.month_fee, cost);
  assert.equal(listed.total_fee, cost);
  const mine = await request(`${gateway.url}/user/api-key/mine`, { key: row.api_key });
  assert.equal(mine.json.data.month_fee, cost);
  assert.equal(mine.json.data.total_fee, cost);
});

test('detail: the key row without the plain key; unknown id 404', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const row = await admin.createKey({ name: 'detailed', email: 'd@example.com' });
  const detail = await admin.get(`/admin/api-key/detail/${row.id}`);
  const { api_key: plain, ...rest } = row;
  assert.deepEqual(detail, rest);
  assert.equal(detail.key, masked(plain));
  await admin.fails('GET', '/admin/api-key/detail/999999', undefined, 404, { message: /999999/ });
});

// ---- key grants -------------------------------------------------------------------------

test('authorize-model / deauthorize-model for a key apply on the next call; list-model shows them', { timeout: 15_000 }, async () => {
  const { admin, fake } = stack;
  const model = await admin.saveModel({ name: 'Key-Only-Model', config: { baseUrl: `${fake.url}/v1`, model: 'echo' } });
  const row = await admin.createKey({ name: 'grantee' });
  const other = await admin.createKey({ name: 'not-grantee' });
  assert.equal((await modelIds(row.api_key)).includes('Key-Only-Model'), false);
  await expectApiError(chat(row.api_key, 'Key-Only-Model'), { status: 403, code: 'model_not_authorized' });

  const granted = await admin.ok('POST', '/admin/api-key/authorize-model', { key_id: row.id, model_id: model.id });
  assert.deepEqual(granted, { key_id: row.id, model_id: model.id, authorized: true });
  assert.ok((await modelIds(row.api_key)).includes('Key-Only-Model'));
  assert.equal((await chat(row.api_key, 'Key-Only-Model')).model, 'Key-Only-Model');
  assert.equal((await modelIds(other.api_key)).includes('Key-Only-Model'), false);
  await admin.ok('POST', '/admin/api-key/authorize-model', { key_id: String(row.id), model_id: String(model.id) });

  const grants = await admin.list('/admin/api-key/list-model', { key_id: row.id });
  assert.equal(grants.total, 1, 'authorizing twice makes one grant');
  const [grant] = grants.items;
  assert.deepEqual(Object.keys(grant).sort(), ['created_at', 'key_id', 'key_name', 'model_id', 'model_name', 'provider']);
  assert.equal(grant.key_id, row.id);
  assert.equal(grant.key_name, 'grantee');
  assert.equal(grant.model_id, model.id);
  assert.equal(grant.model_name, 'Key-Only-Model');
  assert.equal(grant.provider, 'openai-compatible');
  const byModel = await admin.list('/admin/api-key/list-model', { model_id: model.id });
  assert.deepEqual(byModel.items.map((g) => g.key_id), [row.id]);
  assert.equal((await admin.list('/admin/api-key/list-model', { q: 'KEY-ONLY' })).total, 1);
  assert.equal((await admin.list('/admin/api-key/list-model', { q: 'GRANTEE' })).total, 1);
  assert.equal((await admin.list('/admin/api-key/list-model', { q: 'nothing-like-this' })).total, 0);
  assert.deepEqual(
    await admin.list('/admin/api-key/list-model', { key_id: '', model_id: '', q: '', limit: 1000 }),
    await admin.list('/admin/api-key/list-model', { limit: 1000 }),
  );

  const revoked = await admin.ok('POST', '/admin/api-key/deauthorize-model', { key_id: row.id, model_id: model.id });
  assert.deepEqual(revoked, { key_id: row.id, model_id: model.id, authorized: false });
  assert.equal((await modelIds(row.api_key)).includes('Key-Only-Model'), false);
  await expectApiError(chat(row.api_key, 'Key-Only-Model'), {
    status: 403,
    errorClass: OpenAI.PermissionDeniedError,
    code: 'model_not_authorized',
  });
  await admin.ok('POST', '/admin/api-key/deauthorize-model', { key_id: row.id, model_id: model.id }); // idempotent
  assert.equal((await admin.list('/admin/api-key/list-model', { key_id: row.id })).total, 0);

  for (const path of ['/admin/api-key/authorize-model', '/admin/api-key/deauthorize-model']) {
    await admin.fails('POST', path, { model_id: model.id }, 400, { param: 'key_id' });
    await admin.fails('POST', path, { key_id: row.id }, 400, { param: 'model_id' });
    await admin.fails('POST', path, { key_id: 'x', model_id: model.id }, 400, { param: 'key_id' });
    await admin.fails('POST', path, { key_id: row.id, model_id: {} }, 400, { param: 'model_id' });
  }
  await admin.fails('GET', '/admin/api-key/list-model?key_id=x', undefined, 400, { param: 'key_id' });
  await admin.fails('GET', '/admin/api-key/list-model?model_id=-1', undefined, 400, { param: 'model_id' });
});

// ---- the plain key is shown once --------------------------------------------------------

test('the plain key never appears in any answer after apply or reset-key', { timeout: 15_000 }, async () => {
  const { admin, gateway, models } = stack;
  const row = await admin.createKey({ name: 'secretive', balance: 1 });
  const reset = await admin.ok('POST', '/admin/api-key/reset-key', { id: row.id });
  const plainKeys = [row.api_key, reset.api_key];
  await admin.authorizeKey(row.id, models.echo.id);
  await admin.ok('POST', '/admin/api-key/recharge', { api_key: reset.api_key, balance: 2 });
  await admin.ok('POST', '/admin/api-key/update', { id: row.id, email: 'secret@example.com' });

  const answers = [
    await admin.call('GET', '/admin/api-key/list?limit=1000'),
    await admin.call('GET', `/admin/api-key/list?q=secretive`),
    await admin.call('GET', `/admin/api-key/detail/${row.id}`),
    await admin.call('GET', `/admin/payment/list?key_id=${row.id}`),
    await admin.call('GET', '/admin/payment/list?limit=1000'),
    await admin.call('GET', `/admin/api-key/list-model?key_id=${row.id}`),
    await admin.call('POST', '/admin/api-key/update', { id: row.id, name: 'secretive' }),
    await admin.call('POST', '/admin/api-key/recharge', { id: row.id, balance: 1 }),
    await request(`${gateway.url}/user/api-key/mine`, { key: reset.api_key }),
    await request(`${gateway.url}/user/model/list`, { key: reset.api_key }),
  ];
  for (const answer of answers) {
    assert.equal(answer.status, 200, answer.text);
    for (const plain of plainKeys) {
      assert.equal(answer.text.includes(plain), false, `plain key in ${answer.text}`);
      // Nor a longer piece of it than the mask shows.
      assert.equal(answer.text.includes(plain.slice(3, 15)), false, `a piece of the key in ${answer.text}`);
    }
  }
  for (const plain of plainKeys) assert.equal(gateway.output.includes(plain), false, 'the plain key was logged');
});
