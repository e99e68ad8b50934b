// https image URLs for bedrock-converse: Bedrock takes image bytes, so the gateway fetches
// each https image (with a size cap, only image/* types, never from private addresses
// unless LLMGATE_IMAGE_FETCH_PRIVATE allows it) and sends the bytes. The image server here
// is a local HTTPS server with a throwaway certificate that the gateway trusts through
// LLMGATE_UPSTREAM_CA_FILE.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kAccessKeyId, kSecretAccessKey, startFakeBedrock } from '../fakes/bedrock_upstream.js';
import { Admin } from './lib/admin.js';
import { eventually } from './lib/eventually.js';
import { assertOpenAiError } from './lib/expect.js';
import { startGateway } from './lib/gateway.js';
import { request } from './lib/http.js';
import { openaiClient, uniquePrompt } from './lib/stack.js';

// A 1x1 transparent PNG.
const kPngBase64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const kMaxImageBytes = 5 * 1024 * 1024;

let certDir;
let imageServer;
let imageUrl;
const imageRequests = [];
let fake;
let trusting;  // trusts the certificate and may fetch from private addresses
let guarded;   // trusts the certificate but keeps the private-address guard
let modelName;
let userKeys = {};

function startImageServer(key, cert) {
  return new Promise((resolve) => {
    const server = createServer({ key, cert }, (req, res) => {
      imageRequests.push({ method: req.method, url: req.url });
      const path = req.url.split('?')[0];
      if (path === '/cat.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from(kPngBase64, 'base64'));
      } else if (path === '/huge.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(kMaxImageBytes + 1024, 7));
      } else if (path === '/page.html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html></html>');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such image');
      }
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function setUp(gateway) {
  const admin = new Admin(gateway.url, gateway.adminKey);
  await admin.saveModel({
    name: modelName,
    provider: 'bedrock-converse',
    group_id: 1,
    multiple: true,
    config: {
      region: 'us-east-1',
      endpoint: `${fake.url}/{region}`,
      accessKeyId: kAccessKeyId,
      secretAccessKey: kSecretAccessKey,
      modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    },
  });
  return (await admin.createKey({ name: 'images' })).api_key;
}

function ask(gateway, url, prompt) {
  return request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: userKeys[gateway.url],
    body: {
      model: modelName,
      messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url } }] }],
    },
  });
}

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'llmgate-images-'));
  const keyPath = join(certDir, 'key.pem');
  const certPath = join(certDir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  imageServer = await startImageServer(readFileSync(keyPath), readFileSync(certPath));
  imageUrl = `https://127.0.0.1:${imageServer.address().port}`;
  fake = await startFakeBedrock();
  modelName = 'claude-images';
  trusting = await startGateway({
    env: { LLMGATE_UPSTREAM_CA_FILE: certPath, LLMGATE_IMAGE_FETCH_PRIVATE: 'true' },
  });
  guarded = await startGateway({ env: { LLMGATE_UPSTREAM_CA_FILE: certPath } });
  userKeys[trusting.url] = await setUp(trusting);
  userKeys[guarded.url] = await setUp(guarded);
}, { timeout: 60_000 });

after(async () => {
  try {
    await trusting?.stop();
    await guarded?.stop();
  } finally {
    await fake?.close();
    imageServer?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }
}, { timeout: 60_000 });

test('an https image is fetched and sent to Bedrock as bytes, query string included', { timeout: 15_000 }, async () => {
  const prompt = uniquePrompt('what is on this picture');
  const answer = await ask(trusting, `${imageUrl}/cat.png?signature=abc%20def`, prompt);
  assert.equal(answer.status, 200, answer.text);
  assert.ok(
    imageRequests.some((r) => r.method === 'GET' && r.url === '/cat.png?signature=abc%20def'),
    `the image server saw ${JSON.stringify(imageRequests)}`,
  );
  const upstream = fake.findRequest((r) =>
    r.body?.messages?.at(-1)?.content?.some((block) => block.text?.startsWith(prompt)),
  );
  assert.ok(upstream, 'the fake Bedrock saw the request');
  assert.deepEqual(upstream.body.messages[0].content[1], {
    image: { format: 'png', source: { bytes: kPngBase64 } },
  });
  // The OpenAI client path works the same way.
  const client = openaiClient(trusting, userKeys[trusting.url]);
  const completion = await client.chat.completions.create({
    model: modelName,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'again' }, { type: 'image_url', image_url: { url: `${imageUrl}/cat.png` } }] }],
  });
  assert.match(completion.choices[0].message.content, /\[png \d+ bytes\]/);
  // The record shows the URL the client sent, not the fetched bytes.
  const admin = new Admin(trusting.url, trusting.adminKey);
  const thread = await eventually(async () => {
    const page = await admin.list('/admin/thread/list', { q: prompt });
    assert.equal(page.items.length, 1);
    return page.items[0];
  }, { what: 'the first request recorded' });
  const recorded = (await admin.get(`/admin/thread/detail/${thread.id}`)).whole_prompt;
  assert.deepEqual(recorded[0].content[1], { type: 'image_url', image_url: { url: `${imageUrl}/cat.png?signature=abc%20def` } });
});

test('an image over the size cap, a non-image and a missing image are 400 naming the part', { timeout: 15_000 }, async () => {
  const param = 'messages[0].content[1].image_url.url';
  let error = assertOpenAiError(await ask(trusting, `${imageUrl}/huge.png`, 'big'), 400, { param });
  assert.match(error.message, /larger than 5242880 bytes/);
  error = assertOpenAiError(await ask(trusting, `${imageUrl}/page.html`, 'html'), 400, { param });
  assert.match(error.message, /text\/html.*not an image/);
  error = assertOpenAiError(await ask(trusting, `${imageUrl}/gone.png`, 'gone'), 400, { param });
  assert.match(error.message, /answered 404/);
});

test('without LLMGATE_IMAGE_FETCH_PRIVATE, an image on a private address is refused and not fetched', { timeout: 15_000 }, async () => {
  const before = imageRequests.length;
  const error = assertOpenAiError(await ask(guarded, `${imageUrl}/cat.png?private`, 'private'), 400, {
    param: 'messages[0].content[1].image_url.url',
  });
  assert.match(error.message, /non-public addresses/);
  assert.equal(imageRequests.length, before, 'the image server was not contacted');
});
