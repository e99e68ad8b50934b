// Bad input on the wire: request lines, headers, lengths and chunked framing no HTTP client
// library would send, written byte for byte on a socket. Each must get a 4xx (or 501/505
// for what HTTP/1.1 names so), never a 5xx of the gateway's own, never a dropped connection
// without an answer; none may be read as two requests (smuggling); the server keeps serving.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { gatewayModel, startStack, stopStack } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack();
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

/**
 * Reads the HTTP/1.1 answers in `text` (latin1): [{status, headers, body}], and whether the
 * text ends inside an answer.
 */
function parseAnswers(text) {
  const answers = [];
  let at = 0;
  while (at < text.length) {
    const headerEnd = text.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) return { answers, partial: true };
    const lines = text.slice(at, headerEnd).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    assert.ok(status, `not an HTTP answer: ${JSON.stringify(text.slice(at, at + 200))}`);
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = headerEnd + 4;
    let body = '';
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      for (;;) {
        const sizeEnd = text.indexOf('\r\n', bodyStart);
        if (sizeEnd < 0) return { answers, partial: true };
        const size = parseInt(text.slice(bodyStart, sizeEnd), 16);
        if (text.length < sizeEnd + 2 + size + 2) return { answers, partial: true };
        body += text.slice(sizeEnd + 2, sizeEnd + 2 + size);
        bodyStart = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
      at = bodyStart;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (text.length < bodyStart + length) return { answers, partial: true };
      body = text.slice(bodyStart, bodyStart + length);
      at = bodyStart + length;
    }
    answers.push({ status, headers, body });
  }
  return { answers, partial: false };
}

/**
 * Writes `bytes` on a new connection and resolves with the answers once `expected` whole
 * answers are in, or the gateway closed the connection: {answers, closed}.
 */
async function exchange(bytes, { expected = 1, untilClosed = false } = {}) {
  const { hostname, port } = new URL(stack.gateway.url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  let received = '';
  const result = await new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const parsed = parseAnswers(received);
      if (!untilClosed && !parsed.partial && parsed.answers.length >= expected) resolve({ answers: parsed.answers, closed: false });
    });
    socket.once('close', () => resolve({ answers: parseAnswers(received).answers, closed: true }));
    socket.once('error', (error) => {
      // A reset after the answer (the gateway closing with unread bytes) still counts.
      if (received) resolve({ answers: parseAnswers(received).answers, closed: true });
      else reject(error);
    });
    socket.once('connect', () => socket.write(Buffer.from(bytes, 'latin1')));
  });
  socket.destroy();
  return result;
}

/** One answer with a status the protocol allows for bad input (4xx, 501, 505). */
async function refused(bytes, allowed, options) {
  const { answers } = await exchange(bytes, options);
  assert.ok(answers.length >= 1, `no answer to ${JSON.stringify(bytes.slice(0, 120))}`);
  const [first] = answers;
  assert.ok(
    allowed ? allowed.includes(first.status) : (first.status >= 400 && first.status < 500) || [501, 505].includes(first.status),
    `${JSON.stringify(bytes.slice(0, 120))}: ${first.status} ${first.body.slice(0, 200)}`,
  );
  return answers;
}

async function stillServes() {
  const answer = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: 'still here' }],
  });
  assert.equal(answer.choices[0].message.content, 'echo: still here');
}

function chatRequest(extraHeaders = '', body = null) {
  const payload = body ?? JSON.stringify({ model: gatewayModel('echo'), messages: [{ role: 'user', content: 'wire' }] });
  return (
    'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n' +
    `Authorization: Bearer ${stack.user.api_key}\r\nContent-Type: application/json\r\n` +
    `${extraHeaders}Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`
  );
}

