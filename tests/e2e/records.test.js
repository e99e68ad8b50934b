// Chat records (SPEC 8, the record endpoints of SPEC 4 and 5, issue 5): every request
// becomes a thread, threads are grouped into sessions (by Session-Id per key, else by the
// conversation's opening), failed and cancelled requests included; users see only their
// own records; `q` is a full-text search; lists page with a total.
//
// Every test uses keys of its own, so that counts are exact. Records are written after the
// answer (queued, batched), so a test waits for them with `eventually`, which repeats a
// real API call, never a timer. The fake's `echo` answers "echo: <last user text>" with
// deterministic usage (../fakes/openai_upstream.js), from which tokens and fees follow.
//
// Also here: records_content_off (LLMGATE_STORE_CONTENT=false), records_statistics
// (GET /admin/statistics/total), records_shutdown (SIGTERM during load loses no thread).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { echoUsage, kToolArguments, kToolCallId, kToolUsage } from '../fakes/openai_upstream.js';
import { assertAdminError } from './lib/expect.js';
import { eventually } from './lib/eventually.js';
import { request } from './lib/http.js';
import { costNanos, decimal, sumNanos, toNanos } from './lib/money.js';
import {
  apiAs,
  brief,
  chat,
  converse,
  kSessionFields,
  kStreamWithUsage,
  kThreadFields,
  readStream,
  uniqueWord,
  waitForSessions,
  waitForThreads,
} from './lib/records.js';
import { gatewayModel, kDefaultGroupId, kUpstreamApiKey, startStack, stopStack } from './lib/stack.js';

let stack;
// An echo model with prices whose fees are not round numbers.
let priced;
let keyCounter = 0;

