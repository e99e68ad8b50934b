// /admin/bot/feishu/... (SPEC 4): list, save (create; update by id or by an existing appId,
// config fields inside `config` or at the top level), delete; secrets masked, and a masked
// secret saved back keeps the stored one.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { querySqlite } from './lib/database.js';
import { assertAdminError } from './lib/expect.js';
import { startStack, stopStack } from './lib/stack.js';

const kBotFields = ['app_id', 'config', 'created_at', 'id', 'name', 'provider', 'updated_at'];

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

const save = (body) => stack.admin.ok('POST', '/admin/bot/feishu/save', body);

function botConfig(appId, extra = {}) {
  return {
    appId,
    appSecret: `app-secret-of-${appId}`,
    apiKey: stack.user.api_key,
    modelId: 'gw-echo',
    ...extra,
  };
}

/** The secret as the API shows it: first 3 characters, `…`, last 4 (`****` when short). */
function masked(secret) {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}

/**
 * How `config` is stored: the other secrets as sent (the bot needs them), the llmgate key only
 * as its SHA-256 and its masked form (SPEC 2: keys are stored hashed).
 */
function storedForm(config) {
  const { apiKey, ...rest } = config;
  return { ...rest, apiKey: masked(apiKey), apiKeyHash: createHash('sha256').update(apiKey).digest('hex') };
}

/** The stored config of a bot, read from the database (undefined when it cannot be read). */
function storedConfig(id) {
  const rows = querySqlite(stack.gateway.databaseUrl, `SELECT config FROM feishu_bots WHERE id = ${Number(id)}`);
  if (rows === undefined) return undefined;
  assert.equal(rows.length, 1, `bot ${id} is not stored`);
  return JSON.parse(rows[0].config);
}

function assertBotRow(row, expected = {}) {
  assert.deepEqual(Object.keys(row).sort(), kBotFields, JSON.stringify(row));
  assert.equal(typeof row.id, 'number');
  assert.equal(row.app_id, row.config.appId);
  for (const [field, value] of Object.entries(expected)) assert.deepEqual(row[field], value, field);
}

test('create with config as an object: the row, all secrets masked everywhere', { timeout: 10_000 }, async () => {
  const config = botConfig('cli_object', { encryptKey: 'encrypt-key-0123456789', verificationToken: 'verify-token-abcdef' });
  const bot = await save({ name: 'Object Bot', provider: 'bedrock-converse', config });
  assertBotRow(bot, {
    name: 'Object Bot',
    provider: 'bedrock-converse',
    app_id: 'cli_object',
    config: {
      appId: 'cli_object',
      appSecret: masked(config.appSecret),
      apiKey: masked(config.apiKey),
      modelId: 'gw-echo',
      encryptKey: masked(config.encryptKey),
      verificationToken: masked(config.verificationToken),
    },
  });
  const answers = [
    await stack.admin.call('GET', '/admin/bot/feishu/list?limit=1000'),
    await stack.admin.call('POST', '/admin/bot/feishu/save', { id: bot.id, name: 'Object Bot' }),
  ];
  for (const answer of answers) {
    assert.equal(answer.status, 200, answer.text);
    for (const secret of [config.appSecret, config.apiKey, config.encryptKey, config.verificationToken]) {
      assert.equal(answer.text.includes(secret), false, `a secret in ${answer.text}`);
    }
  }
  const stored = storedConfig(bot.id);
  if (stored) {
    assert.deepEqual(stored, storedForm(config));
    assert.equal(JSON.stringify(stored).includes(config.apiKey), false, 'the plain key is stored');
  }
});

test("the seed's create and update bodies: the update finds the bot by appId and does not duplicate", { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const created = await save({
    name: 'seed-like',
    config: '{"appId": "cli_seedlike", "apiKey": "br-xxxxx", "modelId": "claude-3-sonnet", "appSecret": "xxxxx" }',
    provider: 'bedrock-converse',
  });
  assertBotRow(created, {
    name: 'seed-like',
    app_id: 'cli_seedlike',
    config: { appId: 'cli_seedlike', apiKey: '****', modelId: 'claude-3-sonnet', appSecret: '****' },
  });
  const before = await admin.list('/admin/bot/feishu/list', { limit: 1000 });

  const updated = await save({ appId: 'cli_seedlike', apiKey: 'br-yyyyy', modelId: 'gw-echo', appSecret: 'new-app-secret-1' });
  assertBotRow(updated, { id: created.id, name: 'seed-like', provider: 'bedrock-converse', app_id: 'cli_seedlike' });
  assert.equal(updated.config.modelId, 'gw-echo');
  assert.equal(updated.config.appSecret, masked('new-app-secret-1'));
  const after = await admin.list('/admin/bot/feishu/list', { limit: 1000 });
  assert.equal(after.total, before.total, 'the update created a second bot');
  assert.equal(after.items.filter((b) => b.app_id === 'cli_seedlike').length, 1);
  const stored = storedConfig(created.id);
  if (stored) assert.deepEqual(stored, storedForm({ appId: 'cli_seedlike', apiKey: 'br-yyyyy', modelId: 'gw-echo', appSecret: 'new-app-secret-1' }));
});

