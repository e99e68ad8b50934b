// LLMGATE_STORE_CONTENT=false (SPEC 1 and 8): threads keep tokens, cost and timings, but no
// text: no prompt, completion, tool calls, whole prompt or session title, in any answer and
// nowhere in the database file. Sessions are still recognised by their opening.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { echoUsage, kToolUsage } from '../fakes/openai_upstream.js';
import { costNanos, sumNanos, toNanos } from './lib/money.js';
import {
  apiAs,
  brief,
  chat,
  converse,
  isEmptyText,
  kStreamWithUsage,
  uniqueWord,
  waitForSessions,
  waitForThreads,
} from './lib/records.js';
import { gatewayModel, startStack, stopStack } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack({ env: { LLMGATE_STORE_CONTENT: 'false' } });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** Asserts a thread or session object holds none of the text fields. */
function assertNoText(row, fields) {
  for (const field of fields) {
    assert.ok(isEmptyText(row[field]), `${field} kept with STORE_CONTENT=false: ${JSON.stringify(row[field])}`);
  }
}

test('no text is stored, the numbers are', { timeout: 30_000 }, async () => {
  const key = await stack.admin.createKey({ name: 'no-content' });
  const marker = uniqueWord('secret');
  const system = `System prompt ${marker}sys`;
  const turns = [`first ${marker}`, `second ${marker}two`, `third ${marker}three`];
  const sent = await converse(stack, key, { model: gatewayModel('echo'), system, turns });
  assert.equal(sent[2].reply, `echo: ${turns[2]}`, 'the answers themselves are untouched');
  const streamed = await chat(stack, key, {
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: `streamed ${marker}` }],
    ...kStreamWithUsage,
  });
  assert.equal(streamed.status, 200, streamed.text);
  const tools = await chat(stack, key, {
    model: gatewayModel('tools'),
    messages: [{ role: 'user', content: `tool ${marker}` }],
    tools: [{ type: 'function', function: { name: `fn_${marker}`, parameters: { type: 'object' } } }],
  });
  assert.equal(tools.status, 200, tools.text);
  const failed = await chat(stack, key, {
    model: gatewayModel('status-500'),
    messages: [{ role: 'user', content: `failing ${marker}` }],
  });
  assert.equal(failed.status, 502, failed.text);

  // The conversation is still one session: its opening is recognised without being kept.
  const sessions = await waitForSessions(stack, key, 4, 6);
  const conversation = sessions.find((s) => s.thread_count === 3);
  assert.ok(conversation, `the three turns are one session: ${JSON.stringify(sessions)}`);
  const user = apiAs(stack, key);
  for (const session of sessions) assertNoText(session, ['title']);

  const threads = await waitForThreads(stack, key, 6);
  const textFields = ['prompt', 'completion', 'whole_prompt', 'tool_calls'];
  for (const row of threads) {
    const thread = await user.get(`/user/thread/detail/${row.id}`);
    assertNoText(thread, textFields);
    assert.deepEqual(await stack.admin.get(`/admin/thread/detail/${row.id}`), thread);
    assert.ok(Number.isInteger(thread.latency_ms) && thread.latency_ms >= 0, JSON.stringify(brief(thread)));
    assert.ok(thread.first_byte_latency_ms <= thread.latency_ms);
    assert.equal(typeof thread.stream, 'boolean');
  }
  const detail = await user.get(`/user/session/detail/${conversation.id}`);
  assertNoText(detail, ['title']);
  assert.equal(detail.threads.length, 3);
  sent.forEach(({ messages }, index) => {
    const thread = detail.threads[index];
    assertNoText(thread, textFields);
    const usage = echoUsage(messages);
    assert.deepEqual([thread.tokens_in, thread.tokens_out], [usage.prompt_tokens, usage.completion_tokens], `turn ${index}`);
    assert.equal(toNanos(thread.fee), costNanos(thread.tokens_in, thread.tokens_out, stack.models.echo));
    assert.equal(thread.status, 'ok');
    assert.equal(thread.stream, false);
    assert.equal(thread.model, gatewayModel('echo'));
    assert.equal(thread.request_id, sent[index].answer.requestId);
  });
  assert.equal(toNanos(detail.total_fee), sumNanos(detail.threads.map((t) => t.fee)));

  const toolThread = threads.find((t) => t.model === gatewayModel('tools'));
  assert.deepEqual([toolThread.tokens_in, toolThread.tokens_out], [kToolUsage.prompt_tokens, kToolUsage.completion_tokens]);
  const streamThread = threads.find((t) => t.stream);
  assert.equal(streamThread.status, 'ok');
  assert.ok(streamThread.tokens_out > 0);
  const failedThread = threads.find((t) => t.model === gatewayModel('status-500'));
  assert.equal(failedThread.status, 'error', 'the status is kept');

  // Nothing to find by text.
  for (const q of [marker, `${marker}two`, 'echo', 'first']) {
    for (const listPath of ['/user/thread/list', '/user/session/list']) {
      assert.equal((await user.list(listPath, { q })).total, 0, `${listPath}?q=${q}`);
    }
  }
  // Not in any answer of the record API ...
  for (const listPath of ['/admin/thread/list', '/admin/session/list']) {
    const answer = await stack.admin.call('GET', `${listPath}?limit=1000`);
    assert.ok(!answer.text.includes(marker), `${listPath} shows the text: ${answer.text}`);
  }
  // ... nor in the database file (SQLite only: its files are in the gateway's directory).
  if (stack.gateway.databaseUrl.startsWith('sqlite://')) {
    const file = stack.gateway.databaseUrl.slice('sqlite://'.length);
    const base = path.basename(file);
    const dir = path.dirname(file);
    const names = (await readdir(dir)).filter((name) => name.startsWith(base));
    assert.ok(names.length > 0, `no database files in ${dir}`);
    for (const name of names) {
      const bytes = await readFile(path.join(dir, name));
      assert.equal(bytes.includes(Buffer.from(marker)), false, `${name} holds the prompt text`);
    }
  }
});
