// The fake upstream itself, driven by the official openai client with no gateway in
// between: if these fail, the gateway tests cannot be trusted. Needs no llmgate binary.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import {
  echoReply,
  echoUsage,
  kRetryAfterSeconds,
  kToolArguments,
  kToolUsage,
  startFakeUpstream,
} from '../fakes/openai_upstream.js';

let fake;
let client;

before(async () => {
  fake = await startFakeUpstream();
  client = new OpenAI({ apiKey: 'sk-direct', baseURL: `${fake.url}/v1`, maxRetries: 0 });
});

after(async () => {
  await fake?.close();
});

const kMessages = [
  { role: 'system', content: 'be brief' },
  { role: 'user', content: 'hello there fake' },
];

test('fake: echo answers deterministically without a stream', async () => {
  const answer = await client.chat.completions.create({ model: 'echo', messages: kMessages });
  assert.equal(answer.choices[0].message.content, 'echo: hello there fake');
  assert.equal(answer.choices[0].message.content, echoReply(kMessages));
  assert.deepEqual(answer.usage, echoUsage(kMessages));
  assert.deepEqual(answer.usage, { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
  const recorded = fake.requests.at(-1);
  assert.equal(recorded.path, '/v1/chat/completions');
  assert.equal(recorded.headers.authorization, 'Bearer sk-direct');
  assert.equal(recorded.body.model, 'echo');
});

for (const model of ['echo', 'echo-fragmented']) {
  test(`fake: ${model} streams words and honours include_usage`, async () => {
    const withUsage = await client.chat.completions.create({
      model,
      messages: kMessages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of withUsage) {
      if (chunk.choices.length === 0) usage = chunk.usage;
      else text += chunk.choices[0].delta.content ?? '';
    }
    assert.equal(text, 'echo: hello there fake');
    assert.deepEqual(usage, echoUsage(kMessages));

    const withoutUsage = await client.chat.completions.create({ model, messages: kMessages, stream: true });
    for await (const chunk of withoutUsage) {
      assert.equal(chunk.choices.length, 1);
      assert.equal(chunk.usage, undefined);
    }
  });
}

test('fake: tools answers a tool call, streamed as deltas', async () => {
  const tools = [
    { type: 'function', function: { name: 'lookup_city', parameters: { type: 'object', properties: {} } } },
  ];
  const plain = await client.chat.completions.create({ model: 'tools', messages: kMessages, tools });
  assert.equal(plain.choices[0].finish_reason, 'tool_calls');
  assert.equal(plain.choices[0].message.tool_calls[0].function.name, 'lookup_city');
  assert.equal(plain.choices[0].message.tool_calls[0].function.arguments, kToolArguments);
  assert.deepEqual(plain.usage, kToolUsage);

  const runner = client.chat.completions.stream({ model: 'tools', messages: kMessages, tools });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.tool_calls[0].function.name, 'lookup_city');
  assert.equal(final.choices[0].message.tool_calls[0].function.arguments, kToolArguments);
});

test('fake: status-NNN answers that status; 429 carries Retry-After', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'status-429', messages: kMessages }),
    (error) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.headers.get('retry-after'), kRetryAfterSeconds);
      return true;
    },
  );
  await assert.rejects(
    client.chat.completions.create({ model: 'status-500', messages: kMessages }),
    OpenAI.InternalServerError,
  );
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: kMessages }),
    OpenAI.NotFoundError,
  );
});

test('fake: cut ends the stream without [DONE]', async () => {
  const stream = await client.chat.completions.create({ model: 'cut', messages: kMessages, stream: true });
  let text = '';
  await assert.rejects(async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  });
  assert.equal(text, 'partial answer ');
});

test('fake: a client abort of slow-stream is recorded as an early close', async () => {
  const prompt = 'abort me directly';
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: 'slow-stream', messages: [{ role: 'user', content: prompt }], stream: true },
    { signal: controller.signal },
  );
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += chunk.choices.length;
    if (chunks === 3) controller.abort();
  }
  const closed = await fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt);
  assert.equal(closed.closedEarly, true);
  assert.equal(closed.finished, false);
});

test('fake: hang never answers until the client goes away', async () => {
  const controller = new AbortController();
  const pending = client.chat.completions.create(
    { model: 'hang', messages: [{ role: 'user', content: 'hang direct' }] },
    { signal: controller.signal },
  );
  const arrived = await fake.waitForRequest((r) => r.model === 'hang');
  assert.equal(arrived.finished, false);
  controller.abort();
  await assert.rejects(pending, OpenAI.APIUserAbortError);
  await fake.waitForClose((r) => r.model === 'hang');
});

test('fake: gated streams wait for openGate()', async () => {
  const stream = await client.chat.completions.create({
    model: 'gated',
    messages: [{ role: 'user', content: 'gate direct' }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert.equal(first.value.choices[0].delta.content, 'part0 ');
  await fake.waitForGated();
  fake.openGate();
  let text = first.value.choices[0].delta.content;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    text += next.value.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, 'part0 part1 part2 part3 part4 part5 ');
});
