// Streamed chat completions (SPEC 6 and 9): relayed chunk by chunk, the gateway's model
// name in every chunk, usage always asked upstream and shown only when the client asked,
// tool-call deltas.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { echoUsage, kToolArguments, kToolCallId, kToolUsage } from '../fakes/openai_upstream.js';
import { within } from './lib/expect.js';
import { request } from './lib/http.js';
import {
  gatewayModel,
  sseDataLines,
  startStack,
  stopStack,
  uniquePrompt,
  upstreamRequestFor,
} from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** Streams one request through the openai client and collects every chunk. */
async function collect(body) {
  const stream = await stack.client.chat.completions.create({ ...body, stream: true });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function contentOf(chunks) {
  return chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
}

function checkEchoChunks(chunks, model, prompt) {
  assert.ok(chunks.length >= 3, `too few chunks: ${chunks.length}`);
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.model, model, 'every chunk names the gateway model');
  }
  const withChoices = chunks.filter((c) => c.choices.length > 0);
  assert.equal(withChoices[0].choices[0].delta.role, 'assistant', 'the first delta has the role');
  assert.equal(contentOf(chunks), `echo: ${prompt}`);
  assert.equal(withChoices.at(-1).choices[0].finish_reason, 'stop', 'the last content chunk has finish_reason');
  assert.ok(
    withChoices.slice(0, -1).every((c) => !c.choices[0].finish_reason),
    'only the last content chunk has a finish_reason',
  );
}

for (const behaviour of ['echo', 'echo-fragmented']) {
  test(`stream (${behaviour}): without include_usage the client gets no usage chunk, the upstream was asked anyway`, { timeout: 10_000 }, async () => {
    const prompt = uniquePrompt('stream plain');
    const chunks = await collect({ model: gatewayModel(behaviour), messages: [{ role: 'user', content: prompt }] });
    checkEchoChunks(chunks, gatewayModel(behaviour), prompt);
    for (const chunk of chunks) {
      assert.equal(chunk.choices.length, 1, 'no usage chunk (choices: []) when not asked');
      assert.ok(!chunk.usage, `no usage when not asked: ${JSON.stringify(chunk)}`);
    }
    const upstream = upstreamRequestFor(stack.fake, prompt);
    assert.equal(upstream.body.model, behaviour);
    assert.equal(upstream.body.stream, true);
    assert.deepEqual(upstream.body.stream_options, { include_usage: true });
  });

  test(`stream (${behaviour}): include_usage true gives a final usage chunk`, { timeout: 10_000 }, async () => {
    const prompt = uniquePrompt('stream usage');
    const messages = [
      { role: 'system', content: 'count tokens' },
      { role: 'user', content: prompt },
    ];
    const chunks = await collect({
      model: gatewayModel(behaviour),
      messages,
      stream_options: { include_usage: true },
    });
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
    assert.deepEqual(last.usage, echoUsage(messages));
    assert.equal(last.model, gatewayModel(behaviour));
    checkEchoChunks(chunks.slice(0, -1), gatewayModel(behaviour), prompt);
    assert.equal(chunks.filter((c) => c.choices.length === 0).length, 1, 'exactly one usage chunk');
    const upstream = upstreamRequestFor(stack.fake, prompt);
    assert.equal(upstream.body.stream_options.include_usage, true);
  });
}

test('stream: include_usage false is treated like absent', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('usage false');
  const chunks = await collect({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: prompt }],
    stream_options: { include_usage: false },
  });
  checkEchoChunks(chunks, gatewayModel('echo'), prompt);
  assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
  assert.equal(upstreamRequestFor(stack.fake, prompt).body.stream_options.include_usage, true);
});

test('stream: the wire format is SSE ending in data: [DONE]', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('wire');
  const answer = await request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: stack.user.api_key,
    body: {
      model: gatewayModel('echo'),
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    },
  });
  assert.equal(answer.status, 200, answer.text);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.ok(answer.headers.get('x-request-id'));
  const events = sseDataLines(answer.text);
  assert.equal(events.at(-1), '[DONE]');
  assert.equal(events.filter((e) => e === '[DONE]').length, 1);
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  assert.ok(chunks.every((c) => c.model === gatewayModel('echo')));
  assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), `echo: ${prompt}`);
  assert.ok(chunks.at(-1).usage, 'the usage chunk comes last before [DONE]');
});

test('stream: chunks reach the client while the upstream is still answering', { timeout: 10_000 }, async () => {
  // The `gated` upstream sends one chunk and then waits; the client must see that chunk
  // before the rest exists, or the gateway buffered the answer.
  const prompt = uniquePrompt('no buffering');
  const stream = await stack.client.chat.completions.create({
    model: gatewayModel('gated'),
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await within(
    5_000,
    'the first chunk reaches the client while the upstream waits (is the answer buffered?)',
    iterator.next(),
  );
  assert.equal(first.value.choices[0].delta.content, 'part0 ');
  assert.equal(first.value.model, gatewayModel('gated'));
  const gated = await stack.fake.waitForGated((r) => r.body?.messages?.[0]?.content === prompt);
  assert.equal(gated.finished, false, 'the upstream had not finished when the client got the first chunk');
  stack.fake.openGate();
  let text = first.value.choices[0].delta.content;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    text += next.value.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, 'part0 part1 part2 part3 part4 part5 ');
});

test('stream: tool-call deltas accumulate in the openai client', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('streamed tools');
  const tools = [
    {
      type: 'function',
      function: {
        name: 'lookup_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    },
  ];
  const runner = stack.client.chat.completions.stream({
    model: gatewayModel('tools'),
    messages: [{ role: 'user', content: prompt }],
    tools,
    stream_options: { include_usage: true },
  });
  const models = new Set();
  runner.on('chunk', (chunk) => models.add(chunk.model));
  const final = await runner.finalChatCompletion();
  assert.deepEqual([...models], [gatewayModel('tools')]);
  assert.equal(final.model, gatewayModel('tools'));
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  const [call] = final.choices[0].message.tool_calls;
  assert.equal(call.id, kToolCallId);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'lookup_weather');
  assert.equal(call.function.arguments, kToolArguments);
  assert.deepEqual(final.usage, kToolUsage);
  assert.deepEqual(upstreamRequestFor(stack.fake, prompt).body.tools, tools);
});

test('stream: raw tool-call deltas keep OpenAI form', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('raw tool deltas');
  const chunks = await collect({ model: gatewayModel('tools'), messages: [{ role: 'user', content: prompt }] });
  const deltas = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
  assert.ok(deltas.length >= 2, 'arguments arrive in several deltas');
  assert.equal(deltas[0].index, 0);
  assert.equal(deltas[0].id, kToolCallId);
  assert.equal(deltas[0].function.name, 'get_weather');
  assert.equal(deltas.map((d) => d.function?.arguments ?? '').join(''), kToolArguments);
  assert.ok(deltas.every((d) => d.index === 0));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
});
