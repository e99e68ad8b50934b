// A fake Amazon Bedrock runtime (Converse API) for the end-to-end tests.
//
// It serves POST /model/{modelId}/converse and /model/{modelId}/converse-stream on 127.0.0.1
// (port 0), optionally under a region prefix (/{region}/model/...), so that one fake can
// stand in for several regions when a model's `endpoint` is `http://127.0.0.1:<port>/{region}`.
//
// Authentication is checked the way AWS checks it, with AWS's own code:
//   - SigV4: the Authorization header is parsed, and the signature is recomputed with
//     @smithy/signature-v4 (the AWS SDK for JavaScript's signer) over the request exactly as
//     received (method, raw path, signed headers, body). A wrong signature answers 403
//     InvalidSignatureException, an unknown access key 403 UnrecognizedClientException, a
//     scope for another service or region 403 as well.
//   - Bearer tokens (Bedrock API keys): `Authorization: Bearer <token>`.
// Streams are framed with @smithy/eventstream-codec, as Bedrock frames them.
//
// The request body is checked like Bedrock does (non-empty turns that alternate, starting with
// a user turn; no blank text; image formats; tool blocks need a toolConfig) and answered with
// ValidationException otherwise, so that translation mistakes show up in the tests.
//
// Behaviour comes from the model id (decoded from the path):
//   echo (and anything else)    "echo: <last user text>" plus " [<format> <n> bytes]" per image
//                               of the last user turn; stream: one delta per word
//   echo-fragmented             like echo; the stream is written in 5-byte pieces
//   tools                       a text block, then toolUse (name from the first toolSpec,
//                               else get_weather) with kToolInput; stream: input in pieces
//   reasoning                   reasoningContent ("Thinking about it.") then "42"
//   stop-<reason>               text "stopped", stopReason <reason>
//   cache                       like echo, with cacheReadInputTokens/cacheWriteInputTokens
//   error-<Exception>           answers HTTP error with that exception type
//   stream-error-<exception>    stream: messageStart, one delta, then an exception frame
//   stream-cut                  stream: messageStart, one delta, then half a frame and close
//   verbatim                    the last user text is the answer: for converse, the body
//                               byte for byte; for converse-stream, a JSON array of
//                               [event type, payload] pairs, each framed as an event (a
//                               string payload is sent as it is, an object as JSON)
//
// Region failures: fake.failRegion(region, exceptionName) makes every request for that
// region (path prefix, or the signature's scope) answer that exception.
//
// API:
//   const fake = await startFakeBedrock();
//   fake.url, fake.port, fake.requests (each: {id, method, path, region, modelId, operation,
//     headers, rawBody, body, auth: 'sigv4' | 'bearer' | 'none', accessKeyId, scopeRegion,
//     rejected})
//   fake.failRegion(region, exception), fake.clearFailures()
//   await fake.waitForRequest(pred), await fake.close()

import http from 'node:http';
import { EventEmitter } from 'node:events';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export const kAccessKeyId = 'AKIAFAKEBEDROCK00001';
export const kSecretAccessKey = 'fakeSecretKey/K7MDENG+bPxRfiCYEXAMPLEKEY';
export const kSessionAccessKeyId = 'ASIAFAKEBEDROCK00002';
export const kSessionSecretAccessKey = 'fakeSessionSecret/bPxRfiCYEXAMPLEKEY';
export const kSessionToken = 'FwoGZXIvYXdzEFAKE//session+token/with=odd&chars';
export const kBearerToken = 'ABSKfakeBedrockApiKey0123456789';
export const kToolInput = { city: 'Paris', unit: 'celsius' };
export const kReasoningText = 'Thinking about it.';
export const kCacheUsage = { cacheReadInputTokens: 1000, cacheWriteInputTokens: 24 };

const kCredentials = new Map([
  [kAccessKeyId, { accessKeyId: kAccessKeyId, secretAccessKey: kSecretAccessKey }],
  [
    kSessionAccessKeyId,
    {
      accessKeyId: kSessionAccessKeyId,
      secretAccessKey: kSessionSecretAccessKey,
      sessionToken: kSessionToken,
    },
  ],
]);

// HTTP statuses of Bedrock's exceptions (Bedrock API reference, "Errors").
const kExceptionStatus = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};
const kImageFormats = new Set(['png', 'jpeg', 'gif', 'webp']);
const kMaxClockSkewMs = 5 * 60 * 1000;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

class BedrockError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

function sendJson(res, status, value, extraHeaders = {}) {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': 'fake-request-id',
    ...extraHeaders,
  });
  res.end(text);
}

