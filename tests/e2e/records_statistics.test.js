// GET /admin/statistics/total (SPEC 4, issue 5): keys, keys active this month, requests,
// tokens and spend this month and in total, per model — after known traffic on a fresh
// gateway, and again after a restart in a later month (LLMGATE_CLOCK_OFFSET), when this
// month's numbers start from zero and the totals stay.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { echoUsage, kToolUsage } from '../fakes/openai_upstream.js';
import { assertAdminError } from './lib/expect.js';
import { eventually } from './lib/eventually.js';
import { request } from './lib/http.js';
import { costNanos, decimal, sumNanos, toNanos } from './lib/money.js';
import { chat, kStreamWithUsage, waitForThreads } from './lib/records.js';
import { gatewayModel, kDefaultGroupId, kUpstreamApiKey, restartGateway, startStack, stopStack } from './lib/stack.js';

// About 40 days ahead: always a later calendar month.
const kNextMonthOffset = String(40 * 24 * 3600);

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

function statistics() {
  return stack.admin.get('/admin/statistics/total');
}

/** Per-model rows as {model: {requests, tokens_in, tokens_out, fee (nanos)}}. */
function byModel(rows) {
  const out = {};
  for (const row of rows) {
    assert.ok(!(row.model in out), `model ${row.model} listed twice`);
    out[row.model] = {
      requests: row.requests,
      tokens_in: row.tokens_in,
      tokens_out: row.tokens_out,
      fee: toNanos(row.fee),
    };
  }
  return out;
}

/** Asserts the rows are by fee, highest first. */
function assertByFee(rows) {
  for (let index = 1; index < rows.length; ++index) {
    assert.ok(toNanos(rows[index - 1].fee) >= toNanos(rows[index].fee), `not by fee: ${JSON.stringify(rows)}`);
  }
}

test('statistics/total: admin only', { timeout: 10_000 }, async () => {
  const url = `${stack.gateway.url}/admin/statistics/total`;
  assertAdminError(await request(url), 401);
  assertAdminError(await request(url, { key: stack.user.api_key }), 403);
});

