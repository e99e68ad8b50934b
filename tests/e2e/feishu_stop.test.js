// A Feishu message still being answered when the gateway's grace period ends (SPEC 7: a
// graceful stop loses nothing): its model call is ended, the request recorded, and the
// reply still goes out before the process exits.

import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';

import {messageEvent, startFakeFeishu, uniqueId} from '../fakes/feishu_api.js';

import {Admin} from './lib/admin.js';
import {startGateway} from './lib/gateway.js';
import {request} from './lib/http.js';
import {gatewayModel, startStack} from './lib/stack.js';

const kToken = 'verification-token-stop-71c2';

let feishu;
let stack;

afterEach(async () => {
  await stack?.gateway.cleanup();
  await stack?.fake.close();
  await feishu?.close();
  stack = undefined;
  feishu = undefined;
}, {timeout: 30_000});

test('the model call of a message being answered at the end of the grace period is ended, recorded and replied to',
    {timeout: 40_000}, async () => {
      feishu = await startFakeFeishu();
      stack = await startStack({env: {LLMGATE_FEISHU_BASE_URL: feishu.url, LLMGATE_SHUTDOWN_GRACE: '1s'}});
      const appId = 'cli_stop';
      feishu.addApp(appId, `secret-of-${appId}`, {botOpenId: `ou_bot_${appId}`});
      const bot = await stack.admin.ok('POST', '/admin/bot/feishu/save', {
        name: appId,
        config: {
          appId,
          appSecret: `secret-of-${appId}`,
          modelId: gatewayModel('hang'),  // never answers
          verificationToken: kToken,
          apiKey: stack.user.api_key,
        },
      });
      const text = `outlasts the grace period ${uniqueId('')}`;
      const event = messageEvent({token: kToken, appId, text});
      const taken = await request(`${stack.gateway.url}/bot/feishu/${bot.id}/webhook/event`, {
        method: 'POST',
        headers: {'content-type': 'application/json; charset=utf-8'},
        body: JSON.stringify(event),
      });
      assert.equal(taken.json?.msg, 'taken', taken.text);
      await stack.fake.waitForRequest((r) => r.body?.messages?.at(-1)?.content === text);

      const {code} = await stack.gateway.signalAndWait('SIGTERM');
      assert.equal(code, 0, stack.gateway.tail());
      assert.match(stack.gateway.tail(), /Feishu messages being answered; ending their model calls/);
      // The reply went out before the exit.
      const reply = feishu.replies.find((r) => r.messageId === event.event.message.message_id);
      assert.ok(reply, `no reply was sent; output:\n${stack.gateway.tail()}`);

      // Started again on the same database: the request was recorded, cancelled.
      stack.gateway = await startGateway({reuse: stack.gateway});
      const admin = new Admin(stack.gateway.url, stack.gateway.adminKey);
      const threads = await admin.list('/admin/thread/list', {q: text});
      assert.equal(threads.total, 1);
      assert.equal(threads.items[0].status, 'cancelled');
    });
