// A fake OpenAI-compatible upstream for the end-to-end tests.
//
// It serves POST /v1/chat/completions and GET /v1/models on 127.0.0.1 (port 0), records
// every request it receives, and picks its behaviour from the *upstream* model id in the
// request body, so one fake serves every scenario of a test file:
//
//   echo            answers "echo: <last user text>"; stream: one chunk per word
//   echo-fragmented like echo, but the SSE bytes are written in 7-byte pieces (framing)
//   tools           a tool call (name from the request's first tool, else get_weather);
//                   stream: OpenAI tool-call deltas, arguments split into fragments
//   status-<NNN>    answers HTTP NNN with an OpenAI error body (429 adds Retry-After: 7)
//   hang            reads the request and never answers
//   cut             stream: role chunk + two content chunks, then destroys the socket
//   stall           stream: role chunk + one content chunk, then sends nothing more
//   slow-stream     stream: one chunk every 50 ms for a minute (for client-abort tests)
//   gated           stream: one content chunk, then waits for openGate(), then the rest
//   drop-after      answers like echo on a keep-alive connection, then closes that
//                   connection (a server whose idle timeout is shorter than the client's)
//   verbatim        answers 200 with the last user text as the body, byte for byte:
//                   JSON for a plain request, SSE text for a stream (odd answers)
//   raw-error       answers 500 with the bytes the last user text holds in base64, as a
//                   text/plain body (error pages in other encodings, text cut mid-character)
//   anything else   404 model_not_found, like OpenAI
//
// Streams use real SSE framing (`data: <json>\n\n`, final `data: [DONE]`) and honour
// stream_options.include_usage with a final chunk whose `choices` is empty.
//
// API:
//   const fake = await startFakeUpstream();
//   fake.url                     http://127.0.0.1:<port>  (the gateway's baseUrl is url + '/v1')
//   fake.requests                every request: {id, method, path, headers, rawBody, body,
//                                model, received, receivedAt, finished, closedEarly, closedAt}
//   fake.findRequest(pred)       the first recorded request matching pred
//   await fake.waitForRequest(pred)  resolves once a matching request has arrived
//   await fake.waitForClose(pred)    resolves with a matching request whose connection was
//                                    closed by the client before the fake finished answering
//   await fake.waitForGated(pred)    resolves once a matching `gated` stream waits at the gate
//   fake.openGate()              lets every waiting `gated` stream (and later ones) finish
//   await fake.close()

import http from 'node:http';
import { EventEmitter } from 'node:events';

const kSlowStreamIntervalMs = 50;
const kSlowStreamChunks = 1200;
const kGatedTailChunks = 5;
const kGatedTailIntervalMs = 20;
const kCreated = 1700000000;

/** The text of the last user message, whether `content` is a string or an array of parts. */
export function lastUserText(messages) {
  const user = [...(messages ?? [])].reverse().find((m) => m?.role === 'user');
  return messageText(user);
}

function messageText(message) {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content)) {
    return message.content
      .filter((part) => part?.type === 'text')
      .map((part) => part.text)
      .join(' ');
  }
  return '';
}

function countWords(text) {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.length;
}

/** What the `echo` behaviour answers to these messages. */
export function echoReply(messages) {
  return `echo: ${lastUserText(messages)}`;
}

/** The stream pieces of the echo reply: words with their trailing space, concatenating to it. */
function echoPieces(reply) {
  return reply.split(/(?<= )/);
}

/**
 * The usage the `echo` and `tools` behaviours report: prompt tokens are the words of every
 * message's text, completion tokens the pieces of the reply. Deterministic so that tests can
 * check the gateway relays (and later bills) exactly what the upstream said.
 */
