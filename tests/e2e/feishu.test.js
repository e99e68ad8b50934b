// The Feishu bot (SPEC 10, issue 7): POST /bot/feishu/{bot id}/webhook/event driven with
// events built, encrypted and signed as Feishu builds them, against a fake Feishu Open API
// (../fakes/feishu_api.js: token, bot info and reply endpoints) and the fake OpenAI
// upstream's `echo` model, which answers "echo: <last user text>".
//
// Replies happen after the webhook has answered, so tests await them through the fake
// (`waitForReply`), never a timer. That an event was *not* processed shows in two ways: the
// webhook's own answer says what became of it ("taken", "duplicate", "ignored: ..."), and a
// later message to the same bot (`settle`) is answered while the refused one still has no
// reply and never reached the model. Refused requests are also sent again correctly
// afterwards and answered once: a refused attempt claimed nothing.

import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, test} from 'node:test';

import {encryptBody, messageEvent, signature, startFakeFeishu, uniqueId} from '../fakes/feishu_api.js';
import {echoReply} from '../fakes/openai_upstream.js';

import {querySqlite} from './lib/database.js';
import {eventually} from './lib/eventually.js';
import {assertAdminError, within} from './lib/expect.js';
import {request} from './lib/http.js';
import {toNanos} from './lib/money.js';
import {restartGateway, startStack, stopStack} from './lib/stack.js';

const kToken = 'verification-token-e2e-7c1f';
const kEncryptKey = 'encrypt-key-e2e-5b0d9e';
const kReplyTimeoutMs = 15_000;

let feishu;
let stack;
let botKey;
let brokeKey;
const bots = {};

before(async () => {
  feishu = await startFakeFeishu();
  stack = await startStack({env: {LLMGATE_FEISHU_BASE_URL: feishu.url}});
  botKey = await stack.admin.createKey({name: 'feishu-bot'});
  brokeKey = await stack.admin.createKey({name: 'feishu-broke', month_quota: 0, balance: 0});
  bots.plain = await saveBot('cli_plain', {verificationToken: kToken, apiKey: botKey.api_key});
  bots.encrypted = await saveBot('cli_encrypted', {
    verificationToken: kToken,
    encryptKey: kEncryptKey,
    apiKey: botKey.api_key,
  });
  bots.broke = await saveBot('cli_broke', {verificationToken: kToken, apiKey: brokeKey.api_key});
  bots.unprotected = await saveBot('cli_unprotected', {apiKey: botKey.api_key});
}, {timeout: 60_000});

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await feishu?.close();
  }
}, {timeout: 60_000});

/** Registers the app with the fake Feishu and the bot with the gateway. */
async function saveBot(appId, config) {
  const appSecret = `secret-of-${appId}`;
  const botOpenId = `ou_bot_${appId}`;
  feishu.addApp(appId, appSecret, {botOpenId});
  const row = await stack.admin.ok('POST', '/admin/bot/feishu/save', {
    name: appId,
    provider: 'openai-compatible',
    config: {appId, appSecret, modelId: 'gw-echo', ...config},
  });
  return {id: row.id, appId, botOpenId, ...config};
}

function webhookUrl(bot) {
  return `${stack.gateway.url}/bot/feishu/${bot.id}/webhook/event`;
}

/**
 * Posts `payload` to the bot's webhook as Feishu would: encrypted and signed when the bot
 * has an encryptKey. Options: `raw` (send this text as is), `encryptWith` / `signWith`
 * (other keys), `unsigned`, `tamper` (change the body after signing).
 */
function post(bot, payload, {raw, encryptWith, signWith, unsigned = false, tamper} = {}) {
  const encryptKey = encryptWith ?? bot.encryptKey;
  let body = raw ?? JSON.stringify(encryptKey ? encryptBody(encryptKey, payload) : payload);
  const headers = {'content-type': 'application/json; charset=utf-8'};
  const signKey = signWith ?? bot.encryptKey;
  if (signKey && !unsigned) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = signature(timestamp, nonce, signKey, body);
  }
  if (tamper) body = tamper(body);
  return request(webhookUrl(bot), {method: 'POST', headers, body});
}

/** An event for `bot` (its token and app id) with `fields` for messageEvent. */
function eventFor(bot, fields = {}) {
  return messageEvent({token: bot.verificationToken, appId: bot.appId, ...fields});
}

function messageIdOf(event) {
  return event.event.message.message_id;
}

/** Posts an event that must be taken (200, "taken"). */
async function postTaken(bot, event, options) {
  const answer = await post(bot, event, options);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.json?.msg, 'taken', answer.text);
  return answer;
}

function replyTo(event, what = 'the reply') {
  const id = messageIdOf(event);
  return within(
      kReplyTimeoutMs, `${what} to ${id}`, feishu.waitForReply((r) => r.messageId === id));
}

