// Two gateways on one PostgreSQL database (SPEC 11): what an admin changes on one applies
// on the other within a second (LISTEN/NOTIFY), quotas hold across both, their records land
// in the same tables, and a gateway cut off its database says so (503) and recovers by
// itself. Only with PostgreSQL (`make test` runs every suite a second time on it); skipped
// on SQLite, where one gateway owns its database.
//
// "Within a second" is measured from the admin's answer on one gateway to the first answer
// on the other that shows the change; the other gateway is asked again every few
// milliseconds meanwhile.

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import OpenAI from 'openai';

import {Admin} from './lib/admin.js';
import {onPostgres, postgresDatabaseName, postgresSql} from './lib/database.js';
import {eventually} from './lib/eventually.js';
import {startGateway} from './lib/gateway.js';
import {request} from './lib/http.js';
import {costNanos, decimal, toNanos} from './lib/money.js';
import {chat, uniqueWord} from './lib/records.js';
import {gatewayModel, kDefaultGroupId, kUpstreamApiKey, openaiClient, startStack, stopStack, uniquePrompt,} from './lib/stack.js';

const skip = onPostgres() ?
    false :
    'needs PostgreSQL: LLMGATE_TEST_DATABASE_URL_TEMPLATE=postgresql://... (make test sets it)';
const kPropagationMs = 1000;
const kPollMs = 10;

let stack;    // gateway A, with the fake upstream and the models
let replica;  // gateway B on the same database
let adminB;

before(async () => {
  if (skip) return;
  stack = await startStack();
  try {
    replica = await startGateway({share: stack.gateway});
  } catch (error) {
    await stopStack(stack);
    throw error;
  }
  adminB = new Admin(replica.url, replica.adminKey);
}, {timeout: 60_000});

after(async () => {
  if (skip) return;
  try {
    await replica?.stop();
  } finally {
    await stopStack(stack);
  }
}, {timeout: 60_000});

/**
 * Asks `probe` again and again until it resolves true; fails unless that happens within a
 * second. Resolves with the milliseconds it took.
 */
async function withinASecond(what, probe) {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    const elapsed = performance.now() - started;
    if (elapsed > kPropagationMs) {
      assert.fail(`${what}: not within ${kPropagationMs} ms (${Math.round(elapsed)} ms so far)`);
    }
    await delay(kPollMs);
  }
}

/**
 * Asks `probe` every few milliseconds until it resolves true; fails after `ms`. For what
 * takes a gateway a moment, such as reopening its connections once the database is back
 * (tried at most once a second per connection).
 */
async function within(ms, what, probe) {
  const started = performance.now();
  let last;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (performance.now() - started > ms) {
      assert.fail(`${what}: not within ${ms} ms${last ? `: ${last.message}` : ''}`);
    }
    await delay(kPollMs);
  }
}

/** The status of GET /v1/models on `gateway` with `apiKey`. */
async function modelsStatus(gateway, apiKey) {
  return (await request(`${gateway.url}/v1/models`, {key: apiKey})).status;
}

/** A non-stream chat through `gateway`; resolves with {status, json, text}. */
function chatOn(gateway, key, model, {sessionId, prompt = uniquePrompt('replicas')} = {}) {
  return chat({gateway}, key, {model, messages: [{role: 'user', content: prompt}]}, {sessionId});
}

test(
    'a key created on one gateway works on the other within a second', {skip, timeout: 20_000},
    async () => {
      const key = await stack.admin.createKey({name: `replica-new-${uniqueWord()}`});
      await withinASecond('the new key is accepted by gateway B', async () => {
        const status = await modelsStatus(replica, key.api_key);
        assert.ok(status === 200 || status === 401, `GET /v1/models answered ${status}`);
        return status === 200;
      });
      const answer = await chatOn(replica, key, gatewayModel('echo'));
      assert.equal(answer.status, 200, answer.text);
      // And the other way round: B's admin writes reach A.
      const other = await adminB.createKey({name: `replica-new-b-${uniqueWord()}`});
      await withinASecond('the key created on B is accepted by gateway A', async () => {
        return (await modelsStatus(stack.gateway, other.api_key)) === 200;
      });
    });

test(
    'a key deleted on one gateway is refused by the other within a second', {skip, timeout: 20_000},
    async () => {
      const key = await stack.admin.createKey({name: `replica-doomed-${uniqueWord()}`});
      await withinASecond('the key is accepted by gateway B', async () => {
        return (await modelsStatus(replica, key.api_key)) === 200;
      });
      await stack.admin.ok('POST', '/admin/api-key/delete', {id: key.id});
      await withinASecond('the deleted key is refused by gateway B', async () => {
        const status = await modelsStatus(replica, key.api_key);
        assert.ok(status === 200 || status === 401, `GET /v1/models answered ${status}`);
        return status === 401;
      });
      const refused = await chatOn(replica, key, gatewayModel('echo'));
      assert.equal(refused.status, 401, refused.text);
    });