export function echoUsage(messages) {
  const prompt_tokens = (messages ?? []).reduce((sum, m) => sum + countWords(messageText(m)), 0);
  const completion_tokens = echoPieces(echoReply(messages)).length;
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

export const kToolArguments = JSON.stringify({ city: 'Paris', unit: 'celsius' });
export const kToolCallId = 'call_fake_0001';
export const kToolUsage = { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 };
export const kRetryAfterSeconds = '7';

function toolName(body) {
  return body?.tools?.[0]?.function?.name ?? 'get_weather';
}

function errorBody(status, message, type, code) {
  return { error: { message, type, param: null, code } };
}

function sendJson(res, status, value, extraHeaders = {}) {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

/** Writes SSE events to one response, honouring backpressure and early closes. */
class SseWriter {
  constructor(res, { fragmentBytes = 0 } = {}) {
    this.res = res;
    this.fragmentBytes = fragmentBytes;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
  }

  get closed() {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Resolves once the bytes are handed to the kernel (so a later destroy cannot drop them). */
  write(text) {
    if (this.closed) return Promise.resolve();
    if (this.fragmentBytes > 0) {
      const bytes = Buffer.from(text);
      let last = Promise.resolve();
      for (let offset = 0; offset < bytes.length; offset += this.fragmentBytes) {
        const piece = bytes.subarray(offset, offset + this.fragmentBytes);
        last = new Promise((resolve) => this.res.write(piece, () => resolve()));
      }
      return last;
    }
    return new Promise((resolve) => this.res.write(text, () => resolve()));
  }

  event(value) {
    return this.write(`data: ${JSON.stringify(value)}\n\n`);
  }

  done() {
    if (this.closed) return;
    this.res.end('data: [DONE]\n\n');
  }
}

function chunk(id, model, delta, finishReason = null) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: kCreated,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

function usageChunk(id, model, usage) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: kCreated,
    model,
    system_fingerprint: 'fp_fake',
    choices: [],
    usage,
  };
}

function wantsUsage(body) {
  return body?.stream_options?.include_usage === true;
}

export async function startFakeUpstream() {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const requests = [];
  const sockets = new Set();
  const timers = new Set();
  let gateOpen = false;
  let nextId = 1;

  const delay = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const gate = () =>
    gateOpen ? Promise.resolve() : new Promise((resolve) => events.once('gate-open', resolve));

  async function streamEcho(record, res, fragmentBytes) {
    const { body } = record;
    const id = `chatcmpl-fake-${record.id}`;
    const sse = new SseWriter(res, { fragmentBytes });
    await sse.event(chunk(id, body.model, { role: 'assistant', content: '' }));
    for (const piece of echoPieces(echoReply(body.messages))) {
      await sse.event(chunk(id, body.model, { content: piece }));
    }
    await sse.event(chunk(id, body.model, {}, 'stop'));
    if (wantsUsage(body)) await sse.event(usageChunk(id, body.model, echoUsage(body.messages)));
    sse.done();
  }

  async function streamTools(record, res) {
    const { body } = record;
    const id = `chatcmpl-fake-${record.id}`;
    const sse = new SseWriter(res);
    const name = toolName(body);
    await sse.event(
      chunk(id, body.model, {
        role: 'assistant',
        content: null,
        tool_calls: [
          { index: 0, id: kToolCallId, type: 'function', function: { name, arguments: '' } },
        ],
      }),
    );
    for (let offset = 0; offset < kToolArguments.length; offset += 8) {
      const fragment = kToolArguments.slice(offset, offset + 8);
      await sse.event(
        chunk(id, body.model, { tool_calls: [{ index: 0, function: { arguments: fragment } }] }),
      );
    }
    await sse.event(chunk(id, body.model, {}, 'tool_calls'));
    if (wantsUsage(body)) await sse.event(usageChunk(id, body.model, kToolUsage));
    sse.done();
  }

  async function streamCut(record, res, req) {
    const { body } = record;
    const id = `chatcmpl-fake-${record.id}`;
    const sse = new SseWriter(res);
    await sse.event(chunk(id, body.model, { role: 'assistant', content: '' }));
    await sse.event(chunk(id, body.model, { content: 'partial ' }));
    await sse.event(chunk(id, body.model, { content: 'answer ' }));
    record.cut = true;
    req.socket.destroy();
  }

  async function streamStall(record, res) {
    const { body } = record;
    const id = `chatcmpl-fake-${record.id}`;
    const sse = new SseWriter(res);
    await sse.event(chunk(id, body.model, { role: 'assistant', content: '' }));
    await sse.event(chunk(id, body.model, { content: 'then silence' }));
    // Nothing more: the gateway's idle timeout must end this.
  }

  async function streamSlow(record, res) {
    const { body } = record;
    const id = `chatcmpl-fake-${record.id}`;
    const sse = new SseWriter(res);
    await sse.event(chunk(id, body.model, { role: 'assistant', content: '' }));
    for (let index = 0; index < kSlowStreamChunks && !sse.closed; ++index) {
      await sse.event(chunk(id, body.model, { content: `tick${index} ` }));
      record.chunksSent = index + 1;
      await delay(kSlowStreamIntervalMs);
    }
    await sse.event(chunk(id, body.model, {}, 'stop'));
    if (wantsUsage(body)) {
      await sse.event(usageChunk(id, body.model, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }));
    }
    sse.done();
  }

  async function streamGated(record, res) {
    const { body } = record;
    const id = `chatcmpl-fake-${record.id}`;
    const sse = new SseWriter(res);
    await sse.event(chunk(id, body.model, { role: 'assistant', content: 'part0 ' }));
    record.waitingAtGate = true;
    events.emit('gated', record);
    await gate();
    for (let index = 1; index <= kGatedTailChunks && !sse.closed; ++index) {
      await delay(kGatedTailIntervalMs);
      await sse.event(chunk(id, body.model, { content: `part${index} ` }));
    }
    await sse.event(chunk(id, body.model, {}, 'stop'));
    if (wantsUsage(body)) {
      await sse.event(usageChunk(id, body.model, { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 }));
    }
    sse.done();
  }

  function answerEcho(record, res) {
    const { body } = record;
    sendJson(res, 200, {
      id: `chatcmpl-fake-${record.id}`,
      object: 'chat.completion',
      created: kCreated,
      model: body.model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: echoReply(body.messages), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: echoUsage(body.messages),
    });
  }

  function answerTools(record, res) {
    const { body } = record;
    sendJson(res, 200, {
      id: `chatcmpl-fake-${record.id}`,
      object: 'chat.completion',
      created: kCreated,
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: kToolCallId,
                type: 'function',
                function: { name: toolName(body), arguments: kToolArguments },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: kToolUsage,
    });
  }

  function answerStatus(res, status) {
    const headers = status === 429 ? { 'retry-after': kRetryAfterSeconds } : {};
    const type = status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = { 401: 'invalid_api_key', 404: 'model_not_found', 429: 'rate_limit_exceeded' }[status] ?? null;
    sendJson(res, status, errorBody(status, `fake upstream answered ${status}`, type, code), headers);
  }

  async function handleChat(record, req, res) {
    const { body } = record;
    if (!body || typeof body !== 'object') {
      sendJson(res, 400, errorBody(400, 'fake upstream: body is not JSON', 'invalid_request_error', null));
      return;
    }
    const model = String(body.model ?? '');
    const stream = body.stream === true;
    const status = /^status-(\d{3})$/.exec(model);
    if (status) return answerStatus(res, Number(status[1]));
    switch (model) {
      case 'echo':
        return stream ? streamEcho(record, res, 0) : answerEcho(record, res);
      case 'echo-fragmented':
        return stream ? streamEcho(record, res, 7) : answerEcho(record, res);
      case 'tools':
        return stream ? streamTools(record, res) : answerTools(record, res);
      case 'hang':
        return; // Never answer; the gateway's first-byte timeout must end this.
      case 'cut':
        if (stream) return streamCut(record, res, req);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
        res.write('{"id": "chatcmpl-cut", "object": "chat.co', () => req.socket.destroy());
        return;
      case 'stall':
        return stream ? streamStall(record, res) : undefined;
      case 'slow-stream':
        return stream ? streamSlow(record, res) : answerEcho(record, res);
      case 'gated':
        return stream ? streamGated(record, res) : answerEcho(record, res);
      case 'raw-error': {
        const bytes = Buffer.from(lastUserText(body.messages), 'base64');
        res.writeHead(500, { 'content-type': 'text/plain', 'content-length': bytes.length });
        return res.end(bytes);
      }
      case 'verbatim': {
        const text = Buffer.from(lastUserText(body.messages), 'utf8');
        res.writeHead(200, {
          'content-type': stream ? 'text/event-stream' : 'application/json',
          'content-length': text.length,
        });
        return res.end(text);
      }
      case 'drop-after':
        res.on('finish', () => req.socket.destroy());
        return stream ? streamEcho(record, res, 0) : answerEcho(record, res);
      default:
        return sendJson(
          res,
          404,
          errorBody(404, `The model '${model}' does not exist`, 'invalid_request_error', 'model_not_found'),
        );
    }
  }

  const server = http.createServer((req, res) => {
    const record = {
      id: nextId++,
      method: req.method,
      path: req.url,
      headers: { ...req.headers },
      rawBody: '',
      body: undefined,
      model: undefined,
      received: false,
      receivedAt: performance.now(),
      finished: false,
      closedEarly: false,
      closedAt: null,
    };
    requests.push(record);
    res.on('finish', () => {
      record.finished = true;
    });
    // 'close' also follows a normal finish; only a close before the end counts as the
    // client (the gateway) going away.
    res.on('close', () => {
      record.closedAt = performance.now();
      if (!res.writableFinished && !record.cut) {
        record.closedEarly = true;
        events.emit('early-close', record);
      }
    });
    const parts = [];
    req.on('data', (data) => parts.push(data));
    req.on('error', () => {});
    req.on('end', () => {
      record.rawBody = Buffer.concat(parts).toString('utf8');
      try {
        record.body = record.rawBody ? JSON.parse(record.rawBody) : undefined;
      } catch {
        record.body = undefined;
      }
      record.model = record.body?.model;
      record.received = true;
      events.emit('request', record);
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        Promise.resolve(handleChat(record, req, res)).catch((error) => {
          if (!res.headersSent) sendJson(res, 500, errorBody(500, String(error), 'server_error', null));
          else res.destroy();
        });
      } else if (req.method === 'GET' && path === '/v1/models') {
        const ids = ['echo', 'echo-fragmented', 'tools', 'hang', 'cut', 'stall', 'slow-stream', 'gated'];
        sendJson(res, 200, {
          object: 'list',
          data: ids.map((id) => ({ id, object: 'model', created: kCreated, owned_by: 'fake' })),
        });
      } else {
        sendJson(res, 404, errorBody(404, `no route ${req.method} ${path}`, 'invalid_request_error', null));
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

  function waitFor(eventName, predicate, matchesRecorded) {
    const existing = requests.find((r) => matchesRecorded(r) && predicate(r));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const listener = (record) => {
        if (!predicate(record)) return;
        events.off(eventName, listener);
        resolve(record);
      };
      events.on(eventName, listener);
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    findRequest: (predicate = () => true) => requests.find(predicate),
    waitForRequest: (predicate = () => true) =>
      waitFor('request', predicate, (r) => r.received),
    waitForClose: (predicate = () => true) => waitFor('early-close', predicate, (r) => r.closedEarly),
    waitForGated: (predicate = () => true) => waitFor('gated', predicate, (r) => r.waitingAtGate),
    openGate() {
      gateOpen = true;
      events.emit('gate-open');
    },
    async close() {
      gateOpen = true;
      events.emit('gate-open');
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
