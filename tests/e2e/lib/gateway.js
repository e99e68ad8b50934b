// Starts the real llmgate binary for one test file and stops it again.
//
// The binary comes from $LLMGATE_BIN (the Makefile passes build/release/llmgate). Each
// gateway gets its own temporary directory and a fresh database (see database.js), listens
// on 127.0.0.1 port 0, and is considered ready when it prints `listening on http://...`.
// Nothing here sleeps: readiness and exit are awaited as events, bounded by timeouts that
// fail with the gateway's own output.

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl } from './database.js';

const kBase62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const kReadyTimeoutMs = 20_000;
const kStopTimeoutMs = 15_000;
const kKeptOutputChars = 200_000;
const kListeningPattern = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;
// Settings from the developer's shell must not leak into the gateway under test; these
// only change how much it logs.
const kPassedThroughEnv = new Set(['LLMGATE_LOG', 'LLMGATE_LOG_FORMAT']);

/** A key in llmgate's format: `br-` and 32 base62 characters. */
export function generateKey() {
  let key = 'br-';
  for (let index = 0; index < 32; ++index) key += kBase62[randomInt(kBase62.length)];
  return key;
}

export function gatewayBinary() {
  const bin = process.env.LLMGATE_BIN;
  if (!bin) {
    throw new Error(
      'LLMGATE_BIN is not set: run `make e2e`, or set it to the absolute path of build/release/llmgate',
    );
  }
  return bin;
}

function childEnv(extraEnv) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('LLMGATE_') || kPassedThroughEnv.has(name)) env[name] = value;
  }
  // A machine's outbound proxy would take the fakes' loopback upstreams too; a test that
  // wants a proxy names one (proxy.test.js).
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
    delete env[name];
    delete env[name.toLowerCase()];
  }
  // The machine's own ~/.aws/credentials must not change what a test sees (a Bedrock model
  // without credentials is refused); a test that wants a file names one.
  return { ...env, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/llmgate-e2e/aws-credentials', ...extraEnv };
}

