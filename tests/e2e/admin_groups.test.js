// /admin/group/... (SPEC 4): list, detail, save, delete (409 unless force; group 1 stays),
// list-model, authorize-model, deauthorize-model, applied on the next request.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { assertAdminError, expectApiError } from './lib/expect.js';
import { request } from './lib/http.js';
import { kDefaultGroupId, openaiClient, startStack, stopStack, uniquePrompt } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

function echoConfig() {
  return { baseUrl: `${stack.fake.url}/v1`, model: 'echo' };
}

async function modelIds(apiKey) {
  return (await openaiClient(stack.gateway, apiKey).models.list()).data.map((m) => m.id).sort();
}

function chat(apiKey, model) {
  return openaiClient(stack.gateway, apiKey).chat.completions.create({
    model,
    messages: [{ role: 'user', content: uniquePrompt('groups') }],
  });
}

const saveGroup = (body) => stack.admin.ok('POST', '/admin/group/save', body);

test('group 1 "default" exists from the first start; list rows count keys and models', { timeout: 10_000 }, async () => {
  const { admin, models } = stack;
  const detail = await admin.get('/admin/group/detail/1');
  assert.deepEqual(Object.keys(detail).sort(), ['created_at', 'id', 'name', 'updated_at']);
  assert.equal(detail.id, kDefaultGroupId);
  assert.equal(detail.name, 'default');
  const list = await admin.list('/admin/group/list', { q: 'default' });
  const row = list.items.find((g) => g.id === kDefaultGroupId);
  assert.deepEqual(Object.keys(row).sort(), ['created_at', 'id', 'key_count', 'model_count', 'name', 'updated_at']);
  const keys = await admin.list('/admin/api-key/list', { group_id: kDefaultGroupId });
  assert.equal(row.key_count, keys.total);
  assert.equal(row.model_count, Object.keys(models).length);
});

test('save creates and renames; names are unique (409); validation names the field', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const created = await saveGroup({ name: 'Research' });
  assert.equal(created.name, 'Research');
  assert.equal(typeof created.id, 'number');
  assert.deepEqual(await admin.get(`/admin/group/detail/${created.id}`), created);

  const renamed = await saveGroup({ id: created.id, name: 'Research-Lab' });
  assert.equal(renamed.id, created.id);
  assert.equal(renamed.name, 'Research-Lab');
  assert.equal(renamed.created_at, created.created_at);
  assert.equal((await admin.get(`/admin/group/detail/${created.id}`)).name, 'Research-Lab');
  // Renaming to its own name is fine.
  await saveGroup({ id: created.id, name: 'Research-Lab' });

  await admin.fails('POST', '/admin/group/save', { name: 'Research-Lab' }, 409, { param: 'name', message: /Research-Lab/ });
  await admin.fails('POST', '/admin/group/save', { name: 'default' }, 409, { param: 'name' });
  const other = await saveGroup({ name: 'Other-Lab' });
  await admin.fails('POST', '/admin/group/save', { id: other.id, name: 'Research-Lab' }, 409, { param: 'name' });
  assert.equal((await admin.get(`/admin/group/detail/${other.id}`)).name, 'Other-Lab');

  const before = await admin.list('/admin/group/list', { limit: 1000 });
  for (const [body, param, message] of [
    [{}, 'name', /name: required/],
    [{ name: '' }, 'name', /name/],
    [{ name: '  ' }, 'name', /name/],
    [{ name: 17 }, 'name', /name: must be a string/],
    [{ name: 'x'.repeat(201) }, 'name', /name/],
    [{ id: 'one', name: 'x' }, 'id', /id/],
    [{ id: created.id }, 'name', /name/],
  ]) {
    assertAdminError(await admin.call('POST', '/admin/group/save', body), 400, { param, message });
  }
  await admin.fails('POST', '/admin/group/save', { id: 999999, name: 'ghost' }, 404);
  assert.deepEqual(await admin.list('/admin/group/list', { limit: 1000 }), before);
});