test('update by id: only what is sent changes; config fields may be at the top level or inside config', { timeout: 10_000 }, async () => {
  const config = botConfig('cli_partial');
  const bot = await save({ name: 'partial-bot', provider: 'label', config });

  const renamed = await save({ id: bot.id, name: 'renamed-bot' });
  assert.deepEqual({ ...renamed, updated_at: 0 }, { ...bot, name: 'renamed-bot', updated_at: 0 });

  const topLevel = await save({ id: bot.id, modelId: 'gw-tools' });
  assert.deepEqual({ ...topLevel, updated_at: 0 }, { ...renamed, config: { ...renamed.config, modelId: 'gw-tools' }, updated_at: 0 });

  const inside = await save({ id: String(bot.id), config: { modelId: 'gw-echo', encryptKey: 'encrypt-1234567890' } });
  assert.equal(inside.config.modelId, 'gw-echo');
  assert.equal(inside.config.encryptKey, masked('encrypt-1234567890'));
  assert.equal(inside.config.appSecret, masked(config.appSecret));
  assert.equal(inside.name, 'renamed-bot');
  assert.equal(inside.provider, 'label');

  // A new appId through an update by id moves the bot to it.
  const moved = await save({ id: bot.id, appId: 'cli_partial_2' });
  assert.equal(moved.app_id, 'cli_partial_2');
  assert.equal(moved.config.appId, 'cli_partial_2');
  const stored = storedConfig(bot.id);
  if (stored) {
    assert.deepEqual(stored, storedForm({ ...config, appId: 'cli_partial_2', modelId: 'gw-echo', encryptKey: 'encrypt-1234567890' }));
  }
});

test('masked secrets saved back keep the stored secrets', { timeout: 10_000 }, async (t) => {
  const config = botConfig('cli_masked', { verificationToken: 'verification-token-xyz', encryptKey: 'short' });
  const bot = await save({ name: 'masked-bot', config });
  const shown = (await stack.admin.list('/admin/bot/feishu/list', { q: 'masked-bot' })).items[0];
  assert.equal(shown.config.encryptKey, '****');

  // A console sends the row back as it got it, with one field changed.
  const saved = await save({ ...shown, name: 'masked-bot-edited' });
  assert.deepEqual(saved.config, shown.config);
  // And the seed's form: top-level masked values with the appId.
  await save({ appId: 'cli_masked', appSecret: shown.config.appSecret, apiKey: shown.config.apiKey });
  // As a JSON string.
  await save({ id: bot.id, config: JSON.stringify(shown.config) });

  const stored = storedConfig(bot.id);
  if (!stored) {
    t.diagnostic('not SQLite or no sqlite3 tool: the stored secrets could not be read back');
    return;
  }
  assert.deepEqual(stored, storedForm(config), 'a masked value replaced a stored secret');
  // A different value does replace it.
  await save({ id: bot.id, appSecret: 'rotated-app-secret' });
  assert.equal(storedConfig(bot.id).appSecret, 'rotated-app-secret');
});

test('a masked llmgate key is refused for a new bot: the bot could not charge anyone', { timeout: 10_000 }, async () => {
  await stack.admin.fails('POST', '/admin/bot/feishu/save',
    { name: 'masked-key-bot', config: botConfig('cli_masked_key', { apiKey: 'br-…abcd' }) },
    400, { param: 'config.apiKey' });
});

