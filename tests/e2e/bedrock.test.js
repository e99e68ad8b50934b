// The bedrock-converse provider end to end: the official openai client talks to the gateway,
// the gateway to a fake Bedrock (../fakes/bedrock_upstream.js) that checks every SigV4
// signature with AWS's own signer and frames streams with AWS's own event stream codec.
// Translation (text, images, tools, reasoning, stop reasons, usage) and error mapping.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import {
  kAccessKeyId,
  kCacheUsage,
  kReasoningText,
  kSecretAccessKey,
  kToolInput,
  startFakeBedrock,
} from '../fakes/bedrock_upstream.js';
import { Admin } from './lib/admin.js';
import { eventually } from './lib/eventually.js';
import { assertAdminError, assertOpenAiError, expectApiError } from './lib/expect.js';
import { startGateway } from './lib/gateway.js';
import { request } from './lib/http.js';
import { openaiClient, sseDataLines, uniquePrompt } from './lib/stack.js';

const kRegion = 'us-east-1';
const kClaude = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const kProfileArn =
  'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
// A 1x1 transparent PNG.
const kPngBase64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let fake;
let gateway;
let admin;
let client;
let userKey;

/** Saves a bedrock-converse model signed with the fake's credentials. */
function saveBedrockModel(name, config = {}, fields = {}) {
  return admin.saveModel({
    name,
    provider: 'bedrock-converse',
    group_id: 1,
    multiple: true,
    config: {
      region: kRegion,
      endpoint: `${fake.url}/{region}`,
      accessKeyId: kAccessKeyId,
      secretAccessKey: kSecretAccessKey,
      ...config,
    },
    ...fields,
  });
}

/** The gateway model whose Bedrock model id is `modelId` (created on first use). */
const models = new Map();
async function model(modelId) {
  if (!models.has(modelId)) {
    const name = `br-${models.size}-${modelId.replace(/[^a-z0-9-]/gi, '-').slice(0, 40)}`;
    await saveBedrockModel(name, { modelId });
    models.set(modelId, name);
  }
  return models.get(modelId);
}

async function ask(modelId, content, extra = {}) {
  return client.chat.completions.create({
    model: await model(modelId),
    messages: [{ role: 'user', content }],
    ...extra,
  });
}

/** The fake's record of the request whose last user turn starts with `prompt`. */
function bedrockRequestFor(prompt) {
  return fake.findRequest((r) =>
    r.body?.messages?.at(-1)?.content?.some((block) => block.text?.startsWith(prompt)),
  );
}

/** POSTs a streamed chat request with fetch and returns the raw SSE `data:` payloads. */
async function rawStream(body) {
  const answer = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: userKey,
    body: { stream: true, ...body },
  });
  assert.equal(answer.status, 200, answer.text);
  assert.match(answer.headers.get('content-type'), /^text\/event-stream/);
  return sseDataLines(answer.text);
}

before(async () => {
  fake = await startFakeBedrock();
  gateway = await startGateway();
  admin = new Admin(gateway.url, gateway.adminKey);
  userKey = (await admin.createKey({ name: 'bedrock-user' })).api_key;
  client = openaiClient(gateway, userKey);
}, { timeout: 60_000 });

after(async () => {
  try {
    await gateway?.stop();
  } finally {
    await fake?.close();
  }
}, { timeout: 60_000 });

test('non-stream: a Claude model answers through Converse, signed with SigV4', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('hello bedrock');
  const name = await model(kClaude);
  const completion = await ask(kClaude, prompt);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, name);
  assert.match(completion.id, /^chatcmpl-/);
  const [choice] = completion.choices;
  assert.equal(choice.message.role, 'assistant');
  assert.equal(choice.message.content, `echo: ${prompt}`);
  assert.equal(choice.finish_reason, 'stop');
  const words = prompt.split(' ').length;
  assert.equal(completion.usage.prompt_tokens, words);
  assert.equal(completion.usage.completion_tokens, words + 1);
  assert.equal(completion.usage.total_tokens, 2 * words + 1);

  const upstream = bedrockRequestFor(prompt);
  assert.ok(upstream, 'the fake saw the request');
  assert.equal(upstream.rejected, undefined, `the fake rejected it: ${upstream.rejected}`);
  assert.equal(upstream.auth, 'sigv4');
  assert.equal(upstream.accessKeyId, kAccessKeyId);
  assert.equal(upstream.scopeRegion, kRegion);
  assert.equal(upstream.path, `/${kRegion}/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse`);
  assert.equal(upstream.modelId, kClaude);
  assert.equal(upstream.headers['content-type'], 'application/json');
  assert.deepEqual(upstream.body.messages, [{ role: 'user', content: [{ text: prompt }] }]);
});