function sendException(res, type, message) {
  const status = kExceptionStatus[type] ?? 500;
  sendJson(res, status, { message }, {
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
}

/** "20150830T123600Z" as a Date, or undefined. */
function parseAmzDate(text) {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

function parseAuthorization(header) {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/**
 * Verifies a SigV4-signed request for `service` with @smithy/signature-v4. Throws a
 * BedrockError with the exception Bedrock would answer (its `type`); returns the parsed
 * authorization otherwise. The fake STS (aws_metadata.js) checks its calls with it too.
 */
export async function verifySigV4(req, rawBody, expectedRegion, service = 'bedrock') {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) {
    throw new BedrockError('IncompleteSignatureException', 'Authorization header is malformed.');
  }
  const credentials = kCredentials.get(auth.accessKeyId);
  if (!credentials) {
    throw new BedrockError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  if (auth.service !== service) {
    throw new BedrockError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
  }
  if (expectedRegion && auth.region !== expectedRegion) {
    throw new BedrockError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${auth.region}'.`,
    );
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required)) {
      throw new BedrockError('InvalidSignatureException', `'${required}' must be a signed header.`);
    }
  }
  const signingDate = parseAmzDate(req.headers['x-amz-date']);
  if (!signingDate || auth.date !== req.headers['x-amz-date'].slice(0, 8)) {
    throw new BedrockError('IncompleteSignatureException', 'X-Amz-Date is missing or malformed.');
  }
  if (Math.abs(Date.now() - signingDate.getTime()) > kMaxClockSkewMs) {
    throw new BedrockError('InvalidSignatureException', 'Signature expired.');
  }
  const headers = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) {
      throw new BedrockError('InvalidSignatureException', `Signed header '${name}' is missing.`);
    }
    headers[name] = value;
  }
  const [path, query = ''] = req.url.split('?');
  const signer = new SignatureV4({
    service,
    region: auth.region,
    credentials,
    sha256: Sha256,
    // Our gateway does not send x-amz-content-sha256 (optional outside S3): do not add it.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: String(req.headers.host ?? '').split(':')[0],
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: rawBody,
    },
    { signingDate, signingRegion: auth.region, signingService: service },
  );
  if (signed.headers.authorization !== req.headers.authorization) {
    throw new BedrockError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method.',
    );
  }
  return auth;
}

function textOf(blocks) {
  return (blocks ?? [])
    .filter((block) => typeof block?.text === 'string')
    .map((block) => block.text)
    .join(' ');
}