/** What the fake upstream model was asked with `text` as the last user message. */
function modelRequestsFor(text) {
  return stack.fake.requests.filter((r) => r.body?.messages?.at(-1)?.content === text);
}

/**
 * A fresh p2p message to `bot`, answered: everything the bot was handed before has had
 * its turn by then (the refused or dropped events of a test would have been answered too).
 */
async function settle(bot = bots.plain) {
  const marker = eventFor(bot, {text: `marker ${uniqueId('')}`});
  await postTaken(bot, marker);
  await replyTo(marker, 'the marker reply');
}

async function keyRow(key) {
  return stack.admin.ok('GET', `/admin/api-key/detail/${key.id}`);
}

test(
    'url_verification: the challenge comes back; a wrong token, an unknown bot or an unprotected bot is refused',
    {timeout: 30_000}, async () => {
      const challenge = {
        challenge: uniqueId('challenge-'),
        token: kToken,
        type: 'url_verification'
      };
      const plain = await post(bots.plain, challenge);
      assert.equal(plain.status, 200, plain.text);
      assert.deepEqual(plain.json, {challenge: challenge.challenge});

      // Feishu encrypts the handshake of an app with an Encrypt Key (and does not sign it).
      const encrypted = await post(bots.encrypted, challenge, {unsigned: true});
      assert.equal(encrypted.status, 200, encrypted.text);
      assert.deepEqual(encrypted.json, {challenge: challenge.challenge});

      assertAdminError(
          await post(bots.plain, {...challenge, token: 'wrong'}), 401, {message: /token/});
      assertAdminError(
          await post(bots.encrypted, challenge, {encryptWith: 'another key', unsigned: true}), 401,
          {
            message: /decrypt/,
          });
      assertAdminError(
          await post(bots.unprotected, challenge), 401, {message: /verificationToken/});
      assertAdminError(await post({id: 999_999}, challenge), 404);
      assertAdminError(await post({id: 'abc'}, challenge), 404);
      assertAdminError(await post(bots.plain, null, {raw: '{"not json'}), 400);
    });

test(
    'a p2p message is answered once with the model\'s text, also when Feishu resends it',
    {timeout: 30_000}, async () => {
      const text = `what is the capital of France? ${uniqueId('')}`;
      const event = eventFor(bots.plain, {text});
      await postTaken(bots.plain, event);
      const reply = await replyTo(event);
      assert.equal(reply.text, `echo: ${text}`);
      assert.equal(reply.appId, bots.plain.appId);
      assert.equal(reply.msgType, 'text');
      assert.match(reply.uuid ?? '', /^[0-9a-f]{32}$/, 'a uuid makes Feishu drop a repeated reply');

      const [asked] = modelRequestsFor(text);
      assert.equal(asked.body.model, 'echo', 'the bot\'s modelId gw-echo is the upstream\'s echo');
      assert.deepEqual(
          asked.body.messages, [{role: 'user', content: text}], 'a new chat has no context');

      // Feishu resends: the same event, and a new event for the same message.
      for (const resent of [event, {...event, header: {...event.header, event_id: uniqueId('')}}]) {
        const answer = await post(bots.plain, resent);
        assert.equal(answer.status, 200, answer.text);
        assert.match(answer.json?.msg ?? '', /^duplicate/, answer.text);
      }
      await settle();
      assert.equal(feishu.repliesTo(messageIdOf(event)).length, 1);
      assert.equal(modelRequestsFor(text).length, 1);
    });

test(
    'an event older than the ids the bot keeps (7 days) is ignored: it could be a replay',
    {timeout: 30_000}, async () => {
      const kDayMs = 24 * 3600 * 1000;
      const replayed = `replayed ${uniqueId('')}`;
      const old = eventFor(bots.encrypted, {text: replayed});
      old.header.create_time = String(Date.now() - 8 * kDayMs);
      const answer = await post(bots.encrypted, old);
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.json?.msg ?? '', /^ignored: the event was created 8 days ago/, answer.text);

      // Six days old is within what is kept (and so would be caught as a duplicate): taken.
      const recent = eventFor(bots.encrypted, {text: `six days late ${uniqueId('')}`});
      recent.header.create_time = String(Date.now() - 6 * kDayMs);
      await postTaken(bots.encrypted, recent);
      await replyTo(recent);
      await settle();
      assert.equal(feishu.repliesTo(messageIdOf(old)).length, 0);
      assert.equal(modelRequestsFor(replayed).length, 0);
    });