before(async () => {
  stack = await startStack();
  priced = await stack.admin.saveModel({
    name: 'records-echo',
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
    price_in: 0.37,
    price_out: 1.9,
    group_id: kDefaultGroupId,
  });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** A user key of this test only. */
async function newKey(label) {
  keyCounter += 1;
  return stack.admin.createKey({ name: `records-${label}-${keyCounter}` });
}

/** The user API as `key`. */
function as(key) {
  return apiAs(stack, key);
}

/** Sorted copy of ids. */
function ids(rows) {
  return rows.map((row) => row.id);
}

/** Asserts a thread's money: its prices are the model's, its fee is the cost of its tokens. */
function assertThreadMoney(thread, model) {
  assert.equal(toNanos(thread.price_in), toNanos(model.price_in), `price_in of ${JSON.stringify(brief(thread))}`);
  assert.equal(toNanos(thread.price_out), toNanos(model.price_out), `price_out of ${JSON.stringify(brief(thread))}`);
  const expected = costNanos(thread.tokens_in, thread.tokens_out, model);
  assert.equal(
    toNanos(thread.fee),
    expected,
    `fee ${thread.fee} of ${JSON.stringify(brief(thread))}, expected ${decimal(expected)}`,
  );
}

/** Asserts the latency fields are whole milliseconds, first byte no later than the end. */
function assertLatencies(thread) {
  for (const field of ['first_byte_latency_ms', 'latency_ms']) {
    assert.ok(Number.isInteger(thread[field]) && thread[field] >= 0, `${field}: ${JSON.stringify(brief(thread))}`);
  }
  assert.ok(
    thread.first_byte_latency_ms <= thread.latency_ms,
    `first byte after the end: ${JSON.stringify(brief(thread))}`,
  );
}

/** Asserts a session's totals are the sums of its threads' tokens and fees, exactly. */
function assertSessionTotals(session, threads) {
  assert.equal(session.thread_count, threads.length, 'thread_count');
  assert.equal(session.total_in_tokens, threads.reduce((sum, t) => sum + t.tokens_in, 0), 'total_in_tokens');
  assert.equal(session.total_out_tokens, threads.reduce((sum, t) => sum + t.tokens_out, 0), 'total_out_tokens');
  const fees = sumNanos(threads.map((t) => t.fee));
  assert.equal(
    toNanos(session.total_fee),
    fees,
    `total_fee ${session.total_fee}, the threads' fees add up to ${decimal(fees)}`,
  );
}

test('a three-turn conversation without Session-Id is one session with three threads in order', { timeout: 30_000 }, async () => {
  const key = await newKey('turns');
  const system = 'You answer briefly.';
  const turns = [
    `What is a ${uniqueWord('first')} anyway?`,
    `And a ${uniqueWord('second')}?`,
    `Thanks, one more: ${uniqueWord('third')}`,
  ];
  const sent = await converse(stack, key, { model: priced.name, system, turns });
  await waitForSessions(stack, key, 1, 3);

  const page = await as(key).list('/user/session/list');
  assert.equal(page.total, 1, JSON.stringify(page));
  const session = page.items[0];
  for (const field of kSessionFields) assert.ok(field in session, `session lacks ${field}: ${JSON.stringify(session)}`);
  assert.equal(session.key_id, key.id);
  assert.equal(session.title, turns[0], 'the title is the first user message');
  assert.equal(session.thread_count, 3);
  assert.ok(session.created_at <= session.updated_at, JSON.stringify(session));

  const detail = await as(key).get(`/user/session/detail/${session.id}`);
  assert.ok(Array.isArray(detail.threads), JSON.stringify(detail));
  const { threads } = detail;
  assert.equal(threads.length, 3);
  assert.deepEqual(
    threads.map((t) => t.prompt),
    turns,
    'one thread per turn, oldest first, each with its own user message as the prompt',
  );
  assert.deepEqual(threads.map((t) => t.completion), turns.map((t) => `echo: ${t}`));
  assert.deepEqual(threads.map((t) => t.whole_prompt), sent.map((s) => s.messages), 'the whole history of each turn');
  assert.deepEqual(threads.map((t) => t.request_id), sent.map((s) => s.answer.requestId), 'x-request-id of each turn');
  assert.ok(threads[0].id < threads[1].id && threads[1].id < threads[2].id, 'ids in order');
  for (const thread of threads) {
    assert.equal(thread.session_id, session.id);
    assert.equal(thread.key_id, key.id);
  }
  assertSessionTotals(session, threads);
  // The detail carries the session's own fields too, the same as in the list.
  for (const field of kSessionFields) assert.deepEqual(detail[field], session[field], `detail ${field}`);

  // The thread list of the session shows the same threads, newest first.
  const list = await as(key).list('/user/thread/list', { session_id: session.id });
  assert.equal(list.total, 3);
  assert.deepEqual(ids(list.items), ids(threads).reverse());

  // A fourth conversation turn after that: still the same session.
  await converse(stack, key, { model: priced.name, system, turns: [turns[0]] });
  await waitForSessions(stack, key, 1, 4);
});

test('a different opening (first user message or system prompt) is a new session', { timeout: 30_000 }, async () => {
  const key = await newKey('openings');
  const first = `Hello ${uniqueWord('open')}`;
  await converse(stack, key, { model: priced.name, system: 'Persona one.', turns: [first, 'follow-up'] });
  // The same first message under another system prompt, and another first message.
  await converse(stack, key, { model: priced.name, system: 'Persona two.', turns: [first] });
  await converse(stack, key, { model: priced.name, system: 'Persona one.', turns: [`Hi ${uniqueWord('other')}`, 'more'] });
  // No system prompt at all: the opening is the first user message alone.
  await converse(stack, key, { model: priced.name, turns: [first, 'and then'] });
  const sessions = await waitForSessions(stack, key, 4, 7);
  assert.deepEqual(sessions.map((s) => s.thread_count).sort(), [1, 2, 2, 2]);
});

test('the title is the first user message cut to 64 characters (not bytes)', { timeout: 30_000 }, async () => {
  const key = await newKey('title');
  const long = `${'é'.repeat(30)}😀${'語'.repeat(40)} ${uniqueWord('tail')}`;
  const parts = [{ type: 'text', text: long }];
  const answer = await chat(stack, key, { model: priced.name, messages: [{ role: 'user', content: parts }] });
  assert.equal(answer.status, 200, answer.text);
  const [session] = await waitForSessions(stack, key, 1, 1);
  assert.equal(session.title, [...long].slice(0, 64).join(''));
  const [thread] = await waitForThreads(stack, key, 1);
  assert.equal(thread.prompt, long, 'the prompt of a message with content parts is its text');
  assert.deepEqual(thread.whole_prompt, [{ role: 'user', content: parts }]);
});

test('the same Session-Id from two keys makes two sessions; one Session-Id groups different openings', { timeout: 30_000 }, async () => {
  const alice = await newKey('alice');
  const bob = await newKey('bob');
  const sessionId = `shared-${uniqueWord()}`;
  // Alice: three requests under one Session-Id, each a conversation of its own.
  const aliceTurns = [`apple ${uniqueWord()}`, `banana ${uniqueWord()}`, `cherry ${uniqueWord()}`];
  for (const [index, turn] of aliceTurns.entries()) {
    const system = index === 1 ? 'A different system prompt.' : undefined;
    await converse(stack, alice, { model: priced.name, system, turns: [turn], sessionId });
  }
  await converse(stack, bob, { model: priced.name, turns: [`durian ${uniqueWord()}`], sessionId });

  const [aliceSession] = await waitForSessions(stack, alice, 1, 3);
  const [bobSession] = await waitForSessions(stack, bob, 1, 1);
  assert.notEqual(aliceSession.id, bobSession.id, 'two keys, two sessions');
  assert.equal(aliceSession.key_id, alice.id);
  assert.equal(bobSession.key_id, bob.id);
  assert.equal(aliceSession.title, aliceTurns[0], 'the title is the first thread\'s first user message');
  const detail = await as(alice).get(`/user/session/detail/${aliceSession.id}`);
  assert.deepEqual(detail.threads.map((t) => t.prompt), aliceTurns);
  assertSessionTotals(aliceSession, detail.threads);
  assert.equal((await as(bob).get(`/user/session/detail/${bobSession.id}`)).threads.length, 1);

  // Without the header, the same opening from two keys is also two sessions; and a key's
  // request without the header is not put into its Session-Id session.
  const opening = `same opening ${uniqueWord()}`;
  await converse(stack, alice, { model: priced.name, turns: [opening] });
  await converse(stack, bob, { model: priced.name, turns: [opening] });
  await converse(stack, alice, { model: priced.name, turns: [aliceTurns[0]] });
  const aliceSessions = await waitForSessions(stack, alice, 3, 5);
  const bobSessions = await waitForSessions(stack, bob, 2, 2);
  const byTitle = (sessions) => sessions.find((s) => s.title === opening);
  assert.notEqual(byTitle(aliceSessions).id, byTitle(bobSessions).id);
  assert.equal(aliceSessions.find((s) => s.id === aliceSession.id).thread_count, 3);
});

test('thread detail: prompt, completion, whole prompt, tokens, prices, fee, latencies, stream flag', { timeout: 30_000 }, async () => {
  const key = await newKey('detail');
  const messages = [
    { role: 'system', content: 'Be exact.' },
    { role: 'user', content: `How many ${uniqueWord('legs')} does a spider have?` },
  ];
  const startedAt = Math.floor(Date.now() / 1000);
  const plain = await chat(stack, key, { model: priced.name, messages, temperature: 0.2 });
  assert.equal(plain.status, 200, plain.text);
  const streamed = await chat(stack, key, { model: priced.name, messages, ...kStreamWithUsage });
  assert.equal(streamed.status, 200, streamed.text);
  assert.ok(readStream(streamed.text).done, streamed.text);
  const endedAt = Math.ceil(Date.now() / 1000);

  const [streamRow, plainRow] = await waitForThreads(stack, key, 2);
  const usage = echoUsage(messages);
  for (const [row, answer, stream] of [
    [plainRow, plain, false],
    [streamRow, streamed, true],
  ]) {
    const thread = await as(key).get(`/user/thread/detail/${row.id}`);
    for (const field of kThreadFields) assert.ok(field in thread, `thread lacks ${field}: ${JSON.stringify(thread)}`);
    assert.deepEqual(thread, row, 'the detail is the list row');
    assert.deepEqual(await stack.admin.get(`/admin/thread/detail/${row.id}`), thread, 'the admin sees the same');
    assert.equal(thread.request_id, answer.requestId, 'the answer\'s x-request-id');
    assert.equal(thread.key_id, key.id);
    assert.equal(thread.model, priced.name, 'the gateway\'s model name, not the upstream id');
    assert.equal(thread.prompt, messages[1].content);
    assert.equal(thread.completion, `echo: ${messages[1].content}`);
    assert.deepEqual(thread.whole_prompt, messages);
    assert.equal(thread.tokens_in, usage.prompt_tokens);
    assert.equal(thread.tokens_out, usage.completion_tokens);
    assertThreadMoney(thread, priced);
    assert.ok(toNanos(thread.fee) > 0n);
    assertLatencies(thread);
    assert.equal(thread.stream, stream);
    assert.equal(thread.status, 'ok');
    assert.ok(!thread.error, `no error on a good thread: ${JSON.stringify(thread.error)}`);
    assert.ok(
      thread.created_at >= startedAt - 2 && thread.created_at <= endedAt + 2,
      `created_at ${thread.created_at} is not now (${startedAt}..${endedAt})`,
    );
  }
  assert.equal(plainRow.session_id, streamRow.session_id, 'same opening, same session');
});

test('a stream without include_usage is still recorded with tokens and a fee', { timeout: 30_000 }, async () => {
  const key = await newKey('no-usage');
  const messages = [{ role: 'user', content: `count ${uniqueWord()} these words please` }];
  const answer = await chat(stack, key, { model: priced.name, messages, stream: true });
  assert.equal(answer.status, 200, answer.text);
  const [thread] = await waitForThreads(stack, key, 1);
  assert.equal(thread.stream, true);
  assert.equal(thread.status, 'ok');
  assert.equal(thread.completion, `echo: ${messages[0].content}`);
  assert.ok(thread.tokens_in > 0 && thread.tokens_out > 0, JSON.stringify(brief(thread)));
  if (!thread.usage_estimated) {
    const usage = echoUsage(messages);
    assert.deepEqual([thread.tokens_in, thread.tokens_out], [usage.prompt_tokens, usage.completion_tokens]);
  }
  assertThreadMoney(thread, priced);
});

test('fees of the threads sum exactly to the session total, tokens to its token totals', { timeout: 30_000 }, async () => {
  const key = await newKey('sums');
  const sessionId = `sums-${uniqueWord()}`;
  const turns = ['one', 'two words', 'three little words', 'and now four more', 'five'].map(
    (text) => `${text} ${uniqueWord()}`,
  );
  // Alternating plain and streamed turns, and a failed one in the middle.
  for (const [index, turn] of turns.entries()) {
    await converse(stack, key, { model: priced.name, turns: [turn], sessionId, stream: index % 2 === 1 });
    if (index === 2) {
      const failed = await chat(
        stack,
        key,
        { model: gatewayModel('status-500'), messages: [{ role: 'user', content: turn }] },
        { sessionId },
      );
      assert.equal(failed.status, 502, failed.text);
    }
  }
  const [session] = await waitForSessions(stack, key, 1, turns.length + 1);
  const { threads } = await as(key).get(`/user/session/detail/${session.id}`);
  assert.equal(threads.length, turns.length + 1);
  assertSessionTotals(session, threads);
  for (const thread of threads.filter((t) => t.status === 'ok')) assertThreadMoney(thread, priced);
  // And the session's fees are what the key was charged (SPEC 7): it has no other thread.
  const mine = await as(key).get('/user/api-key/mine');
  assert.equal(toNanos(mine.total_fee), toNanos(session.total_fee), 'the key\'s total_fee is the session\'s');
});

test('tool calls are recorded as a JSON array, streamed or not', { timeout: 30_000 }, async () => {
  const key = await newKey('tools');
  const tools = [
    {
      type: 'function',
      function: {
        name: 'lookup_city',
        description: 'Weather of a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ];
  const messages = [{ role: 'user', content: `weather in Paris ${uniqueWord()}` }];
  const plain = await chat(stack, key, { model: gatewayModel('tools'), messages, tools });
  assert.equal(plain.status, 200, plain.text);
  const streamed = await chat(stack, key, { model: gatewayModel('tools'), messages, tools, ...kStreamWithUsage });
  assert.equal(streamed.status, 200, streamed.text);

  const expectedCalls = [
    { id: kToolCallId, type: 'function', function: { name: 'lookup_city', arguments: kToolArguments } },
  ];
  const threads = await waitForThreads(stack, key, 2);
  for (const row of threads) {
    const thread = await as(key).get(`/user/thread/detail/${row.id}`);
    assert.ok(Array.isArray(thread.tool_calls), `tool_calls is not an array: ${JSON.stringify(thread)}`);
    assert.deepEqual(thread.tool_calls, expectedCalls, `stream ${thread.stream}`);
    assert.equal(JSON.parse(thread.tool_calls[0].function.arguments).city, 'Paris');
    assert.ok(!thread.completion, `no text in a tool-call answer: ${JSON.stringify(thread.completion)}`);
    assert.equal(thread.status, 'ok');
    assert.deepEqual([thread.tokens_in, thread.tokens_out], [kToolUsage.prompt_tokens, kToolUsage.completion_tokens]);
    assertThreadMoney(thread, stack.models.tools);
  }
  assert.deepEqual(threads.map((t) => t.stream).sort(), [false, true]);

  // q finds them by the function's name and by the words of its arguments (SPEC 8 counts
  // tool calls as part of the completion), within the key and across all threads.
  const ids = (list) => list.items.map((t) => t.id).sort();
  const toolThreadIds = ids({ items: threads });
  for (const q of ['lookup_city', 'lookup', 'celsius']) {
    assert.deepEqual(ids(await as(key).list('/user/thread/list', { q })), toolThreadIds, `q=${q}`);
    const everywhere = await stack.admin.list('/admin/thread/list', { q, limit: 1000 });
    assert.deepEqual(ids({ items: everywhere.items.filter((t) => t.key_id === key.id) }), toolThreadIds, `admin q=${q}`);
  }
  assert.equal((await as(key).list('/user/session/list', { q: 'lookup_city' })).total, 1);

  // A thread without tool calls shows none.
  await converse(stack, key, { model: priced.name, turns: ['no tools here'] });
  const [latest] = await waitForThreads(stack, key, 3);
  assert.ok(
    latest.tool_calls === null || (Array.isArray(latest.tool_calls) && latest.tool_calls.length === 0),
    `tool_calls of a plain answer: ${JSON.stringify(latest.tool_calls)}`,
  );
});

test('a failed upstream call leaves a thread with status "error" and the error text', { timeout: 30_000 }, async () => {
  const key = await newKey('failed');
  const prompt = `this will fail ${uniqueWord()}`;
  const messages = [{ role: 'user', content: prompt }];
  const plain = await chat(stack, key, { model: gatewayModel('status-500'), messages });
  assert.equal(plain.status, 502, plain.text);
  const streamed = await chat(stack, key, { model: gatewayModel('status-500'), messages, ...kStreamWithUsage });
  assert.equal(streamed.status, 502, streamed.text);

  const threads = await waitForThreads(stack, key, 2);
  for (const thread of threads) {
    assert.equal(thread.status, 'error', JSON.stringify(brief(thread)));
    assert.equal(typeof thread.error, 'string');
    assert.match(thread.error, /500/, `the error text names the upstream's answer: ${JSON.stringify(thread.error)}`);
    assert.equal(thread.model, gatewayModel('status-500'));
    assert.equal(thread.prompt, prompt, 'the prompt of a failed request is kept');
    assert.ok(!thread.completion, JSON.stringify(brief(thread)));
    assert.equal(thread.tokens_out, 0);
    assert.equal(toNanos(thread.fee), 0n, 'nothing charged for a failed call');
    assertLatencies(thread);
  }
  assert.deepEqual(threads.map((t) => t.stream).sort(), [false, true]);
  assert.deepEqual(threads.map((t) => t.request_id).sort(), [plain.requestId, streamed.requestId].sort());
  const [session] = await waitForSessions(stack, key, 1, 2);
  assert.equal(session.title, prompt);
  assert.equal(toNanos(session.total_fee), 0n);
});

test('a stream the client cancels leaves a thread with status "cancelled"', { timeout: 30_000 }, async () => {
  const key = await newKey('cancelled');
  const prompt = `tick tock ${uniqueWord()}`;
  const controller = new AbortController();
  const response = await fetch(`${stack.gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: gatewayModel('slow-stream'),
      messages: [{ role: 'user', content: prompt }],
      ...kStreamWithUsage,
    }),
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  const requestId = response.headers.get('x-request-id');
  // Read until three content pieces have arrived, then hang up.
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while ((text.match(/tick\d+ /g) ?? []).length < 3) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended early: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  const received = readStream(text.slice(0, text.lastIndexOf('\n\n') + 2)).content;
  controller.abort();
  await reader.cancel().catch(() => {});
  // The gateway cancels the upstream call at once (SPEC 6).
  await stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt);

  const [thread] = await waitForThreads(stack, key, 1);
  assert.equal(thread.status, 'cancelled', JSON.stringify(brief(thread)));
  assert.equal(thread.stream, true);
  assert.equal(thread.request_id, requestId);
  assert.equal(thread.prompt, prompt);
  assert.ok(
    thread.completion.startsWith(received),
    `the completion holds what the client got (${JSON.stringify(received)}): ${JSON.stringify(thread.completion)}`,
  );
  assertLatencies(thread);
  assert.ok(thread.error, 'a cancelled thread says why');
  // The tokens produced before the hang-up are recorded and charged (SPEC 6).
  assert.ok(thread.tokens_out > 0, JSON.stringify(brief(thread)));
  assertThreadMoney(thread, stack.models['slow-stream']);
  assert.ok(toNanos(thread.fee) > 0n);
  const [session] = await waitForSessions(stack, key, 1, 1);
  assert.equal(toNanos(session.total_fee), toNanos(thread.fee));
});

test('a plain request the client abandons leaves a thread with status "cancelled"', { timeout: 30_000 }, async () => {
  const key = await newKey('abandoned');
  const prompt = `never answered ${uniqueWord()}`;
  const controller = new AbortController();
  const pending = chat(
    stack,
    key,
    { model: gatewayModel('hang'), messages: [{ role: 'user', content: prompt }] },
    { signal: controller.signal },
  ).then(
    () => assert.fail('a hanging upstream cannot have answered'),
    (error) => error,
  );
  await stack.fake.waitForRequest((r) => r.body?.messages?.[0]?.content === prompt);
  controller.abort();
  await pending;
  await stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt);
  const [thread] = await waitForThreads(stack, key, 1);
  assert.equal(thread.status, 'cancelled', JSON.stringify(brief(thread)));
  assert.equal(thread.stream, false);
  assert.equal(thread.prompt, prompt);
  assert.ok(thread.error, 'a cancelled thread says why');
  assert.equal(toNanos(thread.fee), 0n, 'nothing was produced, nothing charged');
});

test('a stream the upstream breaks off leaves an "error" thread with the partial answer', { timeout: 30_000 }, async () => {
  const key = await newKey('cut');
  const prompt = `cut short ${uniqueWord()}`;
  const answer = await chat(stack, key, {
    model: gatewayModel('cut'),
    messages: [{ role: 'user', content: prompt }],
    ...kStreamWithUsage,
  });
  assert.equal(answer.status, 200, 'the stream had started');
  const read = readStream(answer.text);
  assert.ok(read.error, `the client was told: ${answer.text}`);
  const [thread] = await waitForThreads(stack, key, 1);
  assert.equal(thread.status, 'error', JSON.stringify(brief(thread)));
  assert.equal(thread.stream, true);
  assert.equal(thread.completion, 'partial answer ', 'what was relayed before the break');
  assert.equal(thread.error, read.error.message, 'the error the client got');
  assert.ok(thread.tokens_out > 0, 'the tokens produced are recorded');
  assertThreadMoney(thread, stack.models.cut);
});

test('user A never sees B\'s sessions or threads: lists, details (404), search', { timeout: 30_000 }, async () => {
  const alice = await newKey('a');
  const bob = await newKey('b');
  const aliceWord = uniqueWord('alice');
  const bobWord = uniqueWord('bob');
  await converse(stack, alice, { model: priced.name, turns: [`alice says ${aliceWord}`, 'and more'] });
  await converse(stack, bob, { model: priced.name, turns: [`bob says ${bobWord}`] });
  const [aliceSession] = await waitForSessions(stack, alice, 1, 2);
  const [bobSession] = await waitForSessions(stack, bob, 1, 1);
  const [bobThread] = await waitForThreads(stack, bob, 1);
  const aliceThreads = await waitForThreads(stack, alice, 2);

  const mine = as(alice);
  const sessions = await mine.list('/user/session/list', { limit: 1000 });
  assert.deepEqual(ids(sessions.items), [aliceSession.id]);
  assert.equal(sessions.total, 1);
  const threads = await mine.list('/user/thread/list', { limit: 1000 });
  assert.deepEqual(ids(threads.items), ids(aliceThreads));
  assert.equal(threads.total, 2);

  // Bob's ids answer 404 to Alice, exactly like ids that do not exist.
  for (const path of [`/user/session/detail/${bobSession.id}`, `/user/thread/detail/${bobThread.id}`]) {
    const answer = await mine.call('GET', path);
    assertAdminError(answer, 404);
    assert.ok(!answer.text.includes(bobWord), `a 404 tells nothing of Bob's thread: ${answer.text}`);
  }
  for (const path of ['/user/session/detail/999999999', '/user/thread/detail/999999999']) {
    assertAdminError(await mine.call('GET', path), 404);
  }
  // Filtering by Bob's session, or searching for Bob's word, finds nothing.
  const filtered = await mine.list('/user/thread/list', { session_id: bobSession.id });
  assert.equal(filtered.total, 0, JSON.stringify(filtered));
  for (const path of ['/user/session/list', '/user/thread/list']) {
    assert.equal((await mine.list(path, { q: bobWord })).total, 0, `${path}?q=<Bob's word>`);
    assert.equal((await mine.list(path, { q: aliceWord })).total, 1, `${path}?q=<Alice's word>`);
  }
  // Alice's own session detail works; Bob still sees his.
  assert.equal((await mine.get(`/user/session/detail/${aliceSession.id}`)).threads.length, 2);
  assert.equal((await as(bob).get(`/user/thread/detail/${bobThread.id}`)).prompt, `bob says ${bobWord}`);
  // The user API is scoped to the caller even for an admin key: the admin's own key has
  // no threads of Alice's.
  const adminOwn = apiAs(stack, { api_key: stack.gateway.adminKey });
  assert.equal((await adminOwn.list('/user/session/list', { q: aliceWord })).total, 0);
  assertAdminError(await adminOwn.call('GET', `/user/thread/detail/${aliceThreads[0].id}`), 404);
  // The key_id filter of the admin lists is not a user parameter: it cannot widen the scope.
  const widened = await mine.list('/user/session/list', { key_id: bob.id });
  assert.deepEqual(ids(widened.items), [aliceSession.id]);
});

test('admin lists filter by key_id and session_id; admin details show any key\'s records', { timeout: 30_000 }, async () => {
  const alice = await newKey('fa');
  const bob = await newKey('fb');
  await converse(stack, alice, { model: priced.name, turns: ['alpha one', 'alpha two'] });
  await converse(stack, alice, { model: priced.name, turns: ['beta one'] });
  await converse(stack, bob, { model: priced.name, turns: ['gamma one', 'gamma two', 'gamma three'] });
  const aliceSessions = await waitForSessions(stack, alice, 2, 3);
  const [bobSession] = await waitForSessions(stack, bob, 1, 3);
  const { admin } = stack;

  const byKey = await admin.list('/admin/session/list', { key_id: alice.id });
  assert.deepEqual(ids(byKey.items).sort(), ids(aliceSessions).sort());
  assert.ok(byKey.items.every((s) => s.key_id === alice.id));
  const alphaSession = aliceSessions.find((s) => s.title === 'alpha one');
  assert.ok(alphaSession, JSON.stringify(aliceSessions));

  const bySession = await admin.list('/admin/thread/list', { session_id: alphaSession.id });
  assert.equal(bySession.total, 2);
  assert.deepEqual(bySession.items.map((t) => t.prompt), ['alpha two', 'alpha one'], 'newest first');
  assert.ok(bySession.items.every((t) => t.session_id === alphaSession.id && t.key_id === alice.id));
  const both = await admin.list('/admin/thread/list', { key_id: alice.id, session_id: alphaSession.id });
  assert.equal(both.total, 2);
  const mismatch = await admin.list('/admin/thread/list', { key_id: bob.id, session_id: alphaSession.id });
  assert.equal(mismatch.total, 0, 'Bob has no thread in Alice\'s session');
  const byBob = await admin.list('/admin/thread/list', { key_id: bob.id });
  assert.equal(byBob.total, 3);
  assert.equal((await admin.list('/admin/session/list', { key_id: 999999999 })).total, 0);
  // Empty parameters mean no filter (SPEC 3).
  const unfiltered = await admin.list('/admin/session/list', { key_id: '', q: '', limit: 1000 });
  for (const id of [...ids(aliceSessions), bobSession.id]) assert.ok(ids(unfiltered.items).includes(id));

  // Details of any key's records, with the key's name on the session.
  const detail = await admin.get(`/admin/session/detail/${bobSession.id}`);
  assert.equal(detail.key_id, bob.id);
  assert.equal(detail.key_name, bob.name);
  assert.deepEqual(detail.threads.map((t) => t.prompt), ['gamma one', 'gamma two', 'gamma three']);
  assertSessionTotals(detail, detail.threads);
  const thread = await admin.get(`/admin/thread/detail/${detail.threads[1].id}`);
  assert.deepEqual(thread, detail.threads[1]);

  // Bad filters and ids are named; unknown ids are 404.
  await admin.fails('GET', '/admin/thread/list?session_id=abc', undefined, 400, { param: 'session_id' });
  await admin.fails('GET', '/admin/thread/list?key_id=-1', undefined, 400, { param: 'key_id' });
  await admin.fails('GET', '/admin/session/list?key_id=1.5', undefined, 400, { param: 'key_id' });
  await as(alice).fails('GET', '/user/thread/list?session_id=0', undefined, 400, { param: 'session_id' });
  for (const family of ['session', 'thread']) {
    await admin.fails('GET', `/admin/${family}/detail/999999999`, undefined, 404);
    await admin.fails('GET', `/admin/${family}/detail/abc`, undefined, 400, { param: 'id' });
    await as(alice).fails('GET', `/user/${family}/detail/0`, undefined, 400, { param: 'id' });
  }
});

test('q finds threads by a word of the completion, sessions by a word of the title, case-insensitively', { timeout: 30_000 }, async () => {
  const key = await newKey('search');
  const titleWord = uniqueWord('title');
  const laterWord = uniqueWord('later');
  const otherWord = uniqueWord('other');
  await converse(stack, key, { model: priced.name, turns: [`Opening ${titleWord} question`, `then ${laterWord}`] });
  await converse(stack, key, { model: priced.name, turns: [`something ${otherWord}`] });
  const toolPrompt = `weather ${uniqueWord('tool')}`;
  const tool = await chat(stack, key, {
    model: gatewayModel('tools'),
    messages: [{ role: 'user', content: toolPrompt }],
  });
  assert.equal(tool.status, 200, tool.text);
  const sessions = await waitForSessions(stack, key, 3, 4);
  const opening = sessions.find((s) => s.title.includes(titleWord));
  assert.ok(opening, JSON.stringify(sessions));
  const user = as(key);

  // "echo" is in every echo completion and in no prompt: only the completion can match.
  for (const q of ['echo', 'ECHO', 'Echo']) {
    const found = await user.list('/user/thread/list', { q });
    assert.equal(found.total, 3, `q=${q}: ${JSON.stringify(found.items.map(brief))}`);
    assert.ok(found.items.every((t) => t.completion.startsWith('echo: ')));
    assert.equal((await stack.admin.list('/admin/thread/list', { q, key_id: key.id })).total, 3, `admin q=${q}`);
    const viaThreads = await user.list('/user/session/list', { q });
    assert.equal(viaThreads.total, 2, `sessions whose threads' completions hold ${q}`);
  }
  // A word of the title finds its session, in any case; and only that one.
  for (const q of [titleWord, titleWord.toUpperCase()]) {
    const found = await user.list('/user/session/list', { q });
    assert.deepEqual(ids(found.items), [opening.id], `session q=${q}`);
    const admin = await stack.admin.list('/admin/session/list', { q });
    assert.deepEqual(ids(admin.items), [opening.id], `admin session q=${q}`);
  }
  // A word of a later turn finds that thread, and its session.
  const later = await user.list('/user/thread/list', { q: laterWord });
  assert.deepEqual(later.items.map((t) => t.prompt), [`then ${laterWord}`]);
  assert.deepEqual(ids((await user.list('/user/session/list', { q: laterWord })).items), [opening.id]);
  // Several words must all match.
  assert.equal((await user.list('/user/thread/list', { q: `echo ${otherWord}` })).total, 1);
  assert.equal((await user.list('/user/thread/list', { q: `${laterWord} ${otherWord}` })).total, 0);
  // q with a session_id filter.
  assert.equal((await user.list('/user/thread/list', { q: 'echo', session_id: opening.id })).total, 2);
  // The empty q is no filter.
  assert.equal((await user.list('/user/thread/list', { q: '' })).total, 4);
  // Search syntax and punctuation are taken as text, never as an error.
  for (const q of ['"', 'echo"', '*', 'AND', 'OR echo', 'NEAR(echo', '(', ')', '-echo', 'echo:', "o'clock", '^', 'a:b', '%', '\\', '漢字']) {
    for (const path of ['/user/thread/list', '/user/session/list', '/admin/thread/list', '/admin/session/list']) {
      const caller = path.startsWith('/admin') ? stack.admin : user;
      await caller.list(path, { q });
    }
  }
});

test('q finds a Chinese or Japanese word inside a clause, its characters side by side', { timeout: 30_000 }, async () => {
  const key = await newKey('cjk');
  // The echo fake answers "echo: <prompt>": prompt and completion both hold the clause.
  await converse(stack, key, { model: priced.name, turns: ['我想了解数据库的设计，特别是索引'] });
  await converse(stack, key, { model: priced.name, turns: ['データベースの設計について教えて'] });
  await converse(stack, key, { model: priced.name, turns: ['库存还有多少？'] });
  await waitForSessions(stack, key, 3, 3);
  const user = as(key);
  const prompts = async (q) => (await user.list('/user/thread/list', { q })).items.map((t) => t.prompt).sort();
  assert.deepEqual(await prompts('数据库'), ['我想了解数据库的设计，特别是索引']);
  assert.deepEqual(await prompts('设计'), ['我想了解数据库的设计，特别是索引']);
  assert.deepEqual(await prompts('ベース'), ['データベースの設計について教えて']);
  assert.deepEqual(await prompts('库'), ['库存还有多少？', '我想了解数据库的设计，特别是索引']);
  assert.deepEqual(await prompts('数库'), [], 'characters that are not side by side');
  assert.deepEqual(await prompts('echo 索引'), ['我想了解数据库的设计，特别是索引']);
  // Session titles (the first user message) the same way, for the user and the admin.
  const titles = (await user.list('/user/session/list', { q: '設計' })).items.map((s) => s.title);
  assert.deepEqual(titles, ['データベースの設計について教えて']);
  const admin = await stack.admin.list('/admin/session/list', { q: '还有', key_id: key.id });
  assert.deepEqual(admin.items.map((s) => s.title), ['库存还有多少？']);
  // q is any bytes: cut UTF-8 is refused naming q (a gateway once died on it, and
  // PostgreSQL refuses such text); runs of kana punctuation are text that matches nothing.
  const paths = ['/admin/thread/list', '/admin/session/list', '/user/thread/list', '/user/session/list'];
  const get = (path, q) => request(`${stack.gateway.url}${path}?q=${q}`, { key: path.startsWith('/admin') ? stack.gateway.adminKey : key.api_key });
  for (const q of ['%F0', 'a%F0', '%E4', '%E6%95%B0%E6%8D', '%ED%A0%80']) {
    for (const path of paths) {
      const answer = await get(path, q);
      assert.equal(answer.status, 400, `${path}?q=${q}: ${answer.text}`);
      assert.equal(answer.json.error.param, 'q', answer.text);
    }
  }
  for (const q of ['%E3%83%BB%E3%83%BB', '%E3%82%9B%E3%82%9C%20abc']) {
    for (const path of paths) {
      const answer = await get(path, q);
      assert.equal(answer.status, 200, `${path}?q=${q}: ${answer.text}`);
      assert.equal(answer.json.data.total, 0, `${path}?q=${q}: ${answer.text}`);
    }
  }
});

test('paging: limit, offset and total over sessions and threads, newest first', { timeout: 30_000 }, async () => {
  const key = await newKey('paging');
  for (let index = 0; index < 5; ++index) {
    await converse(stack, key, { model: priced.name, turns: [`conversation ${index} ${uniqueWord()}`, `turn two of ${index}`] });
  }
  const all = await waitForSessions(stack, key, 5, 10);
  const user = as(key);
  const sessions = await user.list('/user/session/list');
  assert.equal(sessions.limit, 20, 'default limit');
  assert.equal(sessions.offset, 0);
  assert.deepEqual(
    sessions.items.map((s) => s.title.split(' ')[1]),
    ['4', '3', '2', '1', '0'],
    'most recent conversation first',
  );
  assert.deepEqual(ids(sessions.items), ids(all));

  for (const [path, total] of [
    ['/user/session/list', 5],
    ['/user/thread/list', 10],
  ]) {
    const whole = (await user.list(path, { limit: 1000 })).items;
    assert.equal(whole.length, total);
    const seen = [];
    for (let offset = 0; offset < total; offset += 3) {
      const page = await user.list(path, { limit: 3, offset });
      assert.equal(page.total, total, `${path} total on every page`);
      assert.equal(page.limit, 3);
      assert.equal(page.offset, offset);
      assert.equal(page.items.length, Math.min(3, total - offset));
      seen.push(...ids(page.items));
    }
    assert.deepEqual(seen, ids(whole), `${path}: the pages are the whole list, in order, without overlap`);
    const beyond = await user.list(path, { limit: 3, offset: total + 5 });
    assert.deepEqual([beyond.items.length, beyond.total], [0, total]);
    await user.fails('GET', `${path}?limit=0`, undefined, 400, { param: 'limit' });
    await user.fails('GET', `${path}?offset=-1`, undefined, 400, { param: 'offset' });
  }
  // Admin lists page the same way.
  const adminPage = await stack.admin.list('/admin/thread/list', { key_id: key.id, limit: 4, offset: 8 });
  assert.deepEqual([adminPage.items.length, adminPage.total], [2, 10]);
  // A session's threads are oldest first in its detail, newest first in the list.
  const detail = await user.get(`/user/session/detail/${all[0].id}`);
  assert.deepEqual(detail.threads.map((t) => t.prompt.split(' ')[0]), ['conversation', 'turn']);
});

test('concurrent requests: one Session-Id gathers them all; distinct openings make distinct sessions', { timeout: 30_000 }, async () => {
  const key = await newKey('concurrent');
  const sessionId = `burst-${uniqueWord()}`;
  const shared = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      chat(stack, key, { model: priced.name, messages: [{ role: 'user', content: `burst ${index}` }] }, { sessionId }),
    ),
  );
  const separate = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      chat(stack, key, {
        model: priced.name,
        messages: [{ role: 'user', content: `alone ${index} ${uniqueWord()}` }],
        ...(index % 2 ? kStreamWithUsage : {}),
      }),
    ),
  );
  for (const answer of [...shared, ...separate]) assert.equal(answer.status, 200, answer.text);
  const sessions = await waitForSessions(stack, key, 21, 40);
  const burst = sessions.find((s) => s.thread_count === 20);
  assert.ok(burst, JSON.stringify(sessions));
  const { threads } = await as(key).get(`/user/session/detail/${burst.id}`);
  assertSessionTotals(burst, threads);
  assert.deepEqual(
    threads.map((t) => t.request_id).sort(),
    shared.map((a) => a.requestId).sort(),
    'every request of the burst has its thread',
  );
  const mine = await as(key).get('/user/api-key/mine');
  assert.equal(
    toNanos(mine.total_fee),
    sumNanos(sessions.map((s) => s.total_fee)),
    'the sessions\' fees are what the key was charged',
  );
});

test('a deleted key\'s records stay for the admin', { timeout: 30_000 }, async () => {
  const key = await newKey('deleted');
  const word = uniqueWord('audit');
  await converse(stack, key, { model: priced.name, turns: [`keep ${word}`] });
  const [session] = await waitForSessions(stack, key, 1, 1);
  const [thread] = await waitForThreads(stack, key, 1);
  await stack.admin.ok('POST', '/admin/api-key/delete', { id: key.id });
  assertAdminError(await as(key).call('GET', '/user/session/list'), 401);
  const listed = await stack.admin.list('/admin/session/list', { key_id: key.id });
  assert.deepEqual(ids(listed.items), [session.id]);
  assert.equal((await stack.admin.get(`/admin/thread/detail/${thread.id}`)).prompt, `keep ${word}`);
  assert.equal((await stack.admin.get(`/admin/session/detail/${session.id}`)).threads.length, 1);
  assert.equal((await stack.admin.list('/admin/thread/list', { q: word })).total, 1);
});

test('records are written off the request path: they appear after answers, eventually, all of them', { timeout: 30_000 }, async () => {
  // Not a timing claim, a completeness one: a burst of answers is followed by exactly one
  // thread each, found by polling the API (see lib/eventually.js).
  const key = await newKey('eventual');
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, index) =>
      chat(stack, key, { model: priced.name, messages: [{ role: 'user', content: `n${index} ${uniqueWord()}` }] }),
    ),
  );
  const threads = await eventually(
    async () => {
      const page = await stack.admin.list('/admin/thread/list', { key_id: key.id, limit: 1000 });
      assert.equal(page.total, answers.length);
      return page.items;
    },
    { what: 'a thread per answer' },
  );
  assert.deepEqual(threads.map((t) => t.request_id).sort(), answers.map((a) => a.requestId).sort());
});