test('statistics/total after known traffic, then in the next month', { timeout: 60_000 }, async () => {
  const { admin } = stack;
  const start = await statistics();
  for (const field of [
    'keys',
    'active_keys_this_month',
    'requests_this_month',
    'requests_total',
    'tokens_in_this_month',
    'tokens_out_this_month',
    'tokens_in_total',
    'tokens_out_total',
  ]) {
    assert.equal(typeof start[field], 'number', `${field}: ${JSON.stringify(start)}`);
  }
  assert.equal(start.requests_total, 0, 'a fresh gateway has served nothing');
  assert.equal(toNanos(start.spend_total), 0n);
  assert.equal(start.active_keys_this_month, 0);
  assert.deepEqual(start.models_total, []);
  assert.deepEqual(start.models_this_month, []);

  const cheap = await admin.saveModel({
    name: 'stats-cheap',
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
    price_in: 0.37,
    price_out: 1.9,
    group_id: kDefaultGroupId,
  });
  const dear = await admin.saveModel({
    name: 'stats-dear',
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'tools' },
    price_in: 2.5,
    price_out: 12,
    group_id: kDefaultGroupId,
  });
  const alice = await admin.createKey({ name: 'stats-alice' });
  const bob = await admin.createKey({ name: 'stats-bob' });
  const carol = await admin.createKey({ name: 'stats-carol' }); // no traffic this month

  // Alice: two plain echoes and a stream on the cheap model.
  const aliceMessages = [
    [{ role: 'user', content: 'one two three' }],
    [{ role: 'system', content: 'terse' }, { role: 'user', content: 'four five' }],
    [{ role: 'user', content: 'six seven eight nine' }],
  ];
  for (const [index, messages] of aliceMessages.entries()) {
    const extra = index === 2 ? kStreamWithUsage : {};
    const answer = await chat(stack, alice, { model: cheap.name, messages, ...extra });
    assert.equal(answer.status, 200, answer.text);
  }
  // Bob: a tool call on the dear model and a failed call.
  const tool = await chat(stack, bob, { model: dear.name, messages: [{ role: 'user', content: 'weather?' }] });
  assert.equal(tool.status, 200, tool.text);
  const failed = await chat(stack, bob, { model: gatewayModel('status-500'), messages: [{ role: 'user', content: 'x' }] });
  assert.equal(failed.status, 502, failed.text);
  await waitForThreads(stack, alice, 3);
  await waitForThreads(stack, bob, 2);

  const cheapUsage = aliceMessages.map((messages) => echoUsage(messages));
  const expectedModels = {
    [cheap.name]: {
      requests: 3,
      tokens_in: cheapUsage.reduce((sum, u) => sum + u.prompt_tokens, 0),
      tokens_out: cheapUsage.reduce((sum, u) => sum + u.completion_tokens, 0),
      fee: cheapUsage.reduce((sum, u) => sum + costNanos(u.prompt_tokens, u.completion_tokens, cheap), 0n),
    },
    [dear.name]: {
      requests: 1,
      tokens_in: kToolUsage.prompt_tokens,
      tokens_out: kToolUsage.completion_tokens,
      fee: costNanos(kToolUsage.prompt_tokens, kToolUsage.completion_tokens, dear),
    },
    [gatewayModel('status-500')]: { requests: 1, tokens_in: 0, tokens_out: 0, fee: 0n },
  };
  const totals = Object.values(expectedModels).reduce(
    (sum, m) => ({
      requests: sum.requests + m.requests,
      tokens_in: sum.tokens_in + m.tokens_in,
      tokens_out: sum.tokens_out + m.tokens_out,
      fee: sum.fee + m.fee,
    }),
    { requests: 0, tokens_in: 0, tokens_out: 0, fee: 0n },
  );

  const now = await eventually(
    async () => {
      const stats = await statistics();
      assert.equal(stats.requests_total, totals.requests, JSON.stringify(stats));
      return stats;
    },
    { what: 'statistics count every recorded request' },
  );
  assert.equal(now.keys, start.keys + 3, 'three keys more');
  assert.equal(now.active_keys_this_month, 2, 'Alice and Bob, not Carol');
  for (const period of ['this_month', 'total']) {
    assert.equal(now[`requests_${period}`], totals.requests, `requests_${period} (failed calls included)`);
    assert.equal(now[`tokens_in_${period}`], totals.tokens_in, `tokens_in_${period}`);
    assert.equal(now[`tokens_out_${period}`], totals.tokens_out, `tokens_out_${period}`);
    assert.equal(toNanos(now[`spend_${period}`]), totals.fee, `spend_${period} is ${now[`spend_${period}`]}, expected ${decimal(totals.fee)}`);
    assert.deepEqual(byModel(now[`models_${period}`]), expectedModels, `models_${period}`);
    assertByFee(now[`models_${period}`]);
  }
  // The spend is what the keys were charged (SPEC 7's ledger).
  const keys = await admin.list('/admin/api-key/list', { limit: 1000 });
  assert.equal(sumNanos(keys.items.map((k) => k.total_fee)), totals.fee, 'spend_total = the keys\' total_fee');

  // A later month: this month's numbers start from zero, the totals stay.
  await restartGateway(stack, { env: { LLMGATE_CLOCK_OFFSET: kNextMonthOffset } });
  const later = await statistics();
  assert.notEqual(later.month, now.month, `the month moved on: ${now.month} → ${later.month}`);
  assert.equal(later.keys, now.keys);
  assert.equal(later.active_keys_this_month, 0);
  assert.equal(later.requests_this_month, 0);
  assert.equal(later.tokens_in_this_month, 0);
  assert.equal(later.tokens_out_this_month, 0);
  assert.equal(toNanos(later.spend_this_month), 0n);
  assert.deepEqual(later.models_this_month, []);
  assert.equal(later.requests_total, totals.requests, 'a graceful restart keeps every record');
  assert.equal(toNanos(later.spend_total), totals.fee);
  assert.deepEqual(byModel(later.models_total), expectedModels);

  // Carol's first request of the new month is the month's only one.
  const messages = [{ role: 'user', content: 'new month' }];
  const answer = await chat(stack, carol, { model: cheap.name, messages });
  assert.equal(answer.status, 200, answer.text);
  const usage = echoUsage(messages);
  const fee = costNanos(usage.prompt_tokens, usage.completion_tokens, cheap);
  const last = await eventually(
    async () => {
      const stats = await statistics();
      assert.equal(stats.requests_this_month, 1, JSON.stringify(stats));
      return stats;
    },
    { what: 'the new month counts Carol\'s request' },
  );
  assert.equal(last.active_keys_this_month, 1);
  assert.equal(last.tokens_in_this_month, usage.prompt_tokens);
  assert.equal(last.tokens_out_this_month, usage.completion_tokens);
  assert.equal(toNanos(last.spend_this_month), fee);
  assert.deepEqual(byModel(last.models_this_month), {
    [cheap.name]: { requests: 1, tokens_in: usage.prompt_tokens, tokens_out: usage.completion_tokens, fee },
  });
  assert.equal(last.requests_total, totals.requests + 1);
  assert.equal(toNanos(last.spend_total), totals.fee + fee);
  assert.equal(last.tokens_in_total, totals.tokens_in + usage.prompt_tokens);
  assert.equal(byModel(last.models_total)[cheap.name].requests, 4);
});