test(
    'the tenant access token is cached, and fetched again when Feishu refuses it',
    {timeout: 30_000}, async () => {
      await settle();
      const before = feishu.tokenCalls(bots.plain.appId);
      assert.ok(before >= 1);
      await settle();
      await settle();
      assert.equal(feishu.tokenCalls(bots.plain.appId), before, 'replies reuse the cached token');

      feishu.failRepliesWithInvalidToken(1);
      const event = eventFor(bots.plain, {text: `after a token expired ${uniqueId('')}`});
      await postTaken(bots.plain, event);
      await replyTo(event);
      assert.equal(
          feishu.tokenCalls(bots.plain.appId), before + 1, 'one new token after code 99991663');
      assert.equal(feishu.repliesTo(messageIdOf(event)).length, 1);
    });

test(
    'a reply that fails with a server error or the rate limit is sent again with its uuid, and arrives once',
    {timeout: 30_000}, async () => {
      await settle();
      feishu.failRepliesWith({status: 503, code: 1}, {status: 400, code: 99991400});
      const text = `answered on the third try ${uniqueId('')}`;
      const event = eventFor(bots.plain, {text});
      await postTaken(bots.plain, event);
      const reply = await replyTo(event);
      assert.equal(reply.text, `echo: ${text}`);
      const attempts = feishu.replyAttemptsTo(messageIdOf(event));
      assert.equal(attempts.length, 3);
      assert.ok(attempts[0].uuid);
      for (const attempt of attempts) assert.equal(attempt.uuid, attempts[0].uuid);
      assert.equal(feishu.repliesTo(messageIdOf(event)).length, 1);
      assert.equal(modelRequestsFor(text).length, 1, 'the model is asked once');
    });

test('an encrypted, signed event is decrypted and answered', {timeout: 30_000}, async () => {
  const text = `encrypted question ${uniqueId('')}`;
  const event = eventFor(bots.encrypted, {text});
  await postTaken(bots.encrypted, event);
  const reply = await replyTo(event);
  assert.equal(reply.text, `echo: ${text}`);
  assert.equal(reply.appId, bots.encrypted.appId);
});

test(
    'a bad signature or token is refused with 401 and nothing is processed', {timeout: 30_000},
    async () => {
      const text = `refused first ${uniqueId('')}`;
      const event = eventFor(bots.encrypted, {text});
      const refusals = [
        [
          await post(bots.encrypted, event, {signWith: 'not the encrypt key'}), /Signature is wrong/
        ],
        [await post(bots.encrypted, event, {unsigned: true}), /Signature is missing/],
        // Signed, then swapped for another encryption of the same event.
        [
          await post(
              bots.encrypted, event,
              {tamper: () => JSON.stringify(encryptBody(kEncryptKey, event))}),
          /Signature is wrong/,
        ],
        [
          await post(bots.encrypted, event, {encryptWith: 'another key', signWith: kEncryptKey}),
          /decrypt/
        ],
        // What another key's decryption gives once in 256 tries (the padding passes): bytes
        // that are no JSON object. Refused as the wrong key too.
        [await post(bots.encrypted, 'plain text, not an event'), /decrypt/],
        [
          await post(bots.encrypted, {...event, header: {...event.header, token: 'wrong'}}), /token/
        ],
      ];
      for (const [refusal, message] of refusals) assertAdminError(refusal, 401, {message});
      const wrongToken =
          eventFor(bots.plain, {text: `wrong token ${uniqueId('')}`, token: 'wrong'});
      assertAdminError(await post(bots.plain, wrongToken), 401, {message: /token/});

      await settle(bots.encrypted);
      assert.equal(feishu.repliesTo(messageIdOf(event)).length, 0);
      assert.equal(modelRequestsFor(text).length, 0);

      // The same event sent properly is new to the gateway: the refusals claimed nothing.
      await postTaken(bots.encrypted, event);
      assert.equal((await replyTo(event)).text, `echo: ${text}`);
      assert.equal(modelRequestsFor(text).length, 1);
    });

test(
    'group messages: answered only when the bot is mentioned, without the mention',
    {timeout: 30_000}, async () => {
      const chatId = uniqueId('oc_group_');
      const bot = {key: '@_user_1', name: 'llmgate', openId: bots.plain.botOpenId};
      const alice = {key: '@_user_2', name: 'Alice', openId: 'ou_alice'};

      const unmentioned =
          eventFor(bots.plain, {chatId, chatType: 'group', text: `lunch? ${uniqueId('')}`});
      const ignored = await post(bots.plain, unmentioned);
      assert.equal(ignored.status, 200, ignored.text);
      assert.match(ignored.json?.msg ?? '', /^ignored/, ignored.text);

      const othersOnly = eventFor(bots.plain, {
        chatId,
        chatType: 'group',
        text: `@_user_2 can you review ${uniqueId('')}`,
        mentions: [alice],
      });
      await postTaken(bots.plain, othersOnly);

      const question = `summarise the plan ${uniqueId('')}`;
      const mentioned = eventFor(bots.plain, {
        chatId,
        chatType: 'group',
        text: `@_user_1 ${question} with @_user_2`,
        mentions: [bot, alice],
      });
      await postTaken(bots.plain, mentioned);
      const reply = await replyTo(mentioned);
      assert.equal(reply.text, `echo: ${question} with @Alice`);

      await settle();
      assert.equal(feishu.repliesTo(messageIdOf(unmentioned)).length, 0);
      assert.equal(feishu.repliesTo(messageIdOf(othersOnly)).length, 0);
      assert.equal(modelRequestsFor(unmentioned.event.message.content).length, 0);
    });