test('list: paging, q case-insensitive, newest first, empty parameters ignored', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  for (const name of ['Team-Alpha', 'team-beta', 'TEAM-gamma']) await saveGroup({ name });
  const page = await admin.list('/admin/group/list', { q: 'team-', limit: 2 });
  assert.equal(page.total, 3);
  assert.deepEqual(page.items.map((g) => g.name), ['TEAM-gamma', 'team-beta']);
  const rest = await admin.list('/admin/group/list', { q: 'TEAM-', limit: 2, offset: 2 });
  assert.deepEqual(rest.items.map((g) => g.name), ['Team-Alpha']);
  assert.equal(rest.offset, 2);
  const all = await admin.list('/admin/group/list', { limit: 1000 });
  const ids = all.items.map((g) => g.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.deepEqual(await admin.list('/admin/group/list', { q: '', limit: 1000, offset: '' }), all);
  assert.equal((await admin.list('/admin/group/list', { limit: 99999 })).limit, 1000);
  await admin.fails('GET', '/admin/group/list?limit=-5', undefined, 400, { param: 'limit' });
});

test('delete: an empty group goes; one with keys is 409 unless force, which moves them to group 1', { timeout: 10_000 }, async () => {
  const { admin, gateway } = stack;
  const empty = await saveGroup({ name: 'empty-group' });
  assert.deepEqual(await admin.ok('POST', '/admin/group/delete', { id: empty.id }), { id: empty.id });
  await admin.fails('GET', `/admin/group/detail/${empty.id}`, undefined, 404);
  await admin.fails('POST', '/admin/group/delete', { id: empty.id }, 404);

  const busy = await saveGroup({ name: 'busy-group' });
  const member = await admin.createKey({ name: 'member', group_id: busy.id });
  const member2 = await admin.createKey({ name: 'member-2', group_id: busy.id });
  await admin.fails('POST', '/admin/group/delete', { id: busy.id }, 409, { message: /key/ });
  await admin.fails('POST', '/admin/group/delete', { id: busy.id, force: false }, 409);
  assert.equal((await admin.get(`/admin/group/detail/${busy.id}`)).name, 'busy-group', 'still there after 409');
  assert.equal((await admin.get(`/admin/api-key/detail/${member.id}`)).group_id, busy.id);

  await admin.fails('POST', '/admin/group/delete', { id: busy.id, force: 'yes' }, 400, { param: 'force' });
  assert.deepEqual(await admin.ok('POST', '/admin/group/delete', { id: busy.id, force: true }), { id: busy.id });
  await admin.fails('GET', `/admin/group/detail/${busy.id}`, undefined, 404);
  for (const key of [member, member2]) {
    assert.equal((await admin.get(`/admin/api-key/detail/${key.id}`)).group_id, kDefaultGroupId);
    // Moved keys use the default group's models on the next request.
    assert.equal((await chat(key.api_key, 'gw-echo')).model, 'gw-echo');
    const mine = await request(`${gateway.url}/user/api-key/mine`, { key: key.api_key });
    assert.equal(mine.json.data.group_name, 'default');
  }
  await admin.fails('POST', '/admin/group/delete', {}, 400, { param: 'id' });
  await admin.fails('POST', '/admin/group/delete', { id: 'x' }, 400, { param: 'id' });
});

test('the default group 1 cannot be deleted, not even with force', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  await admin.fails('POST', '/admin/group/delete', { id: kDefaultGroupId }, 400, { param: 'id', message: /default/ });
  await admin.fails('POST', '/admin/group/delete', { id: kDefaultGroupId, force: true }, 400, { message: /default/ });
  assert.equal((await admin.get('/admin/group/detail/1')).name, 'default');
  assert.equal((await chat(stack.user.api_key, 'gw-echo')).model, 'gw-echo');
});

