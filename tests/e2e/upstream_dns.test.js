// Name lookups of upstreams. The connect timeout covers the lookup: an upstream whose name
// the resolver never answers for gets 504 when the timeout ends, not when getaddrinfo gives
// up. A lookup that hangs delays no other lookup, is shared by the requests for the same
// name, and does not hold up a graceful stop. The hanging resolver is ../fakes/slow_dns.c,
// built here and preloaded into the gateway: names ending in .slow-dns.test block for
// SLOW_DNS_SECONDS (here 60) and then fail (EAI_AGAIN, which the gateway would answer 502
// "resolving …: …" if it waited for it).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertOpenAiError } from './lib/expect.js';
import { request } from './lib/http.js';
import { gatewayModel, kDefaultGroupId, startStack, stopStack } from './lib/stack.js';

const kSource = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fakes', 'slow_dns.c');

let stack;
let buildDir;

before(async () => {
  buildDir = mkdtempSync(path.join(tmpdir(), 'llmgate-slow-dns-'));
  const library = path.join(buildDir, 'slow_dns.so');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, kSource, '-ldl']);
  // Under the sanitizer build, ASan must be told that a library comes before it.
  const asan = [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':');
  stack = await startStack({
    env: {
      LD_PRELOAD: library,
      ASAN_OPTIONS: asan,
      SLOW_DNS_SECONDS: '60',
      LLMGATE_UPSTREAM_CONNECT_TIMEOUT: '300ms',
      LLMGATE_THREADS: '1', // one I/O thread: every lookup of the gateway goes the same way
    },
  });
  await stack.admin.saveModel({
    name: 'unresolvable',
    config: { baseUrl: 'http://api.slow-dns.test:9/v1', apiKey: 'sk-x' },
    group_id: kDefaultGroupId,
  });
  // The fake upstream by a name that must be looked up (not an address).
  await stack.admin.saveModel({
    name: 'by-name',
    config: { baseUrl: `${stack.fake.url.replace('127.0.0.1', 'localhost')}/v1`, apiKey: 'sk-x', model: 'echo' },
    group_id: kDefaultGroupId,
  });
}, { timeout: 60_000 });

function askModel(model, content) {
  return request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: stack.user.api_key,
    body: { model, messages: [{ role: 'user', content }] },
  });
}

/** The names of the gateway's threads (Linux: /proc/<pid>/task/<tid>/comm). */
function threadNames() {
  const tasks = `/proc/${stack.gateway.pid}/task`;
  return readdirSync(tasks).map((tid) => readFileSync(`${tasks}/${tid}/comm`, 'utf8').trim());
}

// stopStack asserts a clean exit within 15 s of SIGTERM, while a lookup hangs for 60 s.
after(async () => {
  try {
    await stopStack(stack);
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}, { timeout: 60_000 });

test('a name lookup that hangs ends with the connect timeout: 504, and the gateway serves on', { timeout: 20_000 }, async () => {
  const answer = await request(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    key: stack.user.api_key,
    body: { model: 'unresolvable', messages: [{ role: 'user', content: 'hello' }] },
  });
  const error = assertOpenAiError(answer, 504);
  assert.match(error.message, /resolving api\.slow-dns\.test: timed out/);

  // Meanwhile, and right after, other upstreams are served (the lookup is not in their way).
  const echo = await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: 'after the lookup' }],
  });
  assert.equal(echo.choices[0].message.content, 'echo: after the lookup');
});

test('a hanging lookup delays no other lookup, and requests for the same name share it', { timeout: 20_000 }, async () => {
  // Five more requests for the hanging name, at once and one after another: each ends at
  // the timeout, and the lookup under way since the first test is the only one.
  const hanging = await Promise.all([1, 2, 3, 4, 5].map((n) => askModel('unresolvable', `again ${n}`)));
  for (const answer of hanging) assertOpenAiError(answer, 504);
  assert.equal(threadNames().filter((name) => name === 'llmgate-dns').length, 1, threadNames().join(' '));
  // Another name is looked up meanwhile, on a thread of its own, and answered.
  const byName = await askModel('by-name', 'looked up while another lookup hangs');
  assert.equal(byName.status, 200, byName.text);
  assert.equal(byName.json.choices[0].message.content, 'echo: looked up while another lookup hangs');
});
