// The gateway and its open-files limit (each connection is a descriptor, a proxied request
// two). It raises its soft limit to the hard one at start: systemd starts services with
// 1,024, about 500 open streams. At the hard limit it neither spins nor floods its log
// while connections wait in the backlog, and it accepts them once descriptors are free.
// The limits are set with util-linux's prlimit, which then runs the gateway.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { startGateway } from './lib/gateway.js';
import { request } from './lib/http.js';

/** The process's "Max open files" soft and hard limits, from /proc. */
function openFilesLimits(pid) {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((each) => each.startsWith('Max open files'));
  const [soft, hard] = line.slice('Max open files'.length).trim().split(/\s+/);
  return { soft: Number(soft), hard: Number(hard) };
}

function connect(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the gateway's output from the moment it matches `pattern`. */
function outputMatching(gateway, pattern) {
  return new Promise((resolve) => {
    let seen = '';
    const look = (data) => {
      seen += data.toString('utf8');
      if (!pattern.test(seen)) return;
      gateway.child.stdout.off('data', look);
      gateway.child.stderr.off('data', look);
      resolve(seen);
    };
    gateway.child.stdout.on('data', look);
    gateway.child.stderr.on('data', look);
  });
}

test('the soft open-files limit is raised to the hard one at start', { timeout: 30_000 }, async () => {
  const gateway = await startGateway({ wrapper: ['prlimit', '--nofile=64:4096', '--'] });
  try {
    assert.deepEqual(openFilesLimits(gateway.pid), { soft: 4096, hard: 4096 });
    assert.match(gateway.tail(), /open files limit raised from 64 to 4096/);
  } finally {
    await gateway.stop();
  }
});

test('out of descriptors, the gateway waits and says so once, then accepts again', { timeout: 30_000 }, async () => {
  const gateway = await startGateway({ wrapper: ['prlimit', '--nofile=64:64', '--'] });
  let failures = 0;
  const count = (data) => {
    failures += (data.toString('utf8').match(/accept failed/g) ?? []).length;
  };
  gateway.child.stdout.on('data', count);
  gateway.child.stderr.on('data', count);
  const sockets = [];
  try {
    assert.deepEqual(openFilesLimits(gateway.pid), { soft: 64, hard: 64 });
    const exhausted = outputMatching(gateway, /accept failed: Too many open files/);
    // More connections than descriptors are left: the kernel completes every handshake
    // (the backlog), the gateway can take only some of them.
    for (let i = 0; i < 80; ++i) sockets.push(await connect(gateway.url));
    await exhausted;
    // Once they are gone, every waiting connection is taken and new ones are answered.
    for (const socket of sockets) socket.destroy();
    const health = await request(`${gateway.url}/healthz`);
    assert.equal(health.status, 200, health.text);
    // Retrying at once would have logged the failure thousands of times meanwhile.
    assert.ok(failures >= 1 && failures <= 10, `"accept failed" logged ${failures} times`);
    assert.match(gateway.tail(), /accepting connections again/);
  } finally {
    for (const socket of sockets) socket.destroy();
    await gateway.stop();
  }
});