test('an inference profile ARN travels encoded in one path segment', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('profile');
  const completion = await ask(kProfileArn, prompt);
  assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
  const upstream = bedrockRequestFor(prompt);
  assert.equal(upstream.rejected, undefined);
  assert.equal(
    upstream.path,
    `/${kRegion}/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3d4e5f6/converse`,
  );
  assert.equal(upstream.modelId, kProfileArn);
});

test('stream: role first, text deltas, finish_reason, usage chunk, [DONE]', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('stream me');
  const events = await rawStream({
    model: await model(kClaude),
    messages: [{ role: 'user', content: prompt }],
    stream_options: { include_usage: true },
  });
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.model, models.get(kClaude));
    assert.equal(chunk.id, chunks[0].id);
  }
  const usageChunk = chunks.at(-1);
  assert.deepEqual(usageChunk.choices, []);
  const words = prompt.split(' ').length;
  assert.equal(usageChunk.usage.prompt_tokens, words);
  assert.equal(usageChunk.usage.completion_tokens, words + 1);
  const finishing = chunks.at(-2);
  assert.equal(finishing.choices[0].finish_reason, 'stop');
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(text, `echo: ${prompt}`);
  assert.ok(chunks.length >= words + 3, 'one chunk per upstream delta, not one buffered answer');
  const upstream = bedrockRequestFor(prompt);
  assert.match(upstream.path, /\/converse-stream$/);
});

test('stream: frames split into 5-byte pieces still decode; usage hidden unless asked', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('fragmented frames');
  const stream = await client.chat.completions.create({
    model: await model('echo-fragmented'),
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  });
  let text = '';
  let finish;
  for await (const chunk of stream) {
    assert.equal(chunk.usage, undefined, 'no usage without include_usage');
    assert.ok(chunk.choices.length > 0, 'no usage-only chunk without include_usage');
    text += chunk.choices[0].delta.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.equal(text, `echo: ${prompt}`);
  assert.equal(finish, 'stop');
});

test('system, developer and inference parameters reach Converse', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('parameters');
  await client.chat.completions.create({
    model: await model(kClaude),
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Answer in French.' },
      { role: 'user', content: prompt },
    ],
    max_tokens: 77,
    temperature: 0.3,
    top_p: 0.8,
    stop: ['END'],
    seed: 3,
  });
  const upstream = bedrockRequestFor(prompt);
  assert.deepEqual(upstream.body.system, [{ text: 'Be brief.' }, { text: 'Answer in French.' }]);
  assert.deepEqual(upstream.body.inferenceConfig, {
    maxTokens: 77,
    temperature: 0.3,
    topP: 0.8,
    stopSequences: ['END'],
  });
  assert.equal(upstream.body.seed, undefined);
});

const kWeatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string' } },
      required: ['city'],
    },
  },
};

test('tools: toolUse becomes tool_calls; tool_choice becomes toolChoice', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('weather please');
  const completion = await ask('tools', prompt, { tools: [kWeatherTool], tool_choice: 'required' });
  const [choice] = completion.choices;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, 'Let me check.');
  assert.equal(choice.message.tool_calls.length, 1);
  const [call] = choice.message.tool_calls;
  assert.equal(call.id, 'tooluse_fake_0001');
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), kToolInput);

  const upstream = bedrockRequestFor(prompt);
  assert.deepEqual(upstream.body.toolConfig, {
    tools: [
      {
        toolSpec: {
          name: 'get_weather',
          description: 'Current weather in a city',
          inputSchema: { json: kWeatherTool.function.parameters },
        },
      },
    ],
    toolChoice: { any: {} },
  });
});

