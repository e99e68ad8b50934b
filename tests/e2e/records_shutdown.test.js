// SPEC 1 and 8: records are written off the request path, but a graceful stop flushes
// them all. SIGTERM arrives while streams are mid-answer and a burst of plain requests is
// on its way; after the process exits 0 and a new one starts on the same database, every
// request that reached the model has its thread — counted without any waiting, since the
// old process wrote them before it exited.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { echoUsage } from '../fakes/openai_upstream.js';
import { eventually } from './lib/eventually.js';
import { sumNanos, toNanos } from './lib/money.js';
import { apiAs, chat, kStreamWithUsage, readStream, uniqueWord } from './lib/records.js';
import { gatewayModel, restartGateway, startStack, stopStack } from './lib/stack.js';

const kStreams = 40;
const kPlain = 30;

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** The chat call's outcome, never a rejection: {answer} or {failure}. */
function settle(promise) {
  return promise.then(
    (answer) => ({ answer }),
    (failure) => ({ failure }),
  );
}

function firstUserText(record) {
  return record.body?.messages?.[0]?.content;
}

test('SIGTERM during load loses no thread', { timeout: 90_000 }, async (t) => {
  const key = await stack.admin.createKey({ name: 'records-load' });
  const tag = uniqueWord('load');
  const streamPrompts = Array.from({ length: kStreams }, (_, index) => `${tag} stream ${index}`);
  const plainPrompts = Array.from({ length: kPlain }, (_, index) => `${tag} plain ${index}`);

  // The streams are mid-answer when the signal comes: each waits at the fake's gate.
  const streams = streamPrompts.map((content) =>
    settle(chat(stack, key, { model: gatewayModel('gated'), messages: [{ role: 'user', content }], ...kStreamWithUsage })),
  );
  await Promise.all(streamPrompts.map((content) => stack.fake.waitForGated((r) => firstUserText(r) === content)));

  // The plain burst is on its way: the signal comes as soon as the first of it reaches the
  // upstream. Whatever the gateway still accepts must be answered and recorded; whatever
  // it refuses must not have reached the upstream.
  const plains = plainPrompts.map((content) =>
    settle(chat(stack, key, { model: gatewayModel('echo'), messages: [{ role: 'user', content }] })),
  );
  await stack.fake.waitForRequest((r) => plainPrompts.includes(firstUserText(r)));
  const gateway = stack.gateway;
  gateway.child.kill('SIGTERM');
  stack.fake.openGate();

  const streamResults = await Promise.all(streams);
  const plainResults = await Promise.all(plains);
  const { code, signal } = await gateway.waitForExit(30_000, 'SIGTERM');
  assert.equal(signal, null, `llmgate was killed by ${signal}; output:\n${gateway.tail()}`);
  assert.equal(code, 0, `llmgate exited ${code}; output:\n${gateway.tail()}`);

  // Every in-flight stream finished whole (SPEC 1).
  for (const [index, { answer, failure }] of streamResults.entries()) {
    assert.ok(answer, `stream ${index} failed: ${failure?.message}`);
    assert.equal(answer.status, 200, answer.text);
    const read = readStream(answer.text);
    assert.equal(read.content, 'part0 part1 part2 part3 part4 part5 ', `stream ${index} completed`);
    assert.ok(read.done, `stream ${index} ended with [DONE]`);
  }
  const completed = [...streamResults, ...plainResults].filter(({ answer }) => answer?.status === 200);
  const completedPlain = plainResults.filter(({ answer }) => answer?.status === 200);
  assert.ok(completedPlain.length >= 1, 'the plain request that reached the upstream was answered');
  for (const { answer } of completedPlain) {
    assert.match(answer.json?.choices?.[0]?.message?.content ?? '', /^echo: /, answer.text);
  }
  const reached = stack.fake.requests.filter((r) => String(firstUserText(r) ?? '').startsWith(tag));
  t.diagnostic(
    `${completedPlain.length} of ${kPlain} plain requests completed, ` +
      `${plainResults.filter(({ failure }) => failure).length} refused by the stopping gateway`,
  );

  // A new process on the same database: the records are there at once.
  await restartGateway(stack);
  const page = await stack.admin.list('/admin/thread/list', { key_id: key.id, limit: 1000 });
  const threads = page.items;
  assert.equal(
    threads.length,
    completed.length,
    `threads ${threads.length}, completed requests ${completed.length} (${kStreams} streams, ` +
      `${completedPlain.length} of ${kPlain} plain), requests that reached the upstream ${reached.length}`,
  );
  assert.equal(threads.length, reached.length, 'one thread per request that reached the upstream');
  assert.deepEqual(
    threads.map((t) => t.request_id).sort(),
    completed.map(({ answer }) => answer.requestId).sort(),
    'the threads are those of the completed requests',
  );
  for (const thread of threads) {
    assert.equal(thread.status, 'ok', JSON.stringify(thread));
    if (thread.stream) {
      assert.deepEqual([thread.tokens_in, thread.tokens_out], [3, 6], 'the gated stream\'s usage');
      assert.equal(thread.completion, 'part0 part1 part2 part3 part4 part5 ');
    } else {
      const usage = echoUsage([{ role: 'user', content: thread.prompt }]);
      assert.deepEqual([thread.tokens_in, thread.tokens_out], [usage.prompt_tokens, usage.completion_tokens]);
    }
  }
  assert.equal(threads.filter((t) => t.stream).length, kStreams);

  // The sessions' totals were flushed with their threads, and match the key's charges.
  const sessions = await stack.admin.list('/admin/session/list', { key_id: key.id, limit: 1000 });
  assert.equal(sessions.items.reduce((sum, s) => sum + s.thread_count, 0), threads.length);
  assert.equal(sumNanos(sessions.items.map((s) => s.total_fee)), sumNanos(threads.map((t) => t.fee)));
  const mine = await apiAs(stack, key).get('/user/api-key/mine');
  assert.equal(toNanos(mine.total_fee), sumNanos(threads.map((t) => t.fee)), 'every charged request has its thread');

  // A conversation continued after the restart stays in its session.
  const next = await chat(stack, key, {
    model: gatewayModel('echo'),
    messages: [
      { role: 'user', content: streamPrompts[0] },
      { role: 'assistant', content: 'part0 part1 part2 part3 part4 part5 ' },
      { role: 'user', content: 'and after the restart?' },
    ],
  });
  assert.equal(next.status, 200, next.text);
  const continued = threads.find((t) => t.prompt === streamPrompts[0]);
  await eventually(
    async () => {
      const detail = await stack.admin.get(`/admin/session/detail/${continued.session_id}`);
      assert.deepEqual(detail.threads.map((t) => t.prompt), [streamPrompts[0], 'and after the restart?']);
    },
    { what: 'the turn after the restart joins its session' },
  );
  const sessionsAfter = await stack.admin.list('/admin/session/list', { key_id: key.id, limit: 1000 });
  assert.equal(sessionsAfter.total, sessions.total, 'no new session');
});
