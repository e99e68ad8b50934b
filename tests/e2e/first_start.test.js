// The first start on an empty database without LLMGATE_ADMIN_KEY (README, "Quick start"):
// an admin key is made, shown once on stderr and kept in admin.key (mode 0600) beside the
// SQLite database; a later start makes none. And the command line's own answers.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { onPostgres } from './lib/database.js';
import { gatewayBinary, startGateway } from './lib/gateway.js';
import { request } from './lib/http.js';

let gateway;

afterEach(async () => {
  await gateway?.cleanup();
  gateway = undefined;
}, { timeout: 30_000 });

test('without LLMGATE_ADMIN_KEY the first start makes an admin key, shown once and kept in admin.key', { timeout: 30_000 }, async () => {
  gateway = await startGateway({ env: { LLMGATE_ADMIN_KEY: '' } });
  const shown = /created the first admin key \(shown only now\): (br-[A-Za-z0-9]+)/.exec(gateway.tail());
  assert.ok(shown, `no admin key on stderr:\n${gateway.tail()}`);
  const key = shown[1];
  const listed = await request(`${gateway.url}/admin/api-key/list`, { key });
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.data.items.find((k) => k.role === 'admin').name, 'admin');

  const file = /the admin key is also in (\S+) \(mode 0600\)/.exec(gateway.tail());
  if (!onPostgres()) {
    assert.ok(file, `no admin.key named:\n${gateway.tail()}`);
    assert.equal((await readFile(file[1], 'utf8')).trim(), key);
    assert.equal((await stat(file[1])).mode & 0o777, 0o600);
  }

  // Started again on the same database: it has its admin, so no new key is made.
  await gateway.stop({ keepDir: true });
  gateway = await startGateway({ env: { LLMGATE_ADMIN_KEY: '' }, reuse: gateway });
  assert.doesNotMatch(gateway.tail(), /created the first admin key/);
  assert.equal((await request(`${gateway.url}/admin/api-key/list`, { key })).status, 200);
});

test('--help lists the settings and version prints the version, both exiting 0', () => {
  const help = execFileSync(gatewayBinary(), ['serve', '--help'], { encoding: 'utf8' });
  assert.match(help, /--listen/);
  assert.match(help, /--database/);
  const version = execFileSync(gatewayBinary(), ['version'], { encoding: 'utf8' });
  assert.match(version, /^llmgate \d+\.\d+\.\d+/);
});
