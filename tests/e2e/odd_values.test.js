// Bad input, field by field (the non-negotiable "a clear error that names the field, never a
// crash, never a half-written row"): every field of every admin body and of chat bodies is
// sent with values of every JSON type and edge (huge and fractional numbers, integers past
// 2^64, lone surrogates, deep nesting, ...). Each answer must be a success or a 4xx whose
// error names a field; the server must keep serving; a refused write must change nothing.
// The values are fixed, not random, so a failure always reproduces.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kAccessKeyId, kSecretAccessKey, startFakeBedrock } from '../fakes/bedrock_upstream.js';
import { messageEvent, startFakeFeishu, uniqueId } from '../fakes/feishu_api.js';
import { assertAdminError, assertOpenAiError } from './lib/expect.js';
import { request } from './lib/http.js';
import { kOddValues, variants, withValue } from './lib/odd_values.js';
import { gatewayModel, kDefaultGroupId, startStack, stopStack } from './lib/stack.js';

// A 1x1 transparent PNG.
const kPngDataUrl =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let stack;
let bedrock;
let feishu;
let world;

before(async () => {
  feishu = await startFakeFeishu();
  stack = await startStack({ env: { LLMGATE_FEISHU_BASE_URL: feishu.url } });
  bedrock = await startFakeBedrock();
  const { admin, fake, models } = stack;
  const victim = await admin.createKey({ name: 'odd-victim', balance: 5 });
  const group = await admin.ok('POST', '/admin/group/save', { name: 'odd-group' });
  const hidden = await admin.saveModel({ name: 'odd-hidden', config: { baseUrl: `${fake.url}/v1`, model: 'echo' } });
  const bot = await admin.ok('POST', '/admin/bot/feishu/save', {
    name: 'odd-bot',
    config: { appId: 'cli_odd', appSecret: 'odd-app-secret', apiKey: victim.api_key, modelId: 'gw-echo', verificationToken: 'odd-token' },
  });
  const claude = await admin.saveModel({
    name: 'odd-claude',
    provider: 'bedrock-converse',
    group_id: kDefaultGroupId,
    config: {
      region: 'us-east-1',
      endpoint: `${bedrock.url}/{region}`,
      accessKeyId: kAccessKeyId,
      secretAccessKey: kSecretAccessKey,
      modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    },
  });
  feishu.addApp('cli_odd_events', 'odd-events-secret');
  const listener = await admin.ok('POST', '/admin/bot/feishu/save', {
    name: 'odd-events',
    config: { appId: 'cli_odd_events', appSecret: 'odd-events-secret', apiKey: victim.api_key, modelId: 'gw-echo', verificationToken: 'odd-token' },
  });
  world = { victim, group, hidden, bot, listener, claude, echo: models.echo };
}, { timeout: 60_000 });

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await bedrock?.close();
    await feishu?.close();
  }
}, { timeout: 60_000 });

function snapshot() {
  return stack.admin.snapshot();
}

/** Valid bodies, one per admin write; ids point at rows made for this file. */
function adminBodies() {
  const { victim, group, hidden, bot, echo } = world;
  return {
    '/admin/api-key/apply': { name: 'odd', group_id: group.id, role: 'user', month_quota: 1, balance: 1 },
    '/admin/api-key/update': { id: victim.id, name: 'odd', group_id: group.id, role: 'user', month_quota: 2 },
    '/admin/api-key/recharge': { id: victim.id, balance: 1 },
    '/admin/api-key/reset-key': { id: victim.id },
    '/admin/api-key/authorize-model': { key_id: victim.id, model_id: hidden.id },
    '/admin/api-key/deauthorize-model': { key_id: victim.id, model_id: hidden.id },
    '/admin/model/save': {
      id: hidden.id,
      name: 'odd-hidden',
      provider: 'openai-compatible',
      group_id: group.id,
      multiple: false,
      price_in: 1,
      price_out: 2,
      config: { baseUrl: `${stack.fake.url}/v1`, model: 'echo', apiKey: 'sk-odd', headers: { 'x-odd': '1' }, maxTokens: 100 },
    },
    '/admin/group/save': { id: group.id, name: 'odd-group' },
    '/admin/group/authorize-model': { group_id: group.id, model_id: echo.id },
    '/admin/group/deauthorize-model': { group_id: group.id, model_id: echo.id },
    '/admin/bot/feishu/save': {
      id: bot.id,
      name: 'odd-bot',
      config: { appId: 'cli_odd', appSecret: 'odd-app-secret', modelId: 'gw-echo', verificationToken: 'odd-token', encryptKey: 'k' },
    },
    // Deletions last in the run: each odd id must be refused or miss, never hit another row.
    '/admin/api-key/delete': { id: victim.id },
    '/admin/model/delete': { id: hidden.id },
    '/admin/group/delete': { id: group.id, force: true },
    '/admin/bot/feishu/delete': { id: bot.id },
  };
}