function countWords(text) {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

/** Bedrock's own checks of a Converse body, as ValidationException messages. */
function validateConverse(body) {
  const fail = (message) => {
    throw new BedrockError('ValidationException', message);
  };
  if (!body || typeof body !== 'object') fail('Malformed input request, please reformat your input and try again.');
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) fail('A conversation must have at least one message.');
  if (messages[0].role !== 'user') fail('A conversation must start with a user message.');
  let usesTools = false;
  messages.forEach((message, index) => {
    if (index > 0 && messages[index - 1].role === message.role) {
      fail('A conversation must alternate between user and assistant roles.');
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      fail(`The content field in the Message object at messages.${index} is empty.`);
    }
    message.content.forEach((block, blockIndex) => {
      const where = `messages.${index}.content.${blockIndex}`;
      if ('text' in block && String(block.text).trim() === '') {
        fail(`The text field in the ContentBlock object at ${where} is blank.`);
      }
      if (block.image) {
        if (!kImageFormats.has(block.image.format)) fail(`Invalid image format at ${where}.`);
        const bytes = Buffer.from(block.image.source?.bytes ?? '', 'base64');
        if (bytes.length === 0) fail(`The image at ${where} is empty.`);
      }
      if (block.toolUse || block.toolResult) usesTools = true;
      if (block.toolUse && message.role !== 'assistant') fail(`toolUse at ${where} must be in an assistant turn.`);
      if (block.toolResult && message.role !== 'user') fail(`toolResult at ${where} must be in a user turn.`);
    });
  });
  if (usesTools && !body.toolConfig) {
    fail('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  }
  for (const block of body.system ?? []) {
    if (typeof block.text !== 'string' || block.text.trim() === '') fail('The system text is blank.');
  }
}

/** The echo reply: the last user turn's text, then each of its images. */
function echoReply(body) {
  const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
  let reply = `echo: ${textOf(lastUser.content)}`;
  for (const block of lastUser.content) {
    if (block.image) {
      const bytes = Buffer.from(block.image.source.bytes, 'base64');
      reply += ` [${block.image.format} ${bytes.length} bytes]`;
    }
  }
  return reply;
}

function echoPieces(reply) {
  return reply.split(/(?<= )/);
}

function usageFor(body, outputTokens, extra = {}) {
  const inputTokens = body.messages.reduce((sum, m) => sum + countWords(textOf(m.content)), 0);
  const cache = (extra.cacheReadInputTokens ?? 0) + (extra.cacheWriteInputTokens ?? 0);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens + cache, ...extra };
}

/** The answer for a behaviour, as content blocks, stop reason and usage. */
function answerFor(modelId, body) {
  const stop = /^stop-(.+)$/.exec(modelId);
  if (stop) {
    return { content: [{ text: 'stopped' }], stopReason: stop[1], usage: usageFor(body, 1) };
  }
  if (modelId === 'tools') {
    const name = body.toolConfig?.tools?.[0]?.toolSpec?.name ?? 'get_weather';
    return {
      content: [
        { text: 'Let me check.' },
        { toolUse: { toolUseId: 'tooluse_fake_0001', name, input: kToolInput } },
      ],
      stopReason: 'tool_use',
      usage: usageFor(body, 9),
    };
  }
  if (modelId === 'reasoning') {
    return {
      content: [
        { reasoningContent: { reasoningText: { text: kReasoningText, signature: 'fake-signature' } } },
        { text: '42' },
      ],
      stopReason: 'end_turn',
      usage: usageFor(body, 5),
    };
  }
  const reply = echoReply(body);
  const extra = modelId === 'cache' ? kCacheUsage : {};
  return {
    content: [{ text: reply }],
    stopReason: 'end_turn',
    usage: usageFor(body, echoPieces(reply).length, extra),
  };
}

function eventFrame(eventType, payload) {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    // Bedrock pads its events with a "p" field of varying length.
    body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefghij'.slice(0, 1 + (eventType.length % 9)) })),
  });
}

function exceptionFrame(exceptionType, message) {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** The events of a streamed answer, in Bedrock's order. */
function streamEvents(answer) {
  const events = [['messageStart', { role: 'assistant' }]];
  answer.content.forEach((block, index) => {
    if (block.text !== undefined) {
      for (const piece of echoPieces(block.text)) {
        events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }]);
      }
    } else if (block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      events.push(['contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } }]);
      const json = JSON.stringify(input);
      for (let offset = 0; offset < json.length; offset += 7) {
        events.push([
          'contentBlockDelta',
          { contentBlockIndex: index, delta: { toolUse: { input: json.slice(offset, offset + 7) } } },
        ]);
      }
    } else if (block.reasoningContent) {
      const { text, signature } = block.reasoningContent.reasoningText;
      events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text } } }]);
      events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature } } }]);
    }
    events.push(['contentBlockStop', { contentBlockIndex: index }]);
  });
  events.push(['messageStop', { stopReason: answer.stopReason }]);
  events.push(['metadata', { usage: answer.usage, metrics: { latencyMs: 42 } }]);
  return events;
}

/** Writes bytes and resolves once they are handed to the kernel. */
function write(res, bytes, pieceBytes = 0) {
  if (res.destroyed) return Promise.resolve();
  if (pieceBytes > 0) {
    let last = Promise.resolve();
    for (let offset = 0; offset < bytes.length; offset += pieceBytes) {
      const piece = bytes.subarray(offset, offset + pieceBytes);
      last = new Promise((resolve) => res.write(piece, () => resolve()));
    }
    return last;
  }
  return new Promise((resolve) => res.write(bytes, () => resolve()));
}

async function answerVerbatim(res, operation, body) {
  const text = textOf(body.messages.at(-1).content);
  if (operation === 'converse') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    return res.end(text);
  }
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  for (const [type, payload] of JSON.parse(text)) {
    const bytes = typeof payload === 'string' ? payload : JSON.stringify(payload);
    await write(
      res,
      codec.encode({
        headers: {
          ':event-type': { type: 'string', value: String(type) },
          ':content-type': { type: 'string', value: 'application/json' },
          ':message-type': { type: 'string', value: 'event' },
        },
        body: fromUtf8(bytes),
      }),
    );
  }
  res.end();
}