test('tools, streamed: tool-call deltas with index, id and argument fragments', { timeout: 10_000 }, async () => {
  const stream = await client.chat.completions.create({
    model: await model('tools'),
    messages: [{ role: 'user', content: uniquePrompt('stream a tool call') }],
    tools: [kWeatherTool],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    stream: true,
    stream_options: { include_usage: true },
  });
  const calls = [];
  let text = '';
  let finish;
  let usage;
  let fragments = 0;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const delta = chunk.choices[0]?.delta;
    if (!delta) continue;
    text += delta.content ?? '';
    for (const part of delta.tool_calls ?? []) {
      calls[part.index] ??= { id: '', name: '', arguments: '' };
      if (part.id) calls[part.index].id = part.id;
      if (part.function?.name) calls[part.index].name = part.function.name;
      if (part.function?.arguments) {
        calls[part.index].arguments += part.function.arguments;
        fragments += 1;
      }
    }
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.equal(text, 'Let me check.');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].id, 'tooluse_fake_0001');
  assert.equal(calls[0].name, 'get_weather');
  assert.deepEqual(JSON.parse(calls[0].arguments), kToolInput);
  assert.ok(fragments > 1, 'arguments arrive as several deltas');
  assert.equal(finish, 'tool_calls');
  assert.equal(usage.completion_tokens, 9);
});

test('tool results: one user turn after the assistant tool calls', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('what about Rome');
  const completion = await client.chat.completions.create({
    model: await model(kClaude),
    tools: [kWeatherTool],
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: 'rainy' },
      { role: 'user', content: prompt },
    ],
  });
  assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
  const upstream = bedrockRequestFor(prompt);
  assert.equal(upstream.rejected, undefined);
  assert.deepEqual(upstream.body.messages.slice(1), [
    {
      role: 'assistant',
      content: [
        { toolUse: { toolUseId: 'call_a', name: 'get_weather', input: { city: 'Paris' } } },
        { toolUse: { toolUseId: 'call_b', name: 'get_weather', input: { city: 'Rome' } } },
      ],
    },
    {
      role: 'user',
      content: [
        { toolResult: { toolUseId: 'call_a', content: [{ text: 'sunny' }] } },
        { toolResult: { toolUseId: 'call_b', content: [{ text: 'rainy' }] } },
        { text: prompt },
      ],
    },
  ]);
});