function isDeletion(path) {
  return path.endsWith('/delete');
}

/** The first 5xx or malformed answer fails the test with what was sent. */
function judge(answer, what, { openAi }) {
  assert.ok(answer.status < 500, `${what}: ${answer.status} ${answer.text.slice(0, 500)}`);
  if (answer.status < 400) return;
  if (openAi) assertOpenAiError(answer, answer.status);
  else assertAdminError(answer, answer.status);
  const error = answer.json.error;
  assert.doesNotMatch(error.message, /body is not JSON|Unexpected JSON/, `${what}: the provider was sent a body that is not JSON`);
  // A text that is not JSON (a lone surrogate escape, nesting past the parser's limit) has
  // no field to name: its message gives the byte instead. A provider's own refusal
  // (`upstream_*`, e.g. Bedrock's "The system text is blank.") is passed on as it came.
  const notJson = /not valid JSON: .* \(at byte \d+\)/.test(error.message);
  const fromUpstream = String(error.code ?? '').startsWith('upstream_');
  if (answer.status === 400 && !notJson && !fromUpstream) {
    assert.ok(
      typeof error.param === 'string' && error.param.length > 0,
      `${what}: a 400 must name the field in error.param: ${answer.text.slice(0, 500)}`,
    );
  }
}

test('admin writes: every field with every odd value is refused naming it, or taken; never a 5xx', { timeout: 600_000 }, async () => {
  const key = stack.gateway.adminKey;
  const bodies = adminBodies();
  for (const [path, body] of Object.entries(bodies)) {
    // A deletion varies only its id: other fields with a valid id delete the row.
    const fields = variants(body).filter(([field]) => !isDeletion(path) || field.startsWith('id'));
    for (const [field, template] of fields) {
      const values = template.includes('{{VALUE}}') ? kOddValues : [null];
      for (const raw of values) {
        const text = raw === null ? template : withValue(template, raw);
        // A deletion that is taken removes its row, which the rest of the run needs.
        const before = isDeletion(path) ? await snapshot() : undefined;
        const answer = await request(`${stack.gateway.url}${path}`, {
          method: 'POST',
          key,
          body: text,
          headers: { 'content-type': 'application/json' },
        });
        const what = `POST ${path} with ${field} = ${raw?.slice(0, 60) ?? '(removed)'}`;
        judge(answer, what, { openAi: false });
        if (before) {
          assert.notEqual(answer.status, 200, `${what}: an odd id deleted something`);
          assert.deepEqual(await snapshot(), before, `${what}: a refused deletion changed something`);
        }
      }
    }
  }
});

test('admin reads: odd query parameters are refused naming them, never a 5xx', { timeout: 120_000 }, async () => {
  const params = ['limit', 'offset', 'q', 'key_id', 'session_id', 'group_id', 'model', 'status', 'from', 'to', 'id'];
  const paths = ['/admin/api-key/list', '/admin/payment/list', '/admin/model/list', '/admin/group/list',
    '/admin/session/list', '/admin/thread/list', '/admin/api-key/list-model', '/admin/group/list-model',
    '/admin/statistics/total', '/admin/bot/feishu/list'];
  const oddTexts = ['-1', '1.5', '1e400', '99999999999999999999999', 'abc', '', '%00', '😀', 'x'.repeat(5000), '0x10', ' 1', '1 '];
  for (const path of paths) {
    for (const param of params) {
      for (const value of oddTexts) {
        const url = `${stack.gateway.url}${path}?${param}=${encodeURIComponent(value)}`;
        const answer = await request(url, { key: stack.gateway.adminKey });
        judge(answer, `GET ${path}?${param}=${value.slice(0, 40)}`, { openAi: false });
      }
    }
  }
  for (const id of ['-1', '0', '1.5', 'abc', '99999999999999999999999', '%00']) {
    for (const path of ['/admin/api-key/detail/', '/admin/model/detail/', '/admin/group/detail/', '/admin/session/detail/', '/admin/thread/detail/']) {
      const answer = await request(`${stack.gateway.url}${path}${id}`, { key: stack.gateway.adminKey });
      assert.ok([400, 404].includes(answer.status), `GET ${path}${id}: ${answer.status} ${answer.text}`);
      assertAdminError(answer, answer.status);
    }
  }
});

