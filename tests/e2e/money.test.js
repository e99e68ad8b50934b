// Money (SPEC 7, docs/billing.md): every request is charged exactly once at the model's
// price, the monthly allowance fills before the balance, a key without money gets 402,
// concurrent requests overspend by at most one request's cost, the month rolls over in
// LLMGATE_TIMEZONE exactly once, and a `kill -9` loses no charge of a delivered answer.
//
// Amounts are compared exactly, in nano-units (BigInt), read from the decimal text of the
// JSON numbers: the gateway renders an amount as the double whose shortest form is its
// exact decimal, and JavaScript's String(number) gives that shortest form back.
//
// The fake upstream reports deterministic usage (../fakes/openai_upstream.js): for `echo`,
// prompt tokens are the words of the messages and completion tokens the pieces of
// "echo: <text>"; a `gated` stream reports 3 + 6 tokens. Expected costs come from there.
//
// The gateway runs with LLMGATE_TIMEZONE=Asia/Shanghai and an LLMGATE_CLOCK_OFFSET that
// puts "now" in the middle of May 2031; the month test restarts it in June (Shanghai time).
// The restarting tests (month, kill -9) come last.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { echoUsage } from '../fakes/openai_upstream.js';
import { assertOpenAiError, expectApiError, within } from './lib/expect.js';
import { request } from './lib/http.js';
import {
  kDefaultGroupId,
  kUpstreamApiKey,
  openaiClient,
  restartGateway,
  startStack,
  stopStack,
  uniquePrompt,
  upstreamRequestFor,
} from './lib/stack.js';

const kNanosPerUnit = 1_000_000_000n;
const kTokensPerPrice = 1_000_000n;

// Seconds to add to the real clock so that "now" is `iso` (give or take the test's run time;
// every target is hours away from a month boundary).
function offsetTo(iso) {
  return String(Math.round((Date.parse(iso) - Date.now()) / 1000));
}
// Mid-May 2031 in any zone.
const kMayOffset = offsetTo('2031-05-15T12:00:00Z');
// 2031-06-01 00:30 in Shanghai (UTC+8), still 2031-05-31 in UTC: only a gateway that
// reckons months in LLMGATE_TIMEZONE sees June here.
const kJuneInShanghaiOffset = offsetTo('2031-05-31T16:30:00Z');

/**
 * Nano-units (BigInt) of an amount: a JSON number (read through its shortest decimal text)
 * or a decimal string. Throws on anything finer than a nano-unit.
 */
