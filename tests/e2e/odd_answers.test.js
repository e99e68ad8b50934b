// Odd answers from providers, field by field: every field of an OpenAI-compatible answer,
// of its stream's chunks, of a Bedrock Converse answer and of its stream's events is sent
// back with each odd JSON value (the fakes' `verbatim` behaviour answers with the text the
// test gives). The client must get a success that is valid JSON (or valid SSE with JSON
// events) naming the gateway's model, or a 502; never a 5xx of the gateway's own, never
// `Infinity` or other text no JSON reader takes; and the money stays sane: no negative fee,
// no balance that grows.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kAccessKeyId, kSecretAccessKey, startFakeBedrock } from '../fakes/bedrock_upstream.js';
import { assertOpenAiError } from './lib/expect.js';
import { request } from './lib/http.js';
import { kOddValues, variants, withValue } from './lib/odd_values.js';
import { waitForThreads } from './lib/records.js';
import { kDefaultGroupId, startStack, stopStack } from './lib/stack.js';

let stack;
let bedrock;
let key;
const keys = []; // one per test: a test that drains its key does not starve the next

async function freshKey(name) {
  key = await stack.admin.createKey({ name, month_quota: 1000, balance: 5 });
  keys.push(key);
}

before(async () => {
  stack = await startStack();
  bedrock = await startFakeBedrock();
  const { admin, fake } = stack;
  await admin.saveModel({
    name: 'odd-openai',
    group_id: kDefaultGroupId,
    config: { baseUrl: `${fake.url}/v1`, apiKey: 'sk-x', model: 'verbatim' },
  });
  await admin.saveModel({
    name: 'odd-bedrock',
    provider: 'bedrock-converse',
    group_id: kDefaultGroupId,
    config: {
      region: 'us-east-1',
      endpoint: `${bedrock.url}/{region}`,
      accessKeyId: kAccessKeyId,
      secretAccessKey: kSecretAccessKey,
      modelId: 'verbatim',
    },
  });
}, { timeout: 60_000 });

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await bedrock?.close();
  }
}, { timeout: 60_000 });

/** Asks `model` to answer with `text` (the fakes send it back as the answer). */
function ask(model, text, stream) {
  return request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: key.api_key,
    body: { model, stream, messages: [{ role: 'user', content: text }] },
  });
}

/** A plain answer: JSON naming the gateway's model, or an OpenAI error that is not the gateway's fault. */
function judgeWhole(answer, model, what) {
  if (answer.status === 200) {
    assert.ok(answer.json, `${what}: 200 with a body that is not JSON: ${answer.text.slice(0, 300)}`);
    assert.equal(answer.json.model, model, `${what}: ${answer.text.slice(0, 300)}`);
    return;
  }
  assert.ok(answer.status === 502 || answer.status === 400, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
  assertOpenAiError(answer, answer.status);
}

/** A stream: SSE whose every data line is JSON or [DONE]; a failure is a final error event. */
function judgeStream(answer, model, what) {
  if (answer.status !== 200) {
    assert.ok(answer.status === 502 || answer.status === 400, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
    assertOpenAiError(answer, answer.status);
    return;
  }
  const lines = answer.text.split('\n').filter((line) => line.startsWith('data:'));
  assert.ok(lines.length > 0, `${what}: an empty stream`);
  for (const line of lines) {
    const data = line.slice(5).trim();
    if (data === '[DONE]') continue;
    let event;
    assert.doesNotThrow(() => {
      event = JSON.parse(data);
    }, `${what}: a data line that is not JSON: ${data.slice(0, 300)}`);
    if (event.error) continue;
    if ('model' in event) assert.equal(event.model, model, `${what}: ${data.slice(0, 300)}`);
  }
}

const kOpenAiAnswer = {
  id: 'chatcmpl-odd',
  object: 'chat.completion',
  created: 1700000000,
  model: 'upstream-name',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'odd answer',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a": 1}' } }],
      },
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 3,
    completion_tokens: 2,
    total_tokens: 5,
    prompt_tokens_details: { cached_tokens: 1 },
    completion_tokens_details: { reasoning_tokens: 1 },
  },
};

