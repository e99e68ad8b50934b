// Graceful shutdown (SPEC 1): on SIGTERM / SIGINT / SIGHUP the gateway stops accepting, lets
// in-flight requests (streams included) finish, and exits 0.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Admin } from './lib/admin.js';
import { startGateway } from './lib/gateway.js';
import { gatewayModel, startStack, uniquePrompt } from './lib/stack.js';

let stack;

afterEach(async () => {
  // The tests end the gateway themselves; this only tidies up after a failure.
  await stack?.gateway.cleanup();
  await stack?.fake.close();
  stack = undefined;
}, { timeout: 30_000 });

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  test(`${signal} during a stream: the stream completes, then the process exits 0`, { timeout: 40_000 }, async () => {
    stack = await startStack();
    const prompt = uniquePrompt('shutdown');
    const stream = await stack.client.chat.completions.create({
      model: gatewayModel('gated'),
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.value.choices[0].delta.content, 'part0 ');
    await stack.fake.waitForGated((r) => r.body?.messages?.[0]?.content === prompt);

    // The signal arrives while the upstream is still mid-answer; the rest of the answer
    // is released only afterwards.
    stack.gateway.child.kill(signal);
    stack.fake.openGate();

    let text = first.value.choices[0].delta.content;
    let usage;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      text += next.value.choices[0]?.delta?.content ?? '';
      usage ??= next.value.usage ?? undefined;
    }
    assert.equal(text, 'part0 part1 part2 part3 part4 part5 ', 'the in-flight stream completed');
    assert.deepEqual(usage, { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });

    const { code, signal: killedBy } = await stack.gateway.waitForExit(15_000, signal);
    assert.equal(killedBy, null, `llmgate was killed by ${killedBy}; output:\n${stack.gateway.tail()}`);
    assert.equal(code, 0, `llmgate exited ${code}; output:\n${stack.gateway.tail()}`);
  });
}

test('a stream still running when the grace period ends is ended, charged and recorded before the exit', { timeout: 40_000 }, async () => {
  stack = await startStack({ env: { LLMGATE_SHUTDOWN_GRACE: '1s' } });
  const prompt = uniquePrompt('outlasts the grace period');
  const stream = await stack.client.chat.completions.create({
    model: gatewayModel('gated'),
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value.choices[0].delta.content, 'part0 ');
  await stack.fake.waitForGated((r) => r.body?.messages?.[0]?.content === prompt);

  // The gate never opens: the stream outlasts the grace period.
  const { code } = await stack.gateway.signalAndWait('SIGTERM');
  assert.equal(code, 0, stack.gateway.tail());
  assert.match(stack.gateway.tail(), /ending their requests/);
  await assert.rejects(async () => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next());
  }, 'the stream was cut');
  assert.ok((await stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt)).closedEarly,
    'the upstream call was stopped');

  // Started again on the same database: the request is there, cancelled, and was charged.
  const again = await startGateway({ reuse: stack.gateway });
  stack.gateway = again;
  const admin = new Admin(again.url, again.adminKey);
  const threads = await admin.list('/admin/thread/list', { q: prompt });
  assert.equal(threads.total, 1);
  const [thread] = threads.items;
  assert.equal(thread.status, 'cancelled');
  assert.ok(thread.fee > 0, `the partial answer was charged: ${JSON.stringify(thread)}`);
  const key = await admin.get(`/admin/api-key/detail/${stack.user.id}`);
  assert.equal(key.total_fee, thread.fee);
});

test('SIGTERM with nothing in flight exits 0 promptly', { timeout: 30_000 }, async () => {
  stack = await startStack();
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: 'before shutdown' }],
  });
  assert.equal(answer.choices[0].message.content, 'echo: before shutdown');
  // The client keeps an idle keep-alive connection open; shutdown must not wait for it.
  const started = performance.now();
  const { code } = await stack.gateway.signalAndWait('SIGTERM');
  assert.equal(code, 0, stack.gateway.tail());
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < 5_000, `exit took ${elapsedMs} ms with nothing in flight`);
});

test('SIGTERM as soon as the gateway says it listens is a graceful stop, not a kill', { timeout: 60_000 }, async () => {
  // The signal handler was installed after the "listening" line: a stop that came right
  // after it killed the process (signal SIGTERM, no exit code) about one time in six.
  for (let round = 0; round < 10; ++round) {
    const gateway = await startGateway();
    const { code, signal } = await gateway.signalAndWait('SIGTERM');
    await gateway.cleanup();
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, `round ${round}: ${gateway.tail()}`);
  }
});

test('under nohup, SIGHUP stays ignored', { timeout: 30_000 }, async () => {
  const gateway = await startGateway({ wrapper: ['nohup'] });
  try {
    gateway.child.kill('SIGHUP');
    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    const { code } = await gateway.signalAndWait('SIGTERM');
    assert.equal(code, 0, gateway.tail());
    // Signals are handled in the order they came: a caught SIGHUP would have drained first.
    assert.match(gateway.tail(), /signal 15: draining/);
    assert.doesNotMatch(gateway.tail(), /signal 1: draining/);
  } finally {
    await gateway.cleanup();
  }
});
