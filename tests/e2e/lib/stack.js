// One test file's world: a fake upstream, a gateway on a fresh database, a user key, and
// one gateway model per fake behaviour, granted to the default group.
//
// Gateway model names differ from the upstream ids (`gw-echo` → `echo`) so that every test
// also checks the gateway rewrites `model` upstream and restores its own name in answers.

import OpenAI from 'openai';
import { startFakeUpstream } from '../../fakes/openai_upstream.js';
import { Admin } from './admin.js';
import { startGateway } from './gateway.js';

export const kUpstreamApiKey = 'sk-fake-upstream-secret';
export const kUpstreamHeader = ['x-fake-tenant', 'llmgate-e2e'];
export const kDefaultGroupId = 1;

export const kBehaviours = [
  'echo',
  'echo-fragmented',
  'tools',
  'status-400',
  'status-401',
  'status-403',
  'status-404',
  'status-429',
  'status-500',
  'status-503',
  'hang',
  'cut',
  'stall',
  'slow-stream',
  'gated',
  'drop-after',
];

/** The gateway's name for the model whose upstream id is `behaviour`. */
export function gatewayModel(behaviour) {
  return `gw-${behaviour}`;
}

/** An openai client on the gateway; retries off so that every call reaches it once. */
export function openaiClient(gateway, apiKey, options = {}) {
  return new OpenAI({ apiKey, baseURL: gateway.baseURL, maxRetries: 0, timeout: 30_000, ...options });
}

/**
 * Starts the fake upstream and the gateway and registers the models.
 * @param {{env?: Record<string,string>}} options extra gateway environment
 */
export async function startStack({ env = {} } = {}) {
  const fake = await startFakeUpstream();
  let gateway;
  try {
    gateway = await startGateway({ env });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const stack = { fake, gateway, env };
  try {
    const admin = new Admin(gateway.url, gateway.adminKey);
    const user = await admin.createKey({ name: 'e2e-user' });
    const models = {};
    for (const behaviour of kBehaviours) {
      models[behaviour] = await admin.saveModel({
        name: gatewayModel(behaviour),
        config: {
          baseUrl: `${fake.url}/v1`,
          apiKey: kUpstreamApiKey,
          model: behaviour,
          headers: { [kUpstreamHeader[0]]: kUpstreamHeader[1] },
        },
        group_id: kDefaultGroupId,
      });
    }
    Object.assign(stack, {
      admin,
      user,
      models,
      client: openaiClient(gateway, user.api_key),
      adminClient: openaiClient(gateway, gateway.adminKey),
    });
    return stack;
  } catch (error) {
    const output = gateway.tail();
    await gateway.cleanup();
    await fake.close();
    throw new Error(`setting up the test stack failed: ${error.message}\ngateway output:\n${output}`, {
      cause: error,
    });
  }
}

/**
 * Restarts the stack's gateway on the same database (same admin key, new port) and points
 * `stack.gateway`, `admin`, `client` and `adminClient` at the new process. The old one is
 * stopped with SIGTERM (asserting a clean exit) or, with `kill`, with SIGKILL; one that has
 * already exited (a test signalled it itself and judged its exit) is restarted as it is.
 * `env` is merged over the environment the stack was started with and kept for later
 * restarts. Resolves with how the old process ended, {code, signal}.
 * @param {{env?: Record<string,string>, kill?: boolean}} options
 */
export async function restartGateway(stack, { env = {}, kill = false } = {}) {
  const old = stack.gateway;
  let ended;
  if (old.exited) {
    ended = await old.exit;
  } else if (kill) {
    ended = await old.kill();
  } else {
    await old.stop({ keepDir: true });
    ended = await old.exit;
  }
  stack.env = { ...stack.env, ...env };
  const gateway = await startGateway({ env: stack.env, reuse: old });
  Object.assign(stack, {
    gateway,
    admin: new Admin(gateway.url, gateway.adminKey),
    client: openaiClient(gateway, stack.user.api_key),
    adminClient: openaiClient(gateway, gateway.adminKey),
  });
  return ended;
}

/** Stops the gateway (asserting a clean exit) and the fake. */
export async function stopStack(stack) {
  if (!stack) return;
  try {
    await stack.gateway?.stop();
  } finally {
    await stack.fake?.close();
  }
}

/** A unique prompt, so that a test can find its own request among the fake's records. */
let promptCounter = 0;
export function uniquePrompt(label) {
  promptCounter += 1;
  return `${label} ${process.pid} ${promptCounter} ${Math.random().toString(36).slice(2, 8)}`;
}

/** The fake's record of the request whose last message is `prompt`. */
export function upstreamRequestFor(fake, prompt) {
  return fake.findRequest((r) => r.body?.messages?.at(-1)?.content === prompt);
}

/** Reads a whole SSE body as a list of `data:` payloads (strings). */
export function sseDataLines(text) {
  const events = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length > 0) events.push(data.join('\n'));
  }
  return events;
}