test('a grant revoked on one gateway applies on the other', {skip, timeout: 20_000}, async () => {
  const group =
      await stack.admin.ok('POST', '/admin/group/save', {name: `replicas-${uniqueWord()}`});
  const model = await stack.admin.saveModel({
    name: `replicas-echo-${uniqueWord()}`,
    config: {baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo'},
    group_id: group.id,
  });
  const key =
      await stack.admin.createKey({name: `replica-member-${uniqueWord()}`, group_id: group.id});
  await withinASecond('the member may use the model on gateway B', async () => {
    return (await chatOn(replica, key, model.name)).status === 200;
  });

  await stack.admin.ok(
      'POST', '/admin/group/deauthorize-model', {group_id: group.id, model_id: model.id});
  await withinASecond('the revoked grant applies on gateway B', async () => {
    const answer = await chatOn(replica, key, model.name);
    assert.ok(answer.status === 200 || answer.status === 403, `${answer.status}: ${answer.text}`);
    return answer.status === 403;
  });
  const listed = await request(`${replica.url}/v1/models`, {key: key.api_key});
  assert.equal(listed.json.data.some((entry) => entry.id === model.name), false);

  // A grant made on B applies on A.
  await adminB.ok('POST', '/admin/api-key/authorize-model', {key_id: key.id, model_id: model.id});
  await withinASecond('the grant made on B applies on gateway A', async () => {
    return (await chatOn(stack.gateway, key, model.name)).status === 200;
  });
});

test(
    '50 concurrent requests over both gateways pass a key with money for 5 by at most one request',
    {skip, timeout: 60_000}, async () => {
      // The gated stream reports 3 prompt and 6 completion tokens; price_in 0 and max_tokens 6
      // make the worst case the admission reserves equal to the real cost.
      const model = await stack.admin.saveModel({
        name: `replicas-gated-${uniqueWord()}`,
        config: {baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'gated'},
        price_in: 0,
        price_out: 1000,
        group_id: kDefaultGroupId,
      });
      const cost = costNanos(3, 6, model);
      assert.equal(cost, 6_000_000n);
      const money = 5n * cost;
      const key = await stack.admin.createKey({
        name: `replica-money-${uniqueWord()}`,
        month_quota: 0,
        balance: decimal(money),
      });
      const clients =
          [openaiClient(stack.gateway, key.api_key), openaiClient(replica, key.api_key)];
      await withinASecond('the key and model reached gateway B', async () => {
        return (await modelsStatus(replica, key.api_key)) === 200;
      });

      // Every admitted stream waits at the fake's gate after its first chunk, so all admitted
      // requests are in flight together; refused ones reject with 402.
      const outcomes = await Promise.allSettled(
          Array.from(
              {length: 50},
              (_, index) => clients[index % 2].chat.completions.create({
                model: model.name,
                messages: [{role: 'user', content: uniquePrompt(`replicas concurrent ${index}`)}],
                stream: true,
                max_tokens: 6,
              }),
              ),
      );
      const admitted = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        const error = outcome.reason;
        assert.ok(
            error instanceof OpenAI.APIError, `expected an APIError, got ${error?.stack ?? error}`);
        assert.equal(error.status, 402, error.message);
        assert.equal(error.code, 'insufficient_quota', error.message);
      }
      assert.ok(admitted.length >= 1, 'some requests were admitted');
      assert.ok(admitted.length <= 6, `${admitted.length} requests were admitted with money for 5`);
      // Reservations of exactly the real cost: admitted while reserved < money, i.e. 5.
      assert.equal(admitted.length, 5, 'admitted while money was left after every reservation');

      stack.fake.openGate();
      for (const stream of admitted) {
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        assert.equal(text, 'part0 part1 part2 part3 part4 part5 ');
      }
      const row = await adminB.get(`/admin/api-key/detail/${key.id}`);
      const spent = toNanos(row.total_fee);
      assert.equal(spent, BigInt(admitted.length) * cost, 'every admitted request was charged');
      assert.ok(
          spent - money <= cost,
          `spend ${decimal(spent)} passes ${decimal(money)} by more than one request`);
      assert.equal(toNanos(row.balance), money - spent);
      // Every reservation was released: nothing is left, so both gateways refuse now.
      for (const client of clients) {
        await assert.rejects(
            client.chat.completions.create({
              model: model.name,
              messages: [{role: 'user', content: 'one more'}],
              max_tokens: 6,
            }),
            (error) => error instanceof OpenAI.APIError && error.status === 402,
        );
      }
    });