/** A chat body that uses most of what SPEC 6 reads, for `model`. */
function chatBody(model) {
  return {
    model,
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'odd values' }, { type: 'image_url', image_url: { url: kPngDataUrl, detail: 'low' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      { role: 'user', content: 'go on' },
    ],
    temperature: 0.5,
    top_p: 0.9,
    max_tokens: 50,
    max_completion_tokens: 50,
    presence_penalty: 0.1,
    frequency_penalty: 0.1,
    seed: 7,
    n: 1,
    response_format: { type: 'text' },
    stop: ['END'],
    stream: false,
    stream_options: { include_usage: true },
    tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object', properties: {} } } }],
    tool_choice: { type: 'function', function: { name: 'f' } },
    user: 'odd',
  };
}

test('chat bodies: every field with every odd value, to an OpenAI-compatible and a Bedrock model; never a 5xx', { timeout: 600_000 }, async () => {
  const key = stack.user.api_key;
  const url = `${stack.gateway.url}/v1/chat/completions`;
  for (const model of [gatewayModel('echo'), world.claude.name]) {
    const body = chatBody(model);
    for (const [field, template] of variants(body)) {
      const values = template.includes('{{VALUE}}') ? kOddValues : [null];
      for (const raw of values) {
        const text = raw === null ? template : withValue(template, raw);
        const answer = await request(url, { method: 'POST', key, body: text, headers: { 'content-type': 'application/json' } });
        judge(answer, `${model}: ${field} = ${raw?.slice(0, 60) ?? '(removed)'}`, { openAi: true });
      }
    }
  }
  // Still serving, and the user key still works.
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: 'after the odd values' }],
  });
  assert.equal(answer.choices[0].message.content, 'echo: after the odd values');
});

test('Feishu events: every field with every odd value is answered (taken, ignored or a 4xx), never a 5xx', { timeout: 600_000 }, async () => {
  const url = `${stack.gateway.url}/bot/feishu/${world.listener.id}/webhook/event`;
  // Ids stay placeholders so that each variant is a new event, not a duplicate of the last.
  const event = messageEvent({ token: 'odd-token', appId: 'cli_odd_events', eventId: '{{EVENT}}', messageId: '{{MESSAGE}}', text: 'odd event' });
  event.event.message.mentions = [{ key: '@_user_1', id: { open_id: 'ou_x', union_id: 'on_x', user_id: 'u_x' }, name: 'x', tenant_key: 't' }];
  const statuses = new Set();
  for (const [field, template] of variants(event)) {
    const values = template.includes('{{VALUE}}') ? kOddValues : [null];
    for (const raw of values) {
      const text = (raw === null ? template : withValue(template, raw))
        .replace('{{EVENT}}', uniqueId('ev_'))
        .replace('{{MESSAGE}}', uniqueId('om_'));
      const answer = await request(url, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
      const what = `event with ${field} = ${raw?.slice(0, 60) ?? '(removed)'}`;
      assert.ok(answer.status < 500, `${what}: ${answer.status} ${answer.text.slice(0, 500)}`);
      assert.ok(answer.json && typeof answer.json === 'object', `${what}: not JSON: ${answer.text.slice(0, 200)}`);
      statuses.add(answer.status);
    }
  }
  // Both kinds were met: the odd values did reach the event's checks, not only the token's.
  assert.ok(statuses.has(200) && [...statuses].some((status) => status >= 400), [...statuses].join(','));
});

test('refused admin writes changed nothing they were not asked to', { timeout: 60_000 }, async () => {
  // The rows this file made are still there (deletions with odd ids hit nothing).
  const { keys, models, groups, bots } = await snapshot();
  assert.ok(keys.items.some((row) => row.id === world.victim.id), 'the victim key is gone');
  assert.ok(models.items.some((row) => row.id === world.hidden.id), 'the hidden model is gone');
  assert.ok(groups.items.some((row) => row.id === world.group.id), 'the group is gone');
  assert.ok(bots.items.some((row) => row.id === world.bot.id), 'the bot is gone');
});
