// Non-stream chat completions through the gateway (SPEC 6 and 9) and request validation.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { echoUsage, kToolArguments, kToolCallId, kToolUsage } from '../fakes/openai_upstream.js';
import { assertOpenAiError, expectApiError } from './lib/expect.js';
import { request } from './lib/http.js';
import {
  gatewayModel,
  kUpstreamApiKey,
  kUpstreamHeader,
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

const kWeatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};

function postRaw(body, headers = { 'content-type': 'application/json' }) {
  return request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    body,
    headers,
    key: stack.user.api_key,
  });
}

test('a non-stream answer: content, the gateway model name, usage', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('hello gateway');
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: prompt },
  ];
  const answer = await stack.client.chat.completions.create({ model: gatewayModel('echo'), messages });
  assert.equal(answer.object, 'chat.completion');
  assert.equal(typeof answer.id, 'string');
  assert.equal(typeof answer.created, 'number');
  assert.equal(answer.model, gatewayModel('echo'));
  assert.equal(answer.choices.length, 1);
  assert.equal(answer.choices[0].message.role, 'assistant');
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
  assert.equal(answer.choices[0].finish_reason, 'stop');
  assert.deepEqual(answer.usage, echoUsage(messages));
});

test('the upstream gets its own model id, the provider key and headers, not the client key', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('upstream view');
  await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: prompt }],
  });
  const upstream = upstreamRequestFor(stack.fake, prompt);
  assert.ok(upstream, 'the fake saw the request');
  assert.equal(upstream.method, 'POST');
  assert.equal(upstream.path, '/v1/chat/completions');
  assert.equal(upstream.body.model, 'echo');
  assert.equal(upstream.headers.authorization, `Bearer ${kUpstreamApiKey}`);
  assert.equal(upstream.headers[kUpstreamHeader[0]], kUpstreamHeader[1]);
  assert.match(upstream.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(upstream.headers['x-api-key'], undefined);
  assert.ok(!JSON.stringify(upstream.headers).includes(stack.user.api_key), 'the client key leaked upstream');
  assert.notEqual(upstream.body.stream, true);
  assert.equal(upstream.body.stream_options, undefined, 'stream_options is only valid with stream');
});

test('request fields reach the upstream unchanged', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('fields');
  const messages = [
    { role: 'developer', content: 'Be exact.' },
    { role: 'user', content: [{ type: 'text', text: prompt }] },
  ];
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages,
    temperature: 0.25,
    top_p: 0.5,
    max_tokens: 64,
    stop: ['END'],
    seed: 42,
    user: 'e2e-user-field',
    presence_penalty: 0.1,
    frequency_penalty: 0.2,
    response_format: { type: 'text' },
    n: 1,
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
  const upstream = stack.fake.findRequest((r) => r.body?.messages?.at(-1)?.content?.[0]?.text === prompt);
  assert.ok(upstream, 'the fake saw the request with content parts intact');
  assert.deepEqual(upstream.body.messages, messages);
  assert.equal(upstream.body.temperature, 0.25);
  assert.equal(upstream.body.top_p, 0.5);
  assert.equal(upstream.body.max_tokens, 64);
  assert.deepEqual(upstream.body.stop, ['END']);
  assert.equal(upstream.body.seed, 42);
  assert.equal(upstream.body.presence_penalty, 0.1);
  assert.equal(upstream.body.frequency_penalty, 0.2);
  assert.deepEqual(upstream.body.response_format, { type: 'text' });
});

test('tool calls without a stream', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('weather in Paris?');
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('tools'),
    messages: [{ role: 'user', content: prompt }],
    tools: [kWeatherTool],
    tool_choice: 'auto',
  });
  assert.equal(answer.model, gatewayModel('tools'));
  assert.equal(answer.choices[0].finish_reason, 'tool_calls');
  const [call] = answer.choices[0].message.tool_calls;
  assert.equal(call.id, kToolCallId);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), JSON.parse(kToolArguments));
  assert.deepEqual(answer.usage, kToolUsage);

  const upstream = upstreamRequestFor(stack.fake, prompt);
  assert.deepEqual(upstream.body.tools, [kWeatherTool]);
  assert.equal(upstream.body.tool_choice, 'auto');
});