async function stream(res, modelId, body, req) {
  res.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': 'fake-request-id',
  });
  const pieceBytes = modelId === 'echo-fragmented' ? 5 : 0;
  const streamError = /^stream-error-(.+)$/.exec(modelId);
  if (streamError || modelId === 'stream-cut') {
    await write(res, eventFrame('messageStart', { role: 'assistant' }));
    await write(res, eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'partial ' } }));
    if (modelId === 'stream-cut') {
      const frame = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lost' } });
      await write(res, frame.subarray(0, frame.length >> 1));
      req.socket.destroy();
      return;
    }
    await write(res, exceptionFrame(streamError[1], `fake ${streamError[1]} mid-stream`));
    res.end();
    return;
  }
  for (const [type, payload] of streamEvents(answerFor(modelId, body))) {
    await write(res, eventFrame(type, payload), pieceBytes);
  }
  res.end();
}

export async function startFakeBedrock() {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const requests = [];
  const sockets = new Set();
  const regionFailures = new Map();
  let nextId = 1;

  async function handle(record, req, res, rawBody) {
    // [/{region}]/model/{modelId}/{operation}
    const path = (req.url ?? '').split('?')[0];
    const match = /^(?:\/([a-z0-9-]+))?\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
    if (req.method !== 'POST' || !match) {
      return sendJson(res, 404, { message: `no route ${req.method} ${path}` }, {
        'x-amzn-errortype': 'UnknownOperationException',
      });
    }
    const [, pathRegion, encodedModelId, operation] = match;
    record.region = pathRegion;
    record.modelId = decodeURIComponent(encodedModelId);
    record.operation = operation;

    const authorization = req.headers.authorization ?? '';
    if (authorization.startsWith('Bearer ')) {
      record.auth = 'bearer';
      if (authorization.slice(7) !== kBearerToken) {
        throw new BedrockError('UnrecognizedClientException', 'Invalid API Key format: Must start with pre-defined prefix');
      }
    } else if (authorization.startsWith('AWS4-HMAC-SHA256 ')) {
      record.auth = 'sigv4';
      const auth = await verifySigV4(req, rawBody, pathRegion);
      record.accessKeyId = auth.accessKeyId;
      record.scopeRegion = auth.region;
      record.region ??= auth.region;
    } else {
      throw new BedrockError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }

    const failure = regionFailures.get(record.region);
    if (failure) throw new BedrockError(failure, `fake ${failure} in ${record.region}`);
    const error = /^error-(.+)$/.exec(record.modelId);
    if (error) throw new BedrockError(error[1], `fake ${error[1]}`);

    let body;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new BedrockError('SerializationException', 'Unexpected JSON');
    }
    record.body = body;
    validateConverse(body);
    if (record.modelId === 'verbatim') return answerVerbatim(res, operation, body);
    if (operation === 'converse-stream') return stream(res, record.modelId, body, req);
    const answer = answerFor(record.modelId, body);
    return sendJson(res, 200, {
      output: { message: { role: 'assistant', content: answer.content } },
      stopReason: answer.stopReason,
      usage: answer.usage,
      metrics: { latencyMs: 42 },
    });
  }

  const server = http.createServer((req, res) => {
    const record = {
      id: nextId++,
      method: req.method,
      path: req.url,
      headers: { ...req.headers },
      rawBody: '',
      body: undefined,
      auth: 'none',
      rejected: undefined,
      received: false,
      answered: false,
    };
    requests.push(record);
    const parts = [];
    req.on('data', (data) => parts.push(data));
    req.on('error', () => {});
    req.on('end', () => {
      const rawBody = Buffer.concat(parts);
      record.rawBody = rawBody.toString('utf8');
      record.received = true;
      Promise.resolve()
        .then(() => handle(record, req, res, rawBody))
        .catch((error) => {
          if (error instanceof BedrockError) {
            record.rejected = error.type;
            if (!res.headersSent) sendException(res, error.type, error.message);
            else res.destroy();
          } else if (!res.headersSent) {
            sendException(res, 'InternalServerException', String(error?.stack ?? error));
          } else {
            res.destroy();
          }
        })
        .finally(() => {
          record.answered = true;
          events.emit('request', record);
        });
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
    port,
    requests,
    findRequest: (predicate = () => true) => requests.find(predicate),
    /** Resolves once a matching request has been received and answered (or rejected). */
    waitForRequest(predicate = () => true) {
      const existing = requests.find((r) => r.received && r.answered && predicate(r));
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => {
        const listener = (record) => {
          if (!predicate(record)) return;
          events.off('request', listener);
          resolve(record);
        };
        events.on('request', listener);
      });
    },
    failRegion(region, exception) {
      regionFailures.set(region, exception);
    },
    clearFailures() {
      regionFailures.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
