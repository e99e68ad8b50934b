// LLMGATE_STORE_MEDIA (docs/records.md, "Inline images"): by default a
// record's whole prompt keeps an inline image as sent; with `false` it keeps a note of its
// type, size and SHA-256 instead, while the upstream still gets the image whole and the
// rest of the messages is recorded as before.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { chat, waitForThreads } from './lib/records.js';
import { kDefaultGroupId, restartGateway, startStack, stopStack } from './lib/stack.js';

let stack;

before(async () => {
  stack = await startStack({ env: { LLMGATE_STORE_MEDIA: 'false' } });
  await stack.admin.saveModel({
    name: 'seeing-echo',
    config: { baseUrl: `${stack.fake.url}/v1`, model: 'echo' },
    multiple: true,
    group_id: kDefaultGroupId,
  });
}, { timeout: 60_000 });

after(async () => {
  await stopStack(stack);
}, { timeout: 60_000 });

// 3,000 fixed bytes as a PNG data URL (the echo fake does not look at the image).
const kImage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7 + 1) % 256));
const kImageUrl = `data:image/png;base64,${kImage.toString('base64')}`;

function messagesWithImage(text) {
  return [
    { role: 'system', content: 'describe briefly' },
    { role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url: kImageUrl, detail: 'low' } }] },
  ];
}

async function askWithImage(key, text) {
  const answer = await chat(stack, key, { model: 'seeing-echo', messages: messagesWithImage(text) });
  assert.equal(answer.status, 200, answer.text);
  const upstream = stack.fake.requests.findLast((r) => JSON.stringify(r.body ?? {}).includes(text));
  assert.ok(upstream, 'the upstream got the request');
  assert.equal(upstream.body.messages[1].content[1].image_url.url, kImageUrl, 'the upstream gets the image whole');
  const [thread] = await waitForThreads(stack, key, 1);
  return stack.admin.get(`/admin/thread/detail/${thread.id}`);
}

test('with LLMGATE_STORE_MEDIA=false an inline image is recorded as its type, size and SHA-256', { timeout: 30_000 }, async () => {
  const key = await stack.admin.createKey({ name: 'media-off' });
  const thread = await askWithImage(key, 'what is in this picture?');
  const expected = messagesWithImage('what is in this picture?');
  expected[1].content[1].image_url.url =
    `[not stored: image/png, 3000 bytes, sha256 ${createHash('sha256').update(kImage).digest('hex')}]`;
  assert.deepEqual(thread.whole_prompt, expected);
  assert.equal(thread.prompt, 'what is in this picture?');
});

test('by default the image is recorded as sent', { timeout: 60_000 }, async () => {
  await restartGateway(stack, { env: { LLMGATE_STORE_MEDIA: 'true' } });
  const key = await stack.admin.createKey({ name: 'media-on' });
  const thread = await askWithImage(key, 'and this one?');
  assert.deepEqual(thread.whole_prompt, messagesWithImage('and this one?'));
});