test(
    'threads from both gateways land in one session (Session-Id)', {skip, timeout: 30_000},
    async () => {
      const model = await stack.admin.saveModel({
        name: `replicas-priced-${uniqueWord()}`,
        config: {baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo'},
        price_in: 0.37,
        price_out: 1.9,
        group_id: kDefaultGroupId,
      });
      const key = await stack.admin.createKey({name: `replica-records-${uniqueWord()}`});
      await withinASecond('the key reached gateway B', async () => {
        return (await modelsStatus(replica, key.api_key)) === 200;
      });
      const sessionId = `replicas-${uniqueWord()}`;
      for (const gateway of [stack.gateway, replica, stack.gateway, replica]) {
        const answer = await chatOn(gateway, key, model.name, {sessionId});
        assert.equal(answer.status, 200, answer.text);
      }
      const session = await eventually(
          async () => {
            const page = await adminB.list('/admin/session/list', {key_id: key.id});
            assert.equal(page.total, 1, `sessions: ${JSON.stringify(page.items)}`);
            assert.equal(page.items[0].thread_count, 4);
            return page.items[0];
          },
          {what: 'one session with the four threads of both gateways'},
      );
      const detail = await stack.admin.get(`/admin/session/detail/${session.id}`);
      assert.equal(detail.threads.length, 4);
      const fees = detail.threads.reduce((sum, thread) => sum + toNanos(thread.fee), 0n);
      assert.equal(toNanos(session.total_fee), fees, 'the session total is the sum of its threads');
      const row = await stack.admin.get(`/admin/api-key/detail/${key.id}`);
      assert.equal(toNanos(row.total_fee), fees, 'both gateways charged the key');
    });

test(
    'a gateway cut off its database answers 503 on /readyz, refuses what needs it, and recovers',
    {skip, timeout: 60_000}, async () => {
      const free = await stack.admin.saveModel({
        name: `replicas-free-${uniqueWord()}`,
        config: {baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo'},
        price_in: 0,
        price_out: 0,
        group_id: kDefaultGroupId,
      });
      const key = await stack.admin.createKey({name: `replica-outage-${uniqueWord()}`});
      await withinASecond('the key and model reached gateway B', async () => {
        return (await chatOn(replica, key, free.name)).status === 200;
      });
      const database = postgresDatabaseName(replica.databaseUrl);
      const cutOff = () => {
        postgresSql(replica.databaseUrl, `ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
        postgresSql(
            replica.databaseUrl,
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`,
        );
      };
      const restore = () =>
          postgresSql(replica.databaseUrl, `ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);

      cutOff();
      try {
        await eventually(
            async () => {
              const ready = await request(`${replica.url}/readyz`);
              assert.equal(ready.status, 503, ready.text);
            },
            {what: '/readyz answers 503 without the database'},
        );
        // Liveness is not readiness: the process is fine.
        assert.equal((await request(`${replica.url}/healthz`)).status, 200);
        // What needs the database is refused clearly: a priced request cannot reserve its cost,
        // an admin write cannot be stored.
        const priced = await chatOn(replica, key, gatewayModel('echo'));
        assert.equal(priced.status, 503, priced.text);
        assert.equal(priced.json?.error?.code, 'database_unavailable', priced.text);
        assert.match(priced.json.error.message, /database/);
        const write =
            await adminB.call('POST', '/admin/group/save', {name: `outage-${uniqueWord()}`});
        assert.equal(write.status, 503, write.text);
        assert.match(write.json?.error?.message ?? '', /database is unavailable/, write.text);
        // What it safely can, it still serves: keys and models are in memory, a free model
        // needs no money.
        const answer = await chatOn(replica, key, free.name);
        assert.equal(answer.status, 200, answer.text);
      } finally {
        restore();
      }

      await within(10_000, '/readyz answers 200 again once the database is back', async () => {
        return (await request(`${replica.url}/readyz`)).status === 200;
      });
      // Each of its connections is reopened on its next use, at most once a second.
      await within(10_000, 'a priced request is admitted again', async () => {
        const answer = await chatOn(replica, key, gatewayModel('echo'));
        assert.ok(
            answer.status === 200 || answer.status === 503, `${answer.status}: ${answer.text}`);
        return answer.status === 200;
      });
      // The change watch reconnected too: a change on A reaches B again.
      const later = await stack.admin.createKey({name: `replica-after-${uniqueWord()}`});
      await within(10_000, 'a key created after the outage reaches gateway B', async () => {
        return (await modelsStatus(replica, later.api_key)) === 200;
      });
    });