test('tool results go back upstream intact', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('and now?');
  const messages = [
    { role: 'user', content: 'weather in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: kToolCallId, type: 'function', function: { name: 'get_weather', arguments: kToolArguments } }],
    },
    { role: 'tool', tool_call_id: kToolCallId, content: '{"temperature": 21}' },
    { role: 'user', content: prompt },
  ];
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages,
    tools: [kWeatherTool],
  });
  assert.equal(answer.choices[0].message.content, `echo: ${prompt}`);
  const upstream = upstreamRequestFor(stack.fake, prompt);
  assert.deepEqual(upstream.body.messages, messages);
});

test('an unknown model: 404 model_not_found, nothing sent upstream', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('unknown model');
  await expectApiError(
    stack.client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: prompt }] }),
    { status: 404, errorClass: OpenAI.NotFoundError, code: 'model_not_found' },
  );
  assert.equal(upstreamRequestFor(stack.fake, prompt), undefined);
});

test('a model not granted to the key: 403 model_not_authorized', { timeout: 10_000 }, async () => {
  await stack.admin.saveModel({
    name: 'not-granted',
    config: { baseUrl: `${stack.fake.url}/v1`, model: 'echo' },
  });
  const prompt = uniquePrompt('not granted');
  await expectApiError(
    stack.client.chat.completions.create({ model: 'not-granted', messages: [{ role: 'user', content: prompt }] }),
    { status: 403, errorClass: OpenAI.PermissionDeniedError, code: 'model_not_authorized' },
  );
  assert.equal(upstreamRequestFor(stack.fake, prompt), undefined);
});

test('an image for a model that takes none: 400 images_not_supported naming messages, nothing sent upstream', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('an image for a text model');
  const error = await expectApiError(
    stack.client.chat.completions.create({
      model: gatewayModel('echo'), // saved without "multiple"
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: prompt },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      }],
    }),
    { status: 400, errorClass: OpenAI.BadRequestError, code: 'images_not_supported' },
  );
  assert.equal(error.param, 'messages');
  assert.match(error.message, /does not accept images/);
  assert.equal(stack.fake.findRequest((r) => (r.rawBody ?? '').includes(prompt)), undefined);
});

test('malformed JSON: 400 that says the JSON is malformed', { timeout: 10_000 }, async () => {
  for (const body of ['{"model": "gw-echo", "messages": [', '{"model": gw-echo}', 'not json at all', '']) {
    const answer = await postRaw(body);
    const error = assertOpenAiError(answer, 400);
    assert.match(error.message, /json/i, `the message names the problem for ${JSON.stringify(body)}: ${error.message}`);
  }
});

test('a JSON body that is not an object: 400', { timeout: 10_000 }, async () => {
  for (const body of ['[1, 2]', '"text"', '42', 'null']) {
    assertOpenAiError(await postRaw(body), 400);
  }
});

test('missing or wrong messages: 400 with param messages', { timeout: 10_000 }, async () => {
  for (const body of [
    { model: gatewayModel('echo') },
    { model: gatewayModel('echo'), messages: 'hello' },
    { model: gatewayModel('echo'), messages: [] },
  ]) {
    const error = assertOpenAiError(await postRaw(body), 400);
    assert.match(error.param ?? error.message, /messages/, `for ${JSON.stringify(body)}: ${JSON.stringify(error)}`);
  }
  const missing = assertOpenAiError(await postRaw({ model: gatewayModel('echo') }), 400, { param: 'messages' });
  assert.match(missing.message, /messages/);
});

test('missing model: 400 naming model', { timeout: 10_000 }, async () => {
  const error = assertOpenAiError(await postRaw({ messages: [{ role: 'user', content: 'x' }] }), 400);
  assert.match(`${error.param} ${error.message}`, /model/);
});

test('n other than 1: 400', { timeout: 10_000 }, async () => {
  const error = assertOpenAiError(
    await postRaw({ model: gatewayModel('echo'), n: 2, messages: [{ role: 'user', content: 'x' }] }),
    400,
  );
  assert.match(`${error.param} ${error.message}`, /\bn\b/);
});

test('unknown JSON fields are ignored', { timeout: 10_000 }, async () => {
  const prompt = uniquePrompt('unknown fields');
  const answer = await postRaw({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: prompt }],
    some_future_field: { nested: true },
  });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.json.choices[0].message.content, `echo: ${prompt}`);
});
