// A fake Feishu (Lark) Open API for the end-to-end tests, and the Feishu side of the
// webhook: building, encrypting and signing events the way Feishu posts them.
//
// It serves, on 127.0.0.1 (port 0), what the gateway's bot calls:
//
//   POST /open-apis/auth/v3/tenant_access_token/internal  {app_id, app_secret}
//        -> {code: 0, tenant_access_token: "t-...", expire: 7200}; a wrong secret -> code 10014
//   GET  /open-apis/bot/v3/info                            -> {code: 0, bot: {open_id, app_name}}
//   POST /open-apis/im/v1/messages/:message_id/reply       {content, msg_type, uuid}
//        -> {code: 0, data: {message_id: "om_reply_N", ...}}
//
// Calls with a missing or unknown token get HTTP 400 with code 99991663 ("Invalid access
// token"), as Feishu answers. `failRepliesWithInvalidToken(n)` makes the next n replies
// fail that way (and revokes the token used), as when a token expires early.
//
// API:
//   const feishu = await startFakeFeishu();
//   feishu.url                          the gateway's LLMGATE_FEISHU_BASE_URL
//   feishu.addApp(appId, appSecret, {botOpenId})
//   feishu.tokenCalls(appId)            how many tokens the app asked for
//   feishu.replies                      every reply: {messageId, appId, msgType, text, uuid,
//                                       content, receivedAt}
//   feishu.repliesTo(messageId)         the replies to one message
//   await feishu.waitForReply(pred)     resolves with the first reply matching pred (one
//                                       already received, or the next one)
//   feishu.failRepliesWithInvalidToken(n = 1, code = 99991663)
//   await feishu.close()
//
// Feishu side (pure functions):
//   messageEvent({...})                 an im.message.receive_v1 event, schema 2.0
//   encryptBody(encryptKey, event)      {"encrypt": base64(iv + AES-256-CBC(json))}
//   signature(timestamp, nonce, encryptKey, body)

import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';

export const kInvalidTokenCode = 99991663;
const kTokenLifetimeSeconds = 7200;

let eventCounter = 0;

/** A fresh id in Feishu's style, e.g. uniqueId('om_') -> "om_5f3c...". */
export function uniqueId(prefix) {
  eventCounter += 1;
  return `${prefix}${process.pid.toString(16)}${eventCounter.toString(16)}${randomBytes(8).toString('hex')}`;
}

/**
 * An im.message.receive_v1 event as Feishu posts it (schema 2.0). `mentions` are
 * [{key, name, openId}]; the text carries their keys ("@_user_1 hello").
 */
export function messageEvent({
  token,
  appId = 'cli_fake',
  eventId = uniqueId(''),
  messageId = uniqueId('om_'),
  chatId = uniqueId('oc_'),
  chatType = 'p2p',
  messageType = 'text',
  text = 'hello',
  content,
  mentions = [],
  senderType = 'user',
}) {
  const message = {
    message_id: messageId,
    root_id: '',
    parent_id: '',
    create_time: String(Date.now()),
    chat_id: chatId,
    chat_type: chatType,
    message_type: messageType,
    content: content ?? JSON.stringify({ text }),
  };
  if (mentions.length > 0) {
    message.mentions = mentions.map(({ key, name, openId }) => ({
      key,
      id: { union_id: `on_${openId}`, user_id: `u_${openId}`, open_id: openId },
      name,
      tenant_key: 'tenant_fake',
    }));
  }
  return {
    schema: '2.0',
    header: {
      event_id: eventId,
      event_type: 'im.message.receive_v1',
      create_time: String(Date.now()),
      token,
      app_id: appId,
      tenant_key: 'tenant_fake',
    },
    event: {
      sender: {
        sender_id: { union_id: 'on_sender', user_id: 'u_sender', open_id: 'ou_sender' },
        sender_type: senderType,
        tenant_key: 'tenant_fake',
      },
      message,
    },
  };
}

/** The body Feishu sends for an app with an Encrypt Key. */
export function encryptBody(encryptKey, event, iv = randomBytes(16)) {
  const key = createHash('sha256').update(encryptKey).digest();
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const plain = typeof event === 'string' ? event : JSON.stringify(event);
  const data = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]);
  return { encrypt: data.toString('base64') };
}

/** X-Lark-Signature: hex SHA-256 of timestamp + nonce + encrypt key + the raw body. */
export function signature(timestamp, nonce, encryptKey, body) {
  return createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex');
}

