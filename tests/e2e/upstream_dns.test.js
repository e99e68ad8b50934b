// The upstream connect timeout covers the name lookup too: an upstream whose name the
// resolver never answers for gets 504 when the timeout ends, not when getaddrinfo gives up.
// The hanging resolver is ../fakes/slow_dns.c, built here and preloaded into the gateway:
// names ending in .slow-dns.test block for 3 s and then fail (EAI_AGAIN, which the gateway
// would answer 502 "resolving …: …" if it waited for it).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
    env: { LD_PRELOAD: library, ASAN_OPTIONS: asan, LLMGATE_UPSTREAM_CONNECT_TIMEOUT: '300ms' },
  });
  await stack.admin.saveModel({
    name: 'unresolvable',
    config: { baseUrl: 'http://api.slow-dns.test:9/v1', apiKey: 'sk-x' },
    group_id: kDefaultGroupId,
  });
}, { timeout: 60_000 });

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