class Gateway {
  constructor({ child, dir, adminKey, databaseUrl }) {
    this.child = child;
    this.dir = dir;
    this.adminKey = adminKey;
    this.databaseUrl = databaseUrl;
    this.output = '';
    this.url = undefined;
    this.exit = new Promise((resolve) => {
      // 'close' rather than 'exit': it comes after the output pipes are drained.
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.exited = false;
    this.exit.then(() => {
      this.exited = true;
    });
    const collect = (data) => {
      const text = data.toString('utf8');
      if (process.env.LLMGATE_TEST_VERBOSE) process.stderr.write(text);
      this.output = (this.output + text).slice(-kKeptOutputChars);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
  }

  /** The OpenAI base URL clients use. */
  get baseURL() {
    return `${this.url}/v1`;
  }

  get pid() {
    return this.child.pid;
  }

  tail(chars = 4000) {
    return this.output.slice(-chars);
  }

  async waitUntilListening() {
    let timer;
    let onData;
    try {
      await Promise.race([
        new Promise((resolve) => {
          let seen = '';
          onData = (data) => {
            seen = (seen + data.toString('utf8')).slice(-4096);
            const match = kListeningPattern.exec(seen);
            if (match) {
              this.url = match[1];
              resolve();
            }
          };
          this.child.stderr.on('data', onData);
          this.child.stdout.on('data', onData);
        }),
        this.exit.then(({ code, signal }) => {
          throw new Error(
            `llmgate exited (code ${code}, signal ${signal}) before listening; output:\n${this.tail()}`,
          );
        }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `llmgate did not print "listening on http://127.0.0.1:<port>" within ` +
                    `${kReadyTimeoutMs} ms; output:\n${this.tail()}`,
                ),
              ),
            kReadyTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.child.stderr.off('data', onData);
      this.child.stdout.off('data', onData);
    }
  }

  /** Sends a signal and resolves with {code, signal} once the process has exited. */
  async signalAndWait(signal = 'SIGTERM', timeoutMs = kStopTimeoutMs) {
    if (!this.exited) this.child.kill(signal);
    return this.waitForExit(timeoutMs, signal);
  }

  /**
   * Resolves with {code, signal} once the process has exited; after timeoutMs it is
   * killed and this throws with its output.
   */
  async waitForExit(timeoutMs = kStopTimeoutMs, reason = 'the signal') {
    let timer;
    const outcome = await Promise.race([
      this.exit,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome) return outcome;
    this.child.kill('SIGKILL');
    await this.exit;
    throw new Error(
      `llmgate did not exit within ${timeoutMs} ms of ${reason} (killed); output:\n${this.tail()}`,
    );
  }

  /**
   * Kills the process with SIGKILL (no chance to flush anything) and resolves with
   * {code, signal} once it is gone. Its directory and database stay, for a restart with
   * startGateway({reuse: this}).
   */
  async kill() {
    return this.signalAndWait('SIGKILL');
  }

  /**
   * Stops the gateway gracefully and removes its directory (unless `keepDir`, for a
   * restart on the same database with startGateway({reuse: this})). Throws when it had
   * crashed earlier or does not exit 0, so that every test file also checks a clean
   * shutdown.
   */
  async stop({ keepDir = false } = {}) {
    const crashedEarlier = this.exited;
    try {
      const { code, signal } = await this.signalAndWait('SIGTERM');
      if (crashedEarlier) {
        throw new Error(
          `llmgate had already exited (code ${code}, signal ${signal}) before the tests ended; ` +
            `output:\n${this.tail()}`,
        );
      }
      if (code !== 0) {
        throw new Error(
          `llmgate exited with code ${code} (signal ${signal}) after SIGTERM; output:\n${this.tail()}`,
        );
      }
    } finally {
      await this.cleanup({ keepDir });
    }
  }

  /** Kills the process if it still runs (no judgement) and removes its directory. */
  async cleanup({ keepDir = false } = {}) {
    if (!this.exited) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
    if (!keepDir && !process.env.LLMGATE_TEST_KEEP_DIRS) {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/**
 * Starts llmgate on 127.0.0.1:0 with a fresh database.
 * @param {{env?: Record<string,string>, args?: string[], reuse?: Gateway}} options extra env
 *   (e.g. LLMGATE_UPSTREAM_FIRST_BYTE_TIMEOUT) and extra command-line arguments for
 *   `serve`; with `reuse`, an exited gateway (see kill() and stop({keepDir: true})) whose
 *   directory, database and admin key the new one takes over (a restart); with `share`, a
 *   gateway whose database and admin key the new one uses beside it (another replica on a
 *   shared PostgreSQL database, SPEC 11), in a directory of its own; with `wrapper`, a
 *   command that runs the binary (e.g. ['prlimit', '--nofile=64:64', '--']) and execs it, so
 *   that the process id stays the gateway's.
 */
export async function startGateway({ env = {}, args = [], reuse, share, wrapper = [] } = {}) {
  if (reuse && !reuse.exited) throw new Error('startGateway({reuse}): that gateway still runs');
  const dir = reuse ? reuse.dir : await mkdtemp(path.join(tmpdir(), 'llmgate-e2e-'));
  const from = reuse ?? share;
  const databaseUrl = from ? from.databaseUrl : freshDatabaseUrl(dir);
  const adminKey = from ? from.adminKey : generateKey();
  const command = [...wrapper, gatewayBinary()];
  const child = spawn(
    command[0],
    [...command.slice(1), 'serve', '--listen', '127.0.0.1:0', '--database', databaseUrl, ...args],
    {
      cwd: dir,
      env: childEnv({ LLMGATE_ADMIN_KEY: adminKey, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const spawnFailed = new Promise((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => {});
  const gateway = new Gateway({ child, dir, adminKey, databaseUrl });
  try {
    await Promise.race([gateway.waitUntilListening(), spawnFailed]);
  } catch (error) {
    if (!gateway.exited) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return gateway;
}