function toNanos(amount) {
  const text = typeof amount === 'number' ? String(amount) : amount;
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  assert.ok(match, `not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const scale = 9 + Number(exponentText) - fraction.length;
  let digits = BigInt(whole + fraction);
  if (scale >= 0) {
    digits *= 10n ** BigInt(scale);
  } else {
    const divisor = 10n ** BigInt(-scale);
    assert.equal(digits % divisor, 0n, `${text} is finer than a nano-unit`);
    digits /= divisor;
  }
  return sign === '-' ? -digits : digits;
}

/** The decimal text of nano-units, for messages and request bodies. */
function decimal(nanos) {
  const negative = nanos < 0n;
  const magnitude = negative ? -nanos : nanos;
  let text = (magnitude / kNanosPerUnit).toString();
  const fraction = (magnitude % kNanosPerUnit).toString().padStart(9, '0').replace(/0+$/, '');
  if (fraction) text += `.${fraction}`;
  return negative ? `-${text}` : text;
}

/** SPEC 7: tokens × price / 1e6, in nano-units, rounded once, half up. */
function costNanos(tokensIn, tokensOut, model) {
  const numerator =
    BigInt(tokensIn) * toNanos(model.price_in) + BigInt(tokensOut) * toNanos(model.price_out);
  return (numerator + kTokensPerPrice / 2n) / kTokensPerPrice;
}

/** ⌈characters / 3⌉: docs/billing.md's estimate (ASCII text here, so bytes = characters). */
function estimateTokens(chars) {
  return Math.ceil(chars / 3);
}

/** A key's money fields as nano-units. */
function money(key) {
  return {
    month_quota: toNanos(key.month_quota),
    month_fee: toNanos(key.month_fee),
    balance: toNanos(key.balance),
    total_fee: toNanos(key.total_fee),
  };
}

let stack;
let modelCounter = 0;
let keyCounter = 0;

before(async () => {
  stack = await startStack({
    env: { LLMGATE_TIMEZONE: 'Asia/Shanghai', LLMGATE_CLOCK_OFFSET: kMayOffset },
  });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/** A model of this file on the fake upstream `behaviour`, with the given prices. */
async function priceModel(behaviour, price_in, price_out, extra = {}) {
  modelCounter += 1;
  return stack.admin.saveModel({
    name: `money-${behaviour}-${modelCounter}`,
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: behaviour, ...extra },
    price_in,
    price_out,
    group_id: kDefaultGroupId,
  });
}

/** A user key with exactly the given money (no default quota). */
async function moneyKey({ month_quota, balance = 0 }) {
  keyCounter += 1;
  const key = await stack.admin.createKey({ name: `money-key-${keyCounter}`, month_quota, balance });
  return { ...key, client: openaiClient(stack.gateway, key.api_key) };
}

/** The client for a key on the current gateway (the port changes on a restart). */
function clientOf(key) {
  return openaiClient(stack.gateway, key.api_key);
}

/** GET /user/api-key/mine with the key itself. */
async function mine(key) {
  const answer = await request(`${stack.gateway.url}/user/api-key/mine`, { key: key.api_key });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.json?.success, true, answer.text);
  return answer.json.data;
}

/** The key as the admin sees it: its row in the key list and its detail. */
async function adminViews(key) {
  const list = await stack.admin.list('/admin/api-key/list', { name: key.name, limit: 100 });
  const row = list.items.find((item) => item.id === key.id);
  assert.ok(row, `key ${key.id} is not in the key list: ${JSON.stringify(list)}`);
  const detail = await stack.admin.get(`/admin/api-key/detail/${key.id}`);
  return { row, detail };
}

/** Asserts every view of the key (mine, list, detail) shows these amounts (nano-units). */
async function assertMoney(key, expected, what) {
  const views = { mine: await mine(key), ...(await adminViews(key)) };
  for (const [view, value] of Object.entries(views)) {
    const actual = money(value);
    for (const [field, nanos] of Object.entries(expected)) {
      assert.equal(
        actual[field],
        nanos,
        `${what}: ${view} ${field} is ${decimal(actual[field])}, expected ${decimal(nanos)}`,
      );
    }
  }
}

/** A non-stream echo through `client`; returns the completion. */
function echo(client, model, prompt, extra = {}) {
  return client.chat.completions.create({
    model: model.name,
    messages: [{ role: 'user', content: prompt }],
    ...extra,
  });
}

/** Repeats `probe` (each call a request to the gateway, no sleeping) until it returns a value. */
async function eventually(what, probe, ms = 10_000) {
  return within(
    ms,
    what,
    (async () => {
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
      }
    })(),
  );
}

function assertQuotaError(error) {
  assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${error?.stack ?? error}`);
  assert.equal(error.status, 402, error.message);
  assert.equal(error.code, 'insufficient_quota', error.message);
  assert.equal(error.type, 'insufficient_quota', error.message);
  assert.match(error.message, /recharge/i, 'the message says how to get more money');
}

test('toNanos and costNanos (the helpers this file relies on)', () => {
  assert.equal(toNanos(0.23), 230_000_000n);
  assert.equal(toNanos(1e-7), 100n);
  assert.equal(toNanos('12'), 12_000_000_000n);
  assert.equal(toNanos(-0.000000001), -1n);
  assert.equal(decimal(-1_500_000_000n), '-1.5');
  assert.throws(() => toNanos(1e-10));
  const model = { price_in: 0.000001, price_out: 0 }; // 1,000 nanos per million tokens
  assert.equal(costNanos(499, 0, model), 0n);
  assert.equal(costNanos(500, 0, model), 1n); // half up
});

