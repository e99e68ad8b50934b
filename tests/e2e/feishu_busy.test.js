// The Feishu bot under load (docs/feishu.md, "Load"): with LLMGATE_FEISHU_MAX_IN_FLIGHT
// messages being answered, the webhook answers 503 without taking a new event, so that
// Feishu sends it again later; once there is room, that resent event is taken and answered.
// A message stays "being answered" while the fake Feishu holds its reply.

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {messageEvent, startFakeFeishu, uniqueId} from '../fakes/feishu_api.js';

import {eventually} from './lib/eventually.js';
import {within} from './lib/expect.js';
import {request} from './lib/http.js';
import {startStack, stopStack} from './lib/stack.js';

const kToken = 'verification-token-busy-3e9a';
const kReplyTimeoutMs = 15_000;

let feishu;
let stack;
let bot;

before(async () => {
  feishu = await startFakeFeishu();
  stack = await startStack(
      {env: {LLMGATE_FEISHU_BASE_URL: feishu.url, LLMGATE_FEISHU_MAX_IN_FLIGHT: '1'}});
  const key = await stack.admin.createKey({name: 'feishu-busy-bot'});
  const appId = 'cli_busy';
  feishu.addApp(appId, `secret-of-${appId}`, {botOpenId: `ou_bot_${appId}`});
  const row = await stack.admin.ok('POST', '/admin/bot/feishu/save', {
    name: appId,
    provider: 'openai-compatible',
    config: {
      appId,
      appSecret: `secret-of-${appId}`,
      modelId: 'gw-echo',
      verificationToken: kToken,
      apiKey: key.api_key,
    },
  });
  bot = {id: row.id, appId};
}, {timeout: 60_000});

after(async () => {
  try {
    await stopStack(stack);
  } finally {
    await feishu?.close();
  }
}, {timeout: 60_000});

function post(event) {
  return request(`${stack.gateway.url}/bot/feishu/${bot.id}/webhook/event`, {
    method: 'POST',
    headers: {'content-type': 'application/json; charset=utf-8'},
    body: JSON.stringify(event),
  });
}

function message(text) {
  return messageEvent({token: kToken, appId: bot.appId, text});
}

function replyTo(event) {
  const id = event.event.message.message_id;
  return within(kReplyTimeoutMs, `the reply to ${id}`, feishu.waitForReply((r) => r.messageId === id));
}

test('beyond the messages in flight the webhook answers 503; the resent event is answered once there is room',
    {timeout: 30_000}, async () => {
      const hold = feishu.holdReplies();
      const firstText = `first ${uniqueId('')}`;
      const first = message(firstText);
      const firstAnswer = await post(first);
      assert.equal(firstAnswer.json?.msg, 'taken', firstAnswer.text);
      // Its reply waits in the fake: the one message allowed is being answered.
      await hold.waitForHeld(first.event.message.message_id);

      const secondText = `second ${uniqueId('')}`;
      const second = message(secondText);
      const busy = await post(second);
      assert.equal(busy.status, 503, busy.text);
      assert.equal(busy.json?.code, 503);
      assert.match(busy.json?.msg, /busy/);

      hold.release();
      assert.equal((await replyTo(first)).text, `echo: ${firstText}`);
      // Feishu sends the refused event again; it was not taken the first time, so it is now
      // (once the first message has finished, which follows its reply).
      await eventually(async () => {
        const again = await post(second);
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json?.msg, 'taken', again.text);
      }, {what: 'the resent event'});
      assert.equal((await replyTo(second)).text, `echo: ${secondText}`);
      assert.equal(feishu.repliesTo(second.event.message.message_id).length, 1);
    });