const kOpenAiChunks = [
  { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
  {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'up',
    choices: [{ index: 0, delta: { content: 'odd', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] } }],
  },
  { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
];

const kConverseAnswer = {
  output: {
    message: {
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'thinking', signature: 'sig' } } },
        { text: 'odd answer' },
        { toolUse: { toolUseId: 'tooluse_1', name: 'f', input: { a: 1 } } },
      ],
    },
  },
  stopReason: 'end_turn',
  usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5, cacheReadInputTokens: 1 },
  metrics: { latencyMs: 1 },
};

const kConverseEvents = [
  ['messageStart', { role: 'assistant' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'odd' } }],
  ['contentBlockStop', { contentBlockIndex: 0 }],
  ['contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'f' } } }],
  ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }],
  ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } }],
  ['contentBlockStop', { contentBlockIndex: 1 }],
  ['messageStop', { stopReason: 'tool_use' }],
  ['metadata', { usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, metrics: { latencyMs: 1 } }],
];

/** Each variant of `body` with each odd value: [label, JSON text]. */
function* oddTexts(body) {
  for (const [field, template] of variants(body)) {
    const values = template.includes('{{VALUE}}') ? kOddValues : [null];
    for (const raw of values) {
      yield [`${field} = ${raw?.slice(0, 40) ?? '(removed)'}`, raw === null ? template : withValue(template, raw)];
    }
  }
}

test('an OpenAI-compatible answer with odd fields: valid JSON or a 502', { timeout: 300_000 }, async () => {
  await freshKey('odd-openai-whole');
  for (const [what, text] of oddTexts(kOpenAiAnswer)) {
    judgeWhole(await ask('odd-openai', text, false), 'odd-openai', what);
  }
});

test('an OpenAI-compatible stream with odd fields in each chunk: JSON events or a final error', { timeout: 300_000 }, async () => {
  await freshKey('odd-openai-stream');
  for (let index = 0; index < kOpenAiChunks.length; ++index) {
    for (const [what, chunk] of oddTexts(kOpenAiChunks[index])) {
      const events = kOpenAiChunks.map((each, i) => `data: ${i === index ? chunk : JSON.stringify(each)}\n\n`);
      const answer = await ask('odd-openai', `${events.join('')}data: [DONE]\n\n`, true);
      judgeStream(answer, 'odd-openai', `chunk ${index}: ${what}`);
    }
  }
});

test('a Bedrock answer with odd fields: valid JSON or a 502', { timeout: 300_000 }, async () => {
  await freshKey('odd-bedrock-whole');
  for (const [what, text] of oddTexts(kConverseAnswer)) {
    judgeWhole(await ask('odd-bedrock', text, false), 'odd-bedrock', what);
  }
});

test('an answer whose usage cannot be trusted shows the estimate it was charged', { timeout: 60_000 }, async () => {
  await freshKey('odd-whole-usage');
  const answerText = `${'word '.repeat(40)}end`;
  // (A number past double's range anywhere in a Bedrock answer makes it a 502: see above.)
  const untrusted = [
    ...[{ inputTokens: -5, outputTokens: 2 }, { inputTokens: 3, outputTokens: '12' }, {}].map((usage) => [
      'odd-bedrock',
      { ...kConverseAnswer, output: { message: { role: 'assistant', content: [{ text: answerText }] } }, usage },
    ]),
    ...[{ prompt_tokens: -5, completion_tokens: 2, total_tokens: -3 }, { prompt_tokens: 3, completion_tokens: 2 ** 63 }].map((usage) => [
      'odd-openai',
      { ...kOpenAiAnswer, choices: [{ index: 0, message: { role: 'assistant', content: answerText }, finish_reason: 'stop' }], usage },
    ]),
  ];
  for (const [model, body] of untrusted) {
    const what = `${model} ${JSON.stringify(body.usage)}`;
    const answer = await ask(model, JSON.stringify(body), false);
    assert.equal(answer.status, 200, `${what}: ${answer.text}`);
    assert.equal(answer.json.model, model);
    assert.equal(answer.json.choices[0].message.content, answerText);
    const shown = answer.json.usage;
    // The output estimate is a third of the answer's bytes, rounded up (docs/billing.md).
    assert.equal(shown.completion_tokens, Math.ceil(Buffer.byteLength(answerText) / 3), what);
    assert.ok(shown.prompt_tokens > 0, `${what}: ${JSON.stringify(shown)}`);
    assert.equal(shown.total_tokens, shown.prompt_tokens + shown.completion_tokens);
  }
  const threads = await waitForThreads(stack, key, untrusted.length);
  for (const thread of threads) {
    assert.equal(thread.tokens_out, Math.ceil(Buffer.byteLength(answerText) / 3), JSON.stringify(thread));
  }
});