test(
    'a message that is not text is answered with a note, without a model call', {timeout: 30_000},
    async () => {
      const event = eventFor(
          bots.plain, {messageType: 'image', content: JSON.stringify({image_key: 'img_v2_1'})});
      await postTaken(bots.plain, event);
      const reply = await replyTo(event);
      assert.match(reply.text, /only read text/);
    });

test(
    'a key out of money is answered in the chat with a short error message', {timeout: 30_000},
    async () => {
      const text = `am I broke? ${uniqueId('')}`;
      const event = eventFor(bots.broke, {text});
      await postTaken(bots.broke, event);
      const reply = await replyTo(event);
      assert.match(reply.text, /no money left/);
      assert.match(reply.text, /recharge/);
      assert.ok(reply.text.length < 300, `a short message: ${reply.text}`);
      assert.equal(modelRequestsFor(text).length, 0, 'a refused key never reaches the model');
    });

test(
    'the bot\'s key is charged and each turn recorded in the chat\'s session, earlier turns sent as context',
    {timeout: 60_000}, async () => {
      await settle();
      const totalBefore = toNanos((await keyRow(botKey)).total_fee);
      const chatId = uniqueId('oc_session_');
      const first = `first question ${uniqueId('')}`;
      const second = `second question ${uniqueId('')}`;

      const firstEvent = eventFor(bots.plain, {chatId, text: first});
      await postTaken(bots.plain, firstEvent);
      assert.equal((await replyTo(firstEvent)).text, `echo: ${first}`);
      // Records are written after the answer; the next turn reads the first as context.
      const firstThread = await findThread(first);

      const secondEvent = eventFor(bots.plain, {chatId, text: second});
      await postTaken(bots.plain, secondEvent);
      assert.equal((await replyTo(secondEvent)).text, `echo: ${second}`);
      const [asked] = modelRequestsFor(second);
      assert.deepEqual(asked.body.messages, [
        {role: 'user', content: first},
        {role: 'assistant', content: echoReply([{role: 'user', content: first}])},
        {role: 'user', content: second},
      ]);
      const secondThread = await findThread(second);

      assert.equal(secondThread.session_id, firstThread.session_id, 'one chat, one session');
      assert.equal(secondThread.model, 'gw-echo');
      assert.equal(secondThread.status, 'ok');
      const session =
          await stack.admin.ok('GET', `/admin/session/detail/${firstThread.session_id}`);
      assert.equal(session.key_id, botKey.id);
      assert.deepEqual(session.threads.map((t) => t.prompt), [first, second]);
      const stored = querySqlite(
          stack.gateway.databaseUrl,
          `SELECT session_key FROM sessions WHERE id = ${Number(firstThread.session_id)}`);
      if (stored !== undefined) assert.deepEqual(stored, [{session_key: `h:feishu:${chatId}`}]);

      // Charged like a /v1 request: the key's total_fee grew by exactly the two threads' fees.
      const fees = toNanos(firstThread.fee) + toNanos(secondThread.fee);
      assert.ok(fees > 0n, 'gw-echo has prices');
      assert.equal(toNanos((await keyRow(botKey)).total_fee) - totalBefore, fees);
    });

/**
 * The recorded thread of the bot's key whose prompt is `prompt` (records land after the answer).
 */
function findThread(prompt) {
  return eventually(
      async () => {
        const page =
            await stack.admin.ok('GET', `/admin/thread/list?key_id=${botKey.id}&limit=1000`);
        const thread = page.items.find((t) => t.prompt === prompt);
        assert.ok(thread, `no thread with prompt ${JSON.stringify(prompt)} yet`);
        return thread;
      },
      {what: `the thread of ${JSON.stringify(prompt)}`},
  );
}

test(
    'after a restart, a resent event is still not processed twice', {timeout: 60_000}, async () => {
      const text = `before the restart ${uniqueId('')}`;
      const event = eventFor(bots.plain, {text});
      await postTaken(bots.plain, event);
      await replyTo(event);

      await restartGateway(stack);
      const answer = await post(bots.plain, event);
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.json?.msg ?? '', /^duplicate/, answer.text);
      await settle();
      assert.equal(feishu.repliesTo(messageIdOf(event)).length, 1);
      assert.equal(modelRequestsFor(text).length, 1);
    });