test('a key without money gets 402 insufficient_quota; a recharge restores service', { timeout: 30_000 }, async () => {
  const model = await priceModel('echo', 1, 2);
  // "hi": 1 prompt token, 2 completion tokens ("echo: ", "hi") = 1e-6 + 4e-6 = 0.000005.
  const cost = costNanos(1, 2, model);
  assert.equal(cost, 5_000n);
  const key = await moneyKey({ month_quota: 0.00001, balance: 0 }); // two requests' worth

  for (let index = 0; index < 2; ++index) {
    const completion = await echo(key.client, model, 'hi');
    assert.deepEqual(
      [completion.usage.prompt_tokens, completion.usage.completion_tokens],
      [1, 2],
      'the fake reported usage passes through',
    );
  }
  await assertMoney(key, { month_fee: 10_000n, balance: 0n, total_fee: 10_000n }, 'allowance used up');

  // Refused, through the SDK, streamed or not.
  assertQuotaError(await expectApiError(echo(key.client, model, 'hi'), { status: 402 }));
  assertQuotaError(
    await expectApiError(echo(key.client, model, 'hi', { stream: true }), { status: 402 }),
  );
  // The raw answer has OpenAI's error shape.
  const raw = await request(`${stack.gateway.baseURL}/chat/completions`, {
    method: 'POST',
    key: key.api_key,
    body: { model: model.name, messages: [{ role: 'user', content: 'hi' }] },
  });
  const error = assertOpenAiError(raw, 402, { code: 'insufficient_quota' });
  assert.equal(error.type, 'insufficient_quota');
  assert.match(error.message, /recharge/i);
  // The refusals cost nothing and reached no upstream.
  await assertMoney(key, { month_fee: 10_000n, balance: 0n, total_fee: 10_000n }, 'after 402s');

  // A recharge of 0.00002 (four requests) restores service; the cost comes from the balance.
  const recharged = await stack.admin.ok('POST', '/admin/api-key/recharge', {
    id: key.id,
    balance: 0.00002,
  });
  assert.equal(toNanos(recharged.balance), 20_000n);
  const completion = await echo(key.client, model, 'hi');
  assert.equal(completion.choices[0].message.content, 'echo: hi');
  await assertMoney(
    key,
    { month_fee: 10_000n, balance: 20_000n - cost, total_fee: 15_000n },
    'after the recharge',
  );
  // Spend it all: four more pass in all, then 402 again.
  for (let index = 0; index < 3; ++index) await echo(key.client, model, 'hi');
  await assertMoney(key, { month_fee: 10_000n, balance: 0n, total_fee: 30_000n }, 'balance spent');
  assertQuotaError(await expectApiError(echo(key.client, model, 'hi'), { status: 402 }));
});

test('the balance goes down by exactly the cost beyond the allowance', { timeout: 30_000 }, async () => {
  // Prices with nine decimals, so that costs round (half up) to the nano-unit.
  const model = await priceModel('echo', 1234.567891234, 9876.543219876);
  const key = await moneyKey({ month_quota: 0.2, balance: 1.5 });
  let before = money(await mine(key));
  assert.deepEqual(before, {
    month_quota: 200_000_000n,
    month_fee: 0n,
    balance: 1_500_000_000n,
    total_fee: 0n,
  });
  let sum = 0n;
  let straddled = false;
  for (let words = 1; words <= 12; ++words) {
    const prompt = Array.from({ length: words }, (_, i) => `w${i}`).join(' ');
    const completion = await echo(key.client, model, prompt);
    const usage = echoUsage([{ role: 'user', content: prompt }]);
    assert.equal(completion.usage.prompt_tokens, usage.prompt_tokens);
    assert.equal(completion.usage.completion_tokens, usage.completion_tokens);
    const cost = costNanos(usage.prompt_tokens, usage.completion_tokens, model);
    sum += cost;
    // Committed before the answer was sent: visible at once.
    const after = money(await mine(key));
    const room = before.month_quota - before.month_fee > 0n ? before.month_quota - before.month_fee : 0n;
    const fromAllowance = cost < room ? cost : room;
    const fromBalance = cost - fromAllowance;
    if (fromAllowance > 0n && fromBalance > 0n) straddled = true;
    const label = `request with ${words} words (cost ${decimal(cost)})`;
    assert.equal(after.month_fee - before.month_fee, fromAllowance, `${label}: month_fee`);
    assert.equal(before.balance - after.balance, fromBalance, `${label}: balance`);
    assert.equal(after.total_fee - before.total_fee, cost, `${label}: total_fee`);
    assert.equal(
      after.month_fee - before.month_fee + (before.balance - after.balance),
      cost,
      `${label}: the parts add up to the cost`,
    );
    before = after;
  }
  assert.ok(straddled, 'one request was paid partly from the allowance, partly from the balance');
  assert.ok(before.balance < 1_500_000_000n, 'the balance was used');
  // The sum of the request costs is total_fee, to the nano-unit.
  assert.equal(before.total_fee, sum);
  assert.equal(before.month_fee, 200_000_000n);
  assert.equal(before.balance, 1_500_000_000n - (sum - 200_000_000n));
  await assertMoney(key, before, 'admin views agree');
});