test('group grants apply on the next /v1/models and chat call; revoke is immediate; both idempotent', { timeout: 15_000 }, async () => {
  const { admin } = stack;
  const group = await saveGroup({ name: 'granted-group' });
  const member = await admin.createKey({ name: 'grant-member', group_id: group.id });
  const outsider = await admin.createKey({ name: 'grant-outsider' });
  const model = await admin.saveModel({ name: 'Group-Only-Model', config: echoConfig() });
  assert.deepEqual(await modelIds(member.api_key), []);
  await expectApiError(chat(member.api_key, 'Group-Only-Model'), {
    status: 403,
    errorClass: OpenAI.PermissionDeniedError,
    code: 'model_not_authorized',
  });

  const granted = await admin.ok('POST', '/admin/group/authorize-model', { group_id: group.id, model_id: model.id });
  assert.deepEqual(granted, { group_id: group.id, model_id: model.id, authorized: true });
  assert.deepEqual(await modelIds(member.api_key), ['Group-Only-Model']);
  assert.equal((await chat(member.api_key, 'Group-Only-Model')).model, 'Group-Only-Model');
  assert.equal((await modelIds(outsider.api_key)).includes('Group-Only-Model'), false);
  await admin.ok('POST', '/admin/group/authorize-model', { group_id: group.id, model_id: model.id });

  const grants = await admin.list('/admin/group/list-model', { group_id: group.id });
  assert.equal(grants.total, 1, 'authorizing twice makes one grant');
  const [grant] = grants.items;
  assert.deepEqual(Object.keys(grant).sort(), ['created_at', 'group_id', 'group_name', 'model_id', 'model_name', 'provider']);
  assert.equal(grant.group_name, 'granted-group');
  assert.equal(grant.model_name, 'Group-Only-Model');
  assert.equal(grant.provider, 'openai-compatible');
  assert.deepEqual((await admin.list('/admin/group/list-model', { model_id: model.id })).items.map((g) => g.group_id), [group.id]);
  assert.equal((await admin.list('/admin/group/list-model', { q: 'group-only' })).total, 1);
  assert.equal((await admin.list('/admin/group/list-model', { q: 'GRANTED-GROUP' })).total, 1);
  const byDefault = await admin.list('/admin/group/list-model', { group_id: kDefaultGroupId, limit: 1000 });
  assert.equal(byDefault.total, Object.keys(stack.models).length);
  assert.deepEqual(
    await admin.list('/admin/group/list-model', { group_id: '', model_id: '', q: '', limit: 1000 }),
    await admin.list('/admin/group/list-model', { limit: 1000 }),
  );
  const paged = await admin.list('/admin/group/list-model', { group_id: kDefaultGroupId, limit: 2, offset: 1 });
  assert.equal(paged.items.length, 2);
  assert.equal(paged.total, byDefault.total);
  assert.deepEqual(paged.items, byDefault.items.slice(1, 3));

  const revoked = await admin.ok('POST', '/admin/group/deauthorize-model', { group_id: group.id, model_id: model.id });
  assert.deepEqual(revoked, { group_id: group.id, model_id: model.id, authorized: false });
  assert.deepEqual(await modelIds(member.api_key), []);
  await expectApiError(chat(member.api_key, 'Group-Only-Model'), { status: 403, code: 'model_not_authorized' });
  await admin.ok('POST', '/admin/group/deauthorize-model', { group_id: group.id, model_id: model.id });
  assert.equal((await admin.list('/admin/group/list-model', { group_id: group.id })).total, 0);

  // A key grant and a group grant are independent: either one admits.
  await admin.authorizeGroup(group.id, model.id);
  await admin.authorizeKey(member.id, model.id);
  await admin.ok('POST', '/admin/group/deauthorize-model', { group_id: group.id, model_id: model.id });
  assert.deepEqual(await modelIds(member.api_key), ['Group-Only-Model'], 'still granted to the key');
  await admin.ok('POST', '/admin/api-key/deauthorize-model', { key_id: member.id, model_id: model.id });
  assert.deepEqual(await modelIds(member.api_key), []);

  for (const path of ['/admin/group/authorize-model', '/admin/group/deauthorize-model']) {
    await admin.fails('POST', path, { model_id: model.id }, 400, { param: 'group_id' });
    await admin.fails('POST', path, { group_id: group.id }, 400, { param: 'model_id' });
    await admin.fails('POST', path, { group_id: [1], model_id: model.id }, 400, { param: 'group_id' });
    await admin.fails('POST', path, { group_id: group.id, model_id: 0 }, 400, { param: 'model_id' });
    await admin.fails('POST', path, { group_id: 999999, model_id: model.id }, 404);
    await admin.fails('POST', path, { group_id: group.id, model_id: 999999 }, 404);
  }
  await admin.fails('GET', '/admin/group/list-model?group_id=abc', undefined, 400, { param: 'group_id' });
  await admin.fails('GET', '/admin/group/list-model?model_id=1.5', undefined, 400, { param: 'model_id' });
});

test('a deleted group takes its grants with it', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const group = await saveGroup({ name: 'short-lived' });
  const model = await admin.saveModel({ name: 'short-lived-model', config: echoConfig() });
  await admin.authorizeGroup(group.id, model.id);
  await admin.ok('POST', '/admin/group/delete', { id: group.id });
  assert.equal((await admin.list('/admin/group/list-model', { model_id: model.id })).total, 0);
  const successor = await saveGroup({ name: 'successor-group' });
  assert.ok(successor.id > group.id, `the id ${group.id} of a deleted group was reused (${successor.id})`);
  assert.equal((await admin.list('/admin/group/list-model', { group_id: successor.id })).total, 0);
});
