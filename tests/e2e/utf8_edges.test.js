// Bytes that are not UTF-8, from outside: an upstream's error page in another encoding or
// cut in the middle of a character, and a Session-Id header. JSON answers, PostgreSQL's text
// columns and Feishu take UTF-8 only, so every answer must decode strictly and every record
// must be stored (on PostgreSQL an invalid byte used to lose the request's record).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitForThreads } from './lib/records.js';
import { gatewayModel, kDefaultGroupId, startStack, stopStack } from './lib/stack.js';

const kStrict = new TextDecoder('utf-8', { fatal: true });

let stack;

before(async () => {
  stack = await startStack();
  await stack.admin.saveModel({
    name: gatewayModel('raw-error'),
    group_id: kDefaultGroupId,
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: 'sk-x', model: 'raw-error' },
  });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** fetch whose answer must be UTF-8 (a decoder that throws on anything else) and JSON. */
async function strictJson(path, { method = 'GET', key, headers = {}, body } = {}) {
  const response = await fetch(`${stack.gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text;
  assert.doesNotThrow(() => {
    text = kStrict.decode(bytes);
  }, `${method} ${path}: the answer is not UTF-8: ${Buffer.from(bytes).toString('latin1').slice(0, 300)}`);
  return { status: response.status, json: JSON.parse(text) };
}

/** A Session-Id header carrying these bytes (fetch sends each char of a header as one byte). */
function headerBytes(buffer) {
  return buffer.toString('latin1');
}

test('an upstream error page that is not UTF-8: a 502 in UTF-8, and the failed request is recorded', { timeout: 30_000 }, async () => {
  const key = await stack.admin.createKey({ name: 'utf8-errors' });
  const pages = [
    Buffer.concat([Buffer.from('服务器错误 in GBK: '), Buffer.from([0xb7, 0xfe, 0xce, 0xf1, 0xc6, 0xf7])]),
    Buffer.from(`${'x'.repeat(299)}中文`), // cut at 300 bytes, inside 中
    Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc0, 0xaf]),
  ];
  for (const page of pages) {
    const answer = await strictJson('/v1/chat/completions', {
      method: 'POST',
      key: key.api_key,
      body: { model: gatewayModel('raw-error'), messages: [{ role: 'user', content: page.toString('base64') }] },
    });
    assert.equal(answer.status, 502, JSON.stringify(answer.json));
    assert.equal(typeof answer.json.error?.message, 'string');
  }
  const threads = await waitForThreads(stack, key, pages.length);
  for (const thread of threads) assert.equal(thread.status, 'error', JSON.stringify(thread));
  // The admin API's own bytes are UTF-8 too, and say what the upstream sent where it could.
  const listed = await strictJson(`/admin/thread/list?key_id=${key.id}&limit=10`, { key: stack.gateway.adminKey });
  const errors = listed.json.data.items.map((thread) => thread.error).join('\n');
  assert.match(errors, /服务器错误 in GBK: \uFFFD/);
  assert.match(errors, /x{20}/);
  assert.doesNotMatch(errors, /中/, 'the character cut in half is left out, not half-written');
});

test('a Session-Id that is not UTF-8 is refused naming it; a long one is cut at a character', { timeout: 30_000 }, async () => {
  const key = await stack.admin.createKey({ name: 'utf8-sessions' });
  const ask = (sessionBytes, content) =>
    strictJson('/v1/chat/completions', {
      method: 'POST',
      key: key.api_key,
      headers: { 'session-id': headerBytes(sessionBytes) },
      body: { model: gatewayModel('echo'), messages: [{ role: 'user', content }] },
    });

  const refused = await ask(Buffer.from([0x61, 0xff, 0x62]), 'refused');
  assert.equal(refused.status, 400, JSON.stringify(refused.json));
  assert.equal(refused.json.error.param, 'Session-Id');

  // 255 ASCII bytes then a 3-byte character: the 256-byte cut falls inside it.
  const long = Buffer.from(`${'s'.repeat(255)}中`);
  for (const content of ['first turn', 'second turn']) {
    const answer = await ask(long, content);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(answer.json.choices[0].message.content, `echo: ${content}`);
  }
  // Both recorded, in one session (the same cut id both times).
  const threads = await waitForThreads(stack, key, 2);
  assert.equal(threads[0].session_id, threads[1].session_id);
});

test('text with NUL characters (valid JSON, refused by PostgreSQL text) is answered and recorded', { timeout: 30_000 }, async () => {
  const key = await stack.admin.createKey({ name: 'utf8-nul' });
  const content = 'before\u0000after';
  const answer = await strictJson('/v1/chat/completions', {
    method: 'POST',
    key: key.api_key,
    headers: { 'session-id': 'nul-session' },
    body: { model: gatewayModel('echo'), messages: [{ role: 'system', content: 'sys\u0000tem' }, { role: 'user', content }] },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.equal(answer.json.choices[0].message.content, `echo: ${content}`);
  const [thread] = await waitForThreads(stack, key, 1);
  assert.equal(thread.status, 'ok');
  const detail = await strictJson(`/admin/thread/detail/${thread.id}`, { key: stack.gateway.adminKey });
  assert.equal(detail.status, 200);
  assert.match(detail.json.data.prompt, /^before.?after$/su, 'the prompt is kept (the NUL may be replaced)');
});

test('a string cut inside an emoji (a lone surrogate escape, as JSON.stringify writes it) is read as U+FFFD', { timeout: 30_000 }, async () => {
  const cut = `${'😀'.slice(0, 1)} cut`; // the emoji's first UTF-16 unit only
  assert.match(JSON.stringify(cut), /\\ud83d cut/, 'the client sends a lone surrogate escape');
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: cut }],
  });
  assert.equal(answer.choices[0].message.content, 'echo: \uFFFD cut');
  // An escaped backslash before "ud83d" is text, not an escape: it is kept as it was.
  const text = String.raw`keep \ud83d as text`;
  const kept = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: text }],
  });
  assert.equal(kept.choices[0].message.content, `echo: ${text}`);
});