test('streamed requests are billed although the client did not ask for usage', { timeout: 30_000 }, async () => {
  const model = await priceModel('echo', 3.5, 7.25);
  const key = await moneyKey({ month_quota: 0, balance: 10 });
  const prompt = uniquePrompt('stream billing');
  const usage = echoUsage([{ role: 'user', content: prompt }]);
  const cost = costNanos(usage.prompt_tokens, usage.completion_tokens, model);
  assert.ok(cost > 0n);

  const stream = await echo(key.client, model, prompt, { stream: true });
  let text = '';
  for await (const chunk of stream) {
    assert.equal(chunk.usage ?? undefined, undefined, 'no usage chunk the client did not ask for');
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, `echo: ${prompt}`);
  const upstream = upstreamRequestFor(stack.fake, prompt);
  assert.equal(upstream?.body?.stream_options?.include_usage, true, 'usage was requested upstream');
  // Charged before [DONE]: visible as soon as the stream has ended.
  await assertMoney(key, { balance: 10_000_000_000n - cost, total_fee: cost }, 'after one stream');

  // With include_usage the client sees the usage it was charged for.
  const prompt2 = uniquePrompt('stream billing with usage');
  const stream2 = await echo(key.client, model, prompt2, {
    stream: true,
    stream_options: { include_usage: true },
  });
  let reported;
  for await (const chunk of stream2) if (chunk.usage) reported = chunk.usage;
  assert.ok(reported, 'the usage chunk arrived');
  const cost2 = costNanos(reported.prompt_tokens, reported.completion_tokens, model);
  assert.deepEqual(reported, echoUsage([{ role: 'user', content: prompt2 }]));
  await assertMoney(
    key,
    { balance: 10_000_000_000n - cost - cost2, total_fee: cost + cost2 },
    'after two streams',
  );
});