test('odd request lines: 4xx, 501 or 505, and the server keeps serving', { timeout: 60_000 }, async () => {
  for (const line of [
    'HELLO\r\n\r\n',
    'GET\r\n\r\n',
    'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'GET /healthz\r\n\r\n',
    `${'G'.repeat(5000)} / HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /v1/models%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP but TLS\r\n\r\n',
  ]) {
    await refused(line);
  }
  await stillServes();
});

test('odd headers: 4xx, and the server keeps serving', { timeout: 60_000 }, async () => {
  for (const header of [
    'No-Colon-Here\r\n',
    'Bad Name: x\r\n',
    ': empty-name\r\n',
    'X-Nul: a\x00b\r\n',
    `X-Huge: ${'h'.repeat(200_000)}\r\n`,
  ]) {
    await refused(`GET /healthz HTTP/1.1\r\nHost: x\r\n${header}\r\n`);
  }
  // A folded header line (obsolete) may be refused or read with the fold as a space (RFC
  // 9112 5.2); either way it is answered.
  await refused('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  continued\r\n\r\n', [200, 400]);
  await stillServes();
});

test('odd lengths and framing: refused, never read as a second request', { timeout: 60_000 }, async () => {
  const hidden = 'GET /admin/api-key/list HTTP/1.1\r\nHost: x\r\n\r\n';
  const start = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.user.api_key}\r\nContent-Type: application/json\r\n`;
  const framings = [
    'Content-Length: -1\r\n\r\n{}',
    'Content-Length: 1e3\r\n\r\n{}',
    'Content-Length: 0x10\r\n\r\n{}',
    'Content-Length: 99999999999999999999999\r\n\r\n{}',
    'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} ',
    'Content-Length: 2, 3\r\n\r\n{} ',
    `Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`,
    `Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n${hidden}`,
    'Transfer-Encoding: gzip\r\n\r\n{}',
    'Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n{}\r\n0\r\n\r\n',
    'Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n',
    'Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n',
    `Transfer-Encoding: gzip\r\n\r\n${hidden}`,
    `Transfer-Encoding: chunked, identity\r\n\r\n${hidden}`,
    `Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n${hidden}`,
  ];
  for (const framing of framings) {
    // Refused, and the connection closed: what follows cannot be told from a next request.
    const answers = await refused(start + framing, undefined, { untilClosed: true });
    assert.equal(answers.length, 1, `${framing}: the rest was read as another request`);
    // The hidden request after a refused body is never answered as a request of its own.
    assert.ok(answers.every((answer) => !answer.body.includes('"items"')), `smuggled: ${framing}`);
  }
  await stillServes();
});

test('two requests in one write are both answered, in order', { timeout: 20_000 }, async () => {
  const { answers } = await exchange(
    `${chatRequest()}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
    { expected: 2 },
  );
  assert.equal(answers.length, 2);
  assert.equal(answers[0].status, 200, answers[0].body);
  assert.equal(JSON.parse(answers[0].body).choices[0].message.content, 'echo: wire');
  assert.equal(answers[1].status, 200);
});

test('an HTTP/1.0 request without Host is answered and the connection closed', { timeout: 20_000 }, async () => {
  const { answers, closed } = await exchange('GET /healthz HTTP/1.0\r\n\r\n', { untilClosed: true });
  assert.equal(answers.length, 1);
  assert.equal(answers[0].status, 200);
  assert.equal(closed, true);
});

test('odd Session-Id and x-request-id headers: answered, never a 5xx', { timeout: 30_000 }, async () => {
  for (const value of ['', ' ', 'x'.repeat(10_000), '😀'.repeat(10), '\x7f\x01', '../../etc/passwd', "'; DROP TABLE threads; --", '%00']) {
    for (const name of ['Session-Id', 'x-request-id']) {
      const { answers } = await exchange(chatRequest(`${name}: ${value}\r\n`));
      assert.equal(answers.length, 1, `${name}: ${JSON.stringify(value.slice(0, 40))}`);
      const [answer] = answers;
      assert.ok(answer.status < 500, `${name}: ${JSON.stringify(value.slice(0, 40))}: ${answer.status} ${answer.body.slice(0, 200)}`);
      if (name === 'x-request-id') assert.ok(/^[A-Za-z0-9._:-]{1,128}$/.test(answer.headers['x-request-id']), answer.headers['x-request-id']);
    }
  }
  await stillServes();
});