test('validation: each missing or wrong field is 400 naming it; nothing is written', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const existing = await save({ name: 'valid-bot', config: botConfig('cli_valid') });
  const before = await admin.list('/admin/bot/feishu/list', { limit: 1000 });
  const full = botConfig('cli_never');
  const without = (field) => Object.fromEntries(Object.entries(full).filter(([k]) => k !== field));
  const cases = [
    [{ name: 'x' }, 'config.appId', /config\.appId: required/],
    [{ name: 'x', config: without('appId') }, 'config.appId', /config\.appId/],
    [{ name: 'x', config: without('appSecret') }, 'config.appSecret', /config\.appSecret: required/],
    [{ name: 'x', config: without('apiKey') }, 'config.apiKey', /config\.apiKey: required/],
    [{ name: 'x', config: without('modelId') }, 'config.modelId', /config\.modelId: required/],
    [{ name: 'x', config: { ...full, appSecret: '' } }, 'config.appSecret', /config\.appSecret/],
    [{ name: 'x', config: { ...full, appId: 12 } }, 'config.appId', /config\.appId: must be a string/],
    [{ name: 'x', config: full, encryptKey: 5 }, 'config.encryptKey', /config\.encryptKey: must be a string/],
    [{ name: 'x', config: 42 }, 'config', /config: must be a JSON object/],
    [{ name: 'x', config: '{"appId": ' }, 'config', /config/],
    [{ name: 'x', config: '[1]' }, 'config', /config/],
    [{ name: 5, config: full }, 'name', /name: must be a string/],
    [{ name: 'x', provider: [], config: full }, 'provider', /provider/],
    [{ id: 'x', config: full }, 'id', /id/],
    [{ id: existing.id, modelId: 7 }, 'config.modelId', /config\.modelId/],
  ];
  for (const [body, param, message] of cases) {
    const answer = await admin.call('POST', '/admin/bot/feishu/save', body);
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.status} ${answer.text}`);
    assertAdminError(answer, 400, { param, message });
  }
  await admin.fails('POST', '/admin/bot/feishu/save', { id: 999999, name: 'ghost' }, 404);
  assert.deepEqual(await admin.list('/admin/bot/feishu/list', { limit: 1000 }), before);
});

test('two bots cannot share an appId (409)', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  await save({ name: 'first-app', config: botConfig('cli_taken') });
  const second = await save({ name: 'second-app', config: botConfig('cli_free') });
  await admin.fails('POST', '/admin/bot/feishu/save', { id: second.id, appId: 'cli_taken' }, 409, { message: /cli_taken|appId/ });
  const after = (await admin.list('/admin/bot/feishu/list', { q: 'second-app' })).items[0];
  assert.equal(after.app_id, 'cli_free');
});

test('delete: the bot goes; unknown id 404; missing id 400', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  const bot = await save({ name: 'doomed-bot', config: botConfig('cli_doomed') });
  assert.deepEqual(await admin.ok('POST', '/admin/bot/feishu/delete', { id: bot.id }), { id: bot.id });
  const list = await admin.list('/admin/bot/feishu/list', { limit: 1000 });
  assert.equal(list.items.some((b) => b.id === bot.id), false);
  await admin.fails('POST', '/admin/bot/feishu/delete', { id: bot.id }, 404);
  await admin.fails('POST', '/admin/bot/feishu/save', { id: bot.id, name: 'zombie' }, 404);
  await admin.fails('POST', '/admin/bot/feishu/delete', {}, 400, { param: 'id' });
  await admin.fails('POST', '/admin/bot/feishu/delete', { id: true }, 400, { param: 'id' });
  // The appId is free again: the seed's update form now creates.
  const reborn = await save({ name: 'reborn', config: botConfig('cli_doomed') });
  assert.ok(reborn.id > bot.id, `the id ${bot.id} of a deleted bot was reused (${reborn.id})`);
});

test('list: newest first, paging, q case-insensitive over name and appId, empty parameters ignored', { timeout: 10_000 }, async () => {
  const { admin } = stack;
  for (const index of [0, 1, 2]) await save({ name: `Listed-Bot-${index}`, config: botConfig(`cli_listed_${index}`) });
  const page = await admin.list('/admin/bot/feishu/list', { q: 'LISTED-bot', limit: 2 });
  assert.equal(page.total, 3);
  assert.deepEqual(page.items.map((b) => b.name), ['Listed-Bot-2', 'Listed-Bot-1']);
  for (const item of page.items) assertBotRow(item);
  const rest = await admin.list('/admin/bot/feishu/list', { q: 'listed-bot', limit: 2, offset: 2 });
  assert.deepEqual(rest.items.map((b) => b.name), ['Listed-Bot-0']);
  assert.deepEqual((await admin.list('/admin/bot/feishu/list', { q: 'CLI_LISTED_1' })).items.map((b) => b.name), ['Listed-Bot-1']);

  // q must not search configs: it would be an oracle for the secrets the list masks.
  assert.equal((await admin.list('/admin/bot/feishu/list', { q: 'app-secret-of-cli_listed' })).total, 0);
  const all = await admin.list('/admin/bot/feishu/list', { limit: 1000 });
  const ids = all.items.map((b) => b.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.deepEqual(await admin.list('/admin/bot/feishu/list', { q: '', limit: 1000, offset: '' }), all);
  assert.equal((await admin.list('/admin/bot/feishu/list', { limit: 100000 })).limit, 1000);
  await admin.fails('GET', '/admin/bot/feishu/list?limit=none', undefined, 400, { param: 'limit' });
});