test('a stream whose usage cannot be trusted shows the estimate it was charged in its usage chunk', { timeout: 60_000 }, async () => {
  await freshKey('odd-stream-usage');
  const answerText = `${'word '.repeat(40)}end`;
  const expectedOut = Math.ceil(Buffer.byteLength(answerText) / 3); // docs/billing.md
  const untrusted = [
    ['odd-bedrock', { inputTokens: -5, outputTokens: 2 }],
    ['odd-bedrock', { inputTokens: 3, outputTokens: 1e300 }],
    ['odd-openai', { prompt_tokens: -5, completion_tokens: 2, total_tokens: -3 }],
    ['odd-openai', { prompt_tokens: 3, completion_tokens: 2.5, total_tokens: 5.5 }],
  ];
  for (const [model, usage] of untrusted) {
    const text =
      model === 'odd-bedrock'
        ? JSON.stringify([
          ['messageStart', { role: 'assistant' }],
          ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: answerText } }],
          ['messageStop', { stopReason: 'end_turn' }],
          ['metadata', { usage }],
        ])
        : [
          { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta: { content: answerText } }] },
          { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
          { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [], usage },
        ].map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + 'data: [DONE]\n\n';
    const answer = await request(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      key: key.api_key,
      body: { model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: text }] },
    });
    const what = `${model} ${JSON.stringify(usage)}`;
    assert.equal(answer.status, 200, `${what}: ${answer.text}`);
    const events = answer.text.split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)));
    const shown = events.filter((event) => event.usage).map((event) => event.usage);
    assert.equal(shown.length, 1, `${what}: ${answer.text}`);
    assert.equal(shown[0].completion_tokens, expectedOut, `${what}: ${JSON.stringify(shown[0])}`);
    assert.ok(shown[0].prompt_tokens > 0, `${what}: ${JSON.stringify(shown[0])}`);
    assert.equal(shown[0].total_tokens, shown[0].prompt_tokens + shown[0].completion_tokens);
  }
  const threads = await waitForThreads(stack, key, untrusted.length);
  for (const thread of threads) {
    assert.equal(thread.tokens_out, expectedOut, JSON.stringify(thread));
    assert.equal(thread.usage_estimated, true, JSON.stringify(thread));
  }
});

test('a Bedrock stream with odd fields in each event: JSON events or a final error', { timeout: 300_000 }, async () => {
  await freshKey('odd-bedrock-stream');
  for (const [what, text] of oddTexts(kConverseEvents)) {
    // The fake frames each pair; a payload that is no longer an object is sent as text.
    let pairs;
    try {
      pairs = JSON.parse(text);
    } catch {
      continue; // a lone surrogate or nesting the fake's JSON.parse refuses: nothing to send
    }
    if (!Array.isArray(pairs) || !pairs.every((pair) => Array.isArray(pair))) continue;
    const framed = pairs.map(([type, payload]) => [type, typeof payload === 'object' && payload !== null ? payload : JSON.stringify(payload ?? null)]);
    judgeStream(await ask('odd-bedrock', JSON.stringify(framed), true), 'odd-bedrock', what);
  }
});

test('after every odd answer the money is sane: no negative fee, the balance never grew', { timeout: 60_000 }, async () => {
  assert.equal(keys.length, 6);
  for (const each of keys) {
    const row = await stack.admin.ok('GET', `/admin/api-key/detail/${each.id}`);
    for (const field of ['balance', 'month_fee', 'total_fee']) {
      assert.equal(typeof row[field], 'number', `${field}: ${JSON.stringify(row)}`);
      assert.ok(Number.isFinite(row[field]) && row[field] >= 0, `${each.name} ${field}: ${row[field]}`);
    }
    assert.ok(row.balance <= 5, `${each.name}: the balance grew: ${row.balance}`);
    assert.ok(row.month_fee <= 1000 + 1e-9, `${each.name}: month_fee ${row.month_fee}`);
    const threads = await stack.admin.list('/admin/thread/list', { key_id: each.id, limit: 1000 });
    for (const thread of threads.items) {
      assert.ok(thread.fee >= 0 && Number.isFinite(thread.fee), JSON.stringify(thread));
      assert.ok(thread.tokens_in >= 0 && thread.tokens_out >= 0, JSON.stringify(thread));
    }
  }
});