test('50 concurrent requests against money for 4.5 let at most 6 through', { timeout: 60_000 }, async () => {
  // A gated stream reports 3 prompt and 6 completion tokens. price_in 0 and max_tokens 6 make
  // the worst case the admission reserves equal to the real cost: 6 × 1000 / 1e6 = 0.006.
  const model = await priceModel('gated', 0, 1000);
  const cost = costNanos(3, 6, model);
  assert.equal(cost, 6_000_000n);
  const quota = 12_000_000n; // two requests
  const balance = 15_000_000n; // two and a half
  const key = await moneyKey({ month_quota: decimal(quota), balance: decimal(balance) });
  const moneyOfKey = quota + balance;

  const prompts = Array.from({ length: 50 }, (_, i) => uniquePrompt(`concurrent ${i}`));
  // Every admitted stream stops at the fake's gate after its first chunk, so all 50 are in
  // flight together; the call resolves once the stream has begun, or rejects with the 402.
  const outcomes = await Promise.allSettled(
    prompts.map((prompt) =>
      key.client.chat.completions.create({
        model: model.name,
        messages: [{ role: 'user', content: prompt }],
        stream: true,
        max_tokens: 6,
      }),
    ),
  );
  const admitted = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
  const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
  for (const error of refused) assertQuotaError(error);
  assert.ok(admitted.length >= 1, 'some requests were admitted');
  assert.ok(admitted.length <= 6, `${admitted.length} requests were admitted with money for 4.5`);
  // Reservations of exactly the real cost: admitted while reserved < 4.5 costs, i.e. 5.
  assert.equal(admitted.length, 5, 'admitted while money was left after the reservations');
  const gatedUpstream = stack.fake.requests.filter((r) => r.model === 'gated').length;
  assert.equal(gatedUpstream, admitted.length, 'refused requests never reached the upstream');

  stack.fake.openGate();
  const texts = await Promise.all(
    admitted.map(async (stream) => {
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    }),
  );
  for (const text of texts) assert.equal(text, 'part0 part1 part2 part3 part4 part5 ');

  const after = money(await mine(key));
  assert.equal(after.total_fee, BigInt(admitted.length) * cost, 'every admitted request was charged');
  assert.ok(
    after.total_fee - moneyOfKey <= cost,
    `spend ${decimal(after.total_fee)} passes the key's money ${decimal(moneyOfKey)} by more than one request's cost`,
  );
  assert.equal(after.month_fee, quota);
  assert.equal(after.balance, balance - (after.total_fee - quota));
  assertQuotaError(
    await expectApiError(
      key.client.chat.completions.create({
        model: model.name,
        messages: [{ role: 'user', content: 'one more' }],
        stream: true,
        max_tokens: 6,
      }),
      { status: 402 },
    ),
  );
});

test('a stream the client abandons is charged an estimate, at most the worst case', { timeout: 30_000 }, async () => {
  const model = await priceModel('slow-stream', 3, 7);
  const key = await moneyKey({ month_quota: 0, balance: 1 });
  const prompt = uniquePrompt('abandoned stream');
  const maxTokens = 1000;
  const controller = new AbortController();
  const stream = await key.client.chat.completions.create(
    { model: model.name, messages: [{ role: 'user', content: prompt }], stream: true, max_tokens: maxTokens },
    { signal: controller.signal },
  );
  let received = '';
  let ticks = 0;
  try {
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta?.content ?? '';
      received += content;
      if (content.startsWith('tick')) ticks += 1;
      if (ticks === 3) controller.abort();
    }
  } catch (error) {
    assert.ok(error instanceof OpenAI.APIUserAbortError || error.name === 'AbortError', String(error));
  }
  assert.equal(ticks, 3);
  const closed = await within(
    10_000,
    'the gateway closes its upstream connection after the client left',
    stack.fake.waitForClose((r) => r.body?.messages?.[0]?.content === prompt),
  );

  // The charge lands once the cancelled upstream call has wound down.
  const charged = await eventually('the abandoned stream is charged', async () => {
    const now = money(await mine(key));
    return now.total_fee > 0n ? now : undefined;
  });
  const fee = charged.total_fee;
  const promptTokens = estimateTokens(prompt.length);
  // The upstream sent `tick<i> ` for i < chunksSent (one more may have been on its way).
  let sentChars = 0;
  for (let index = 0; index <= closed.chunksSent; ++index) sentChars += `tick${index} `.length;
  const lowest = costNanos(promptTokens, estimateTokens(received.length), model);
  const highest = costNanos(promptTokens, estimateTokens(sentChars), model);
  const worstCase = costNanos(promptTokens, maxTokens, model);
  assert.ok(fee > 0n, 'an abandoned stream is not free');
  assert.ok(fee >= lowest, `fee ${decimal(fee)} < ${decimal(lowest)}, the estimate of what the client saw`);
  assert.ok(fee <= highest, `fee ${decimal(fee)} > ${decimal(highest)}, the estimate of all that was sent`);
  assert.ok(fee <= worstCase, `fee ${decimal(fee)} > the worst case ${decimal(worstCase)}`);
  assert.equal(charged.balance, 1_000_000_000n - fee);
  // Charged once: a later request adds only its own cost.
  const follow = await priceModel('echo', 3, 7);
  await echo(key.client, follow, 'hi');
  assert.equal(money(await mine(key)).total_fee, fee + costNanos(1, 2, follow));
});