test('images: a data: URL becomes an image block with its format and bytes', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('what is in this image');
  const completion = await ask(kClaude, [
    { type: 'text', text: prompt },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${kPngBase64}` } },
  ]);
  const bytes = Buffer.from(kPngBase64, 'base64').length;
  assert.equal(completion.choices[0].message.content, `echo: ${prompt} [png ${bytes} bytes]`);
  const upstream = bedrockRequestFor(prompt);
  assert.deepEqual(upstream.body.messages[0].content[1], {
    image: { format: 'png', source: { bytes: kPngBase64 } },
  });
});

test('images: an unreachable https URL and unsupported types are refused with 400 naming the part', { timeout: 20_000 }, async () => {
  const name = await model(kClaude);
  const send = (url) =>
    request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      key: userKey,
      body: {
        model: name,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url } }] },
        ],
      },
    });
  let error = assertOpenAiError(await send('https://example.com/cat.png'), 400, {
    param: 'messages[0].content[1].image_url.url',
  });
  // The gateway fetches https images for Bedrock (bedrock_images.test.js); this host is
  // not reachable from the test machine, or resolves only to refused addresses.
  assert.match(error.message, /fetching the image failed/);
  error = assertOpenAiError(await send('data:image/tiff;base64,SUkqAA=='), 400);
  assert.match(error.message, /image\/tiff/);
});

test('stop reasons map to finish reasons, whole and streamed', { timeout: 15_000 }, async () => {
  const expected = {
    end_turn: 'stop',
    stop_sequence: 'stop',
    max_tokens: 'length',
    tool_use: 'tool_calls',
    guardrail_intervened: 'content_filter',
    content_filtered: 'content_filter',
  };
  for (const [reason, finish] of Object.entries(expected)) {
    const completion = await ask(`stop-${reason}`, uniquePrompt(reason));
    assert.equal(completion.choices[0].finish_reason, finish, reason);
  }
  const stream = await client.chat.completions.create({
    model: await model('stop-max_tokens'),
    messages: [{ role: 'user', content: uniquePrompt('streamed stop') }],
    stream: true,
  });
  let finish;
  for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
  assert.equal(finish, 'length');
});

test('usage: cache reads and writes count as prompt tokens; reads are cached_tokens', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('cached prompt');
  const completion = await ask('cache', prompt);
  const words = prompt.split(' ').length;
  const cache = kCacheUsage.cacheReadInputTokens + kCacheUsage.cacheWriteInputTokens;
  assert.equal(completion.usage.prompt_tokens, words + cache);
  assert.equal(completion.usage.prompt_tokens_details.cached_tokens, kCacheUsage.cacheReadInputTokens);
  assert.equal(completion.usage.total_tokens, words + cache + completion.usage.completion_tokens);
  // SPEC 7: cached input tokens are recorded on the thread (written off the request path).
  const thread = await eventually(async () => {
    const page = await admin.list('/admin/thread/list', { q: prompt });
    assert.equal(page.total, 1);
    return page.items[0];
  }, { what: 'the thread of the cached request' });
  assert.equal(thread.cached_tokens, kCacheUsage.cacheReadInputTokens);
  assert.equal(thread.tokens_in, words + cache);
});

test('reasoning content: reasoning_content whole and streamed', { timeout: 10_000 }, async () => {
  const completion = await ask('reasoning', uniquePrompt('think'));
  assert.equal(completion.choices[0].message.content, '42');
  assert.equal(completion.choices[0].message.reasoning_content, kReasoningText);

  const events = await rawStream({
    model: await model('reasoning'),
    messages: [{ role: 'user', content: uniquePrompt('think aloud') }],
  });
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e));
  const reasoning = chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join('');
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(reasoning, kReasoningText);
  assert.equal(text, '42');
});

test('Bedrock exceptions map to statuses', { timeout: 15_000 }, async () => {
  const cases = [
    ['ValidationException', 400, OpenAI.BadRequestError],
    ['ResourceNotFoundException', 404, OpenAI.NotFoundError],
    ['ThrottlingException', 429, OpenAI.RateLimitError],
    ['ServiceUnavailableException', 503, OpenAI.InternalServerError],
    ['ModelNotReadyException', 503, OpenAI.InternalServerError],
    ['InternalServerException', 502, OpenAI.InternalServerError],
    ['AccessDeniedException', 502, OpenAI.InternalServerError],
  ];
  for (const [exception, status, errorClass] of cases) {
    const error = await expectApiError(ask(`error-${exception}`, uniquePrompt(exception)), {
      status,
      errorClass,
    });
    assert.match(error.message, new RegExp(`fake ${exception}`), exception);
  }
});

test('an exception frame mid-stream ends the stream with an error event', { timeout: 10_000 }, async () => {
  const events = await rawStream({
    model: await model('stream-error-throttlingException'),
    messages: [{ role: 'user', content: uniquePrompt('then fail') }],
  });
  const last = JSON.parse(events.at(-1));
  assert.ok(last.error, `last event is an error: ${events.at(-1)}`);
  assert.match(last.error.message, /ThrottlingException/);
  assert.ok(!events.includes('[DONE]'));
  const text = events
    .slice(0, -1)
    .map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '')
    .join('');
  assert.equal(text, 'partial ');
});

test('a stream cut inside a frame ends with an error event', { timeout: 10_000 }, async () => {
  const events = await rawStream({
    model: await model('stream-cut'),
    messages: [{ role: 'user', content: uniquePrompt('cut') }],
  });
  const last = JSON.parse(events.at(-1));
  assert.ok(last.error, `last event is an error: ${events.at(-1)}`);
  assert.ok(!events.includes('[DONE]'));
});

test('config is validated on save, and secrets are masked', { timeout: 10_000 }, async () => {
  const missing = await admin.call('POST', '/admin/model/save', {
    name: 'br-invalid',
    provider: 'bedrock-converse',
    config: { region: kRegion, accessKeyId: kAccessKeyId, secretAccessKey: kSecretAccessKey },
  });
  assertAdminError(missing, 400);
  assert.match(missing.json.error.message, /config\.modelId: required/);

  const badRegions = await admin.call('POST', '/admin/model/save', {
    name: 'br-invalid',
    provider: 'bedrock-converse',
    config: { modelId: kClaude, regions: [], accessKeyId: kAccessKeyId, secretAccessKey: kSecretAccessKey },
  });
  assertAdminError(badRegions, 400);
  assert.match(badRegions.json.error.message, /config\.regions/);

  const saved = await saveBedrockModel('br-masked', { modelId: kClaude, sessionToken: 'tok-1234567890' });
  const detail = await admin.ok('GET', `/admin/model/detail/${saved.id}`);
  const config = typeof detail.config === 'string' ? JSON.parse(detail.config) : detail.config;
  assert.notEqual(config.secretAccessKey, kSecretAccessKey);
  assert.notEqual(config.sessionToken, 'tok-1234567890');
  assert.equal(config.modelId, kClaude);
});