function sendJson(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeFeishu() {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const apps = new Map(); // appId -> {secret, botOpenId, name}
  const tokens = new Map(); // token -> appId
  const tokenCallCounts = new Map();
  const replies = [];
  const sockets = new Set();
  let failReplies = 0;
  let failCode = kInvalidTokenCode;
  const failures = []; // answers {status, code} for the next replies, in order
  const replyAttempts = []; // {messageId, uuid} of every reply request, refused ones too
  let held = null; // while set: reply requests wait here, as {messageId, go}
  let nextToken = 1;
  let nextReply = 1;

  const invalidToken = (res) =>
    sendJson(res, 400, {
      code: kInvalidTokenCode,
      msg: 'Invalid access token for authorization. Please make a request with token attached.',
    });

  function appOf(req) {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return match ? tokens.get(match[1]) : undefined;
  }

  function issueToken(body, res) {
    const appId = body?.app_id;
    tokenCallCounts.set(appId, (tokenCallCounts.get(appId) ?? 0) + 1);
    const app = apps.get(appId);
    if (!app || app.secret !== body?.app_secret) {
      sendJson(res, 400, { code: 10014, msg: 'app secret invalid' });
      return;
    }
    const token = `t-fake-${nextToken++}-${randomBytes(6).toString('hex')}`;
    tokens.set(token, appId);
    sendJson(res, 200, { code: 0, msg: 'ok', tenant_access_token: token, expire: kTokenLifetimeSeconds });
  }

  function botInfo(req, res) {
    const appId = appOf(req);
    if (!appId) return invalidToken(res);
    const app = apps.get(appId);
    sendJson(res, 200, {
      code: 0,
      msg: 'ok',
      bot: { activate_status: 2, app_name: app.name, avatar_url: '', ip_white_list: [], open_id: app.botOpenId },
    });
  }

  function reply(req, res, messageId, body) {
    const appId = appOf(req);
    if (!appId) return invalidToken(res);
    replyAttempts.push({ messageId, uuid: body?.uuid });
    if (held) {
      held.push({ messageId, go: () => deliver(req, res, messageId, body, appId) });
      events.emit('held', messageId);
      return;
    }
    deliver(req, res, messageId, body, appId);
  }

  function deliver(req, res, messageId, body, appId) {
    if (failures.length > 0) {
      const { status, code } = failures.shift();
      sendJson(res, status, { code, msg: `fake failure ${code}` });
      return;
    }
    if (failReplies > 0) {
      failReplies -= 1;
      tokens.delete(req.headers.authorization.slice('Bearer '.length));
      sendJson(res, 400, { code: failCode, msg: 'Invalid access token for authorization.' });
      return;
    }
    let text;
    try {
      text = JSON.parse(body?.content ?? '').text;
    } catch {
      text = undefined;
    }
    if (body?.msg_type !== 'text' || typeof text !== 'string') {
      sendJson(res, 400, { code: 230001, msg: 'Your request contains an invalid request parameter.' });
      return;
    }
    const record = {
      messageId,
      appId,
      msgType: body.msg_type,
      text,
      uuid: body.uuid,
      content: body.content,
      receivedAt: performance.now(),
    };
    replies.push(record);
    events.emit('reply', record);
    sendJson(res, 200, {
      code: 0,
      msg: 'success',
      data: {
        message_id: `om_reply_${nextReply++}`,
        parent_id: messageId,
        root_id: messageId,
        msg_type: 'text',
        body: { content: body.content },
      },
    });
  }

  const server = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (data) => parts.push(data));
    req.on('error', () => {});
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? '').split('?')[0];
      const replyMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
      if (req.method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
        issueToken(body, res);
      } else if (req.method === 'GET' && path === '/open-apis/bot/v3/info') {
        botInfo(req, res);
      } else if (req.method === 'POST' && replyMatch) {
        reply(req, res, decodeURIComponent(replyMatch[1]), body);
      } else {
        sendJson(res, 404, { code: 404, msg: `no route ${req.method} ${path}` });
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    replies,
    addApp(appId, appSecret, { botOpenId = `ou_bot_${appId}`, name = `bot ${appId}` } = {}) {
      apps.set(appId, { secret: appSecret, botOpenId, name });
    },
    tokenCalls: (appId) => tokenCallCounts.get(appId) ?? 0,
    repliesTo: (messageId) => replies.filter((r) => r.messageId === messageId),
    waitForReply(predicate = () => true) {
      const existing = replies.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => {
        const listener = (record) => {
          if (!predicate(record)) return;
          events.off('reply', listener);
          resolve(record);
        };
        events.on('reply', listener);
      });
    },
    /** The next replies are answered with these {status, code}, one each, in order. */
    failRepliesWith(...answers) {
      failures.push(...answers);
    },
    replyAttemptsTo: (messageId) => replyAttempts.filter((r) => r.messageId === messageId),
    /**
     * Holds every reply request until `release()`: the gateway's message stays "being
     * answered" meanwhile. `waitForHeld(messageId)` resolves once that message's reply waits.
     */
    holdReplies() {
      held = [];
      const waiting = held;
      return {
        waitForHeld(messageId) {
          if (waiting.some((r) => r.messageId === messageId)) return Promise.resolve();
          return new Promise((resolve) => {
            const listener = (id) => {
              if (id !== messageId) return;
              events.off('held', listener);
              resolve();
            };
            events.on('held', listener);
          });
        },
        release() {
          held = null;
          for (const request of waiting) request.go();
        },
      };
    },
    failRepliesWithInvalidToken(count = 1, code = kInvalidTokenCode) {
      failReplies = count;
      failCode = code;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