test('a model with price 0 works for a key with no money', { timeout: 30_000 }, async () => {
  const free = await priceModel('echo', 0, 0);
  const priced = await priceModel('echo', 1, 2);
  const key = await moneyKey({ month_quota: 0, balance: 0 });
  const completion = await echo(key.client, free, 'free lunch');
  assert.equal(completion.choices[0].message.content, 'echo: free lunch');
  const stream = await echo(key.client, free, 'free stream', { stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'echo: free stream');
  assertQuotaError(await expectApiError(echo(key.client, priced, 'not free'), { status: 402 }));
  await assertMoney(key, { month_fee: 0n, balance: 0n, total_fee: 0n }, 'free requests cost nothing');
});

test('crossing into a new month (Asia/Shanghai) resets month_fee once', { timeout: 90_000 }, async () => {
  const model = await priceModel('echo', 1, 2);
  const cost = costNanos(1, 2, model); // "hi"
  const key = await moneyKey({ month_quota: decimal(2n * cost), balance: 0 });
  await echo(key.client, model, 'hi');
  await echo(key.client, model, 'hi');
  assertQuotaError(await expectApiError(echo(key.client, model, 'hi'), { status: 402 }));
  await assertMoney(key, { month_fee: 2n * cost, total_fee: 2n * cost }, 'May used up');

  // Restart in June: 00:30 on 1 June in Shanghai, still 31 May in UTC.
  await restartGateway(stack, { env: { LLMGATE_CLOCK_OFFSET: kJuneInShanghaiOffset } });
  // Reads of the new month see 0 before any request.
  await assertMoney(
    key,
    { month_quota: 2n * cost, month_fee: 0n, balance: 0n, total_fee: 2n * cost },
    'June, before any request',
  );
  // The first request of June is admitted although May's allowance was used up.
  await echo(clientOf(key), model, 'hi');
  await assertMoney(key, { month_fee: cost, total_fee: 3n * cost, balance: 0n }, 'first request of June');

  // Another restart in the same month resets nothing.
  await restartGateway(stack, {});
  await assertMoney(key, { month_fee: cost, total_fee: 3n * cost }, 'June, after a restart');
  await echo(clientOf(key), model, 'hi');
  await assertMoney(key, { month_fee: 2n * cost, total_fee: 4n * cost, balance: 0n }, 'June used up');
  assertQuotaError(await expectApiError(echo(clientOf(key), model, 'hi'), { status: 402 }));
});

test('kill -9 after 100 completed requests loses none of their charges', { timeout: 120_000 }, async () => {
  const model = await priceModel('echo', 2.5, 7.5);
  const key = await moneyKey({ month_quota: 0.001, balance: 5 });
  const prompt = 'durable charge please'; // 3 prompt tokens, 4 completion pieces
  const usage = echoUsage([{ role: 'user', content: prompt }]);
  const cost = costNanos(usage.prompt_tokens, usage.completion_tokens, model);
  const client = clientOf(key);
  // Ten waves of ten concurrent requests, so that charges share transactions.
  for (let wave = 0; wave < 10; ++wave) {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => echo(client, model, prompt)),
    );
    for (const answer of answers) assert.deepEqual(answer.usage, usage);
  }
  // Killed the moment the last answer has arrived: nothing may be pending.
  const ended = await restartGateway(stack, { kill: true });
  assert.equal(ended.signal, 'SIGKILL');
  await assertMoney(
    key,
    {
      total_fee: 100n * cost,
      month_fee: 1_000_000n,
      balance: 5_000_000_000n - (100n * cost - 1_000_000n),
    },
    'after kill -9 and restart',
  );
});
