// A client that goes away mid-stream makes the gateway close its upstream request at once
// (SPEC 6). The fake upstream observes its connection closing.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { within } from './lib/expect.js';
import { gatewayModel, startStack, stopStack, uniquePrompt } from './lib/stack.js';

// The slow stream sends a chunk every 50 ms for a minute; "at once" is judged generously so
// that a loaded CI machine does not fail the test, yet far below the stream's length.
const kCloseWithinMs = 3_000;

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

async function streamThenLeave(leave) {
  const prompt = uniquePrompt('abort');
  const controller = new AbortController();
  const stream = await stack.client.chat.completions.create(
    { model: gatewayModel('slow-stream'), messages: [{ role: 'user', content: prompt }], stream: true },
    { signal: controller.signal },
  );
  let contentChunks = 0;
  let leftAt;
  for await (const chunk of stream) {
    assert.equal(chunk.model, gatewayModel('slow-stream'));
    if (chunk.choices[0]?.delta?.content?.startsWith('tick')) contentChunks += 1;
    if (contentChunks === 3) {
      leftAt = performance.now();
      if (leave === 'abort') controller.abort();
      else break;
    }
  }
  const closed = await within(
    10_000,
    'the gateway closes its upstream connection after the client left',
    stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt),
  );
  assert.equal(closed.finished, false, 'the upstream stream had not finished');
  const delayMs = closed.closedAt - leftAt;
  assert.ok(delayMs < kCloseWithinMs, `the upstream connection closed ${delayMs} ms after the client left`);
  assert.ok(closed.chunksSent < 100, `the upstream kept streaming: ${closed.chunksSent} chunks`);
}

test('AbortController mid-stream closes the upstream connection', { timeout: 20_000 }, async () => {
  await streamThenLeave('abort');
});

test('breaking out of the stream closes the upstream connection', { timeout: 20_000 }, async () => {
  await streamThenLeave('break');
});

test('the gateway serves normally after clients left', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('after abort');
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: prompt }],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
});
