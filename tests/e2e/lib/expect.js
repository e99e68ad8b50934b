// Assertions shared by the test files: error shapes (SPEC 3 and 6), SDK errors, metrics.

import assert from 'node:assert/strict';
import OpenAI from 'openai';

/**
 * Asserts the admin error envelope of SPEC 3 with the given status. With `param`, the
 * field the error must name in `error.param`; with `message` (a RegExp), what the message
 * must say. Returns the error object.
 */
export function assertAdminError(answer, status, { param, message } = {}) {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text}`);
  const body = answer.json;
  assert.ok(body, `error answer is not JSON: ${answer.text}`);
  assert.equal(body.success, false, answer.text);
  assert.equal(typeof body.data, 'string', `data must be the message: ${answer.text}`);
  assert.ok(body.data.length > 0, answer.text);
  assert.equal(typeof body.error?.message, 'string', answer.text);
  assert.equal(typeof body.error?.type, 'string', answer.text);
  assert.ok('code' in body.error, `error.code missing: ${answer.text}`);
  assert.equal(body.data, body.error.message, `data must repeat the message: ${answer.text}`);
  if (param !== undefined) assert.equal(body.error.param, param, `error.param: ${answer.text}`);
  if (message !== undefined) assert.match(body.error.message, message, answer.text);
  return body.error;
}

/** Asserts OpenAI's error shape {error: {message, type, param, code}} with the given status. */
export function assertOpenAiError(answer, status, { code, param } = {}) {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text}`);
  const error = answer.json?.error;
  assert.ok(error, `no OpenAI error object: ${answer.text}`);
  assert.equal(typeof error.message, 'string', answer.text);
  assert.ok(error.message.length > 0, answer.text);
  assert.equal(typeof error.type, 'string', answer.text);
  assert.ok('param' in error, `error.param missing: ${answer.text}`);
  assert.ok('code' in error, `error.code missing: ${answer.text}`);
  if (code !== undefined) assert.equal(error.code, code, answer.text);
  if (param !== undefined) assert.equal(error.param, param, answer.text);
  return error;
}

/**
 * Awaits a call through the openai client that must fail, and checks the SDK raised the
 * class OpenAI documents for that status. Returns the error for further checks.
 */
export async function expectApiError(promise, { status, errorClass, code, param }) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected an error with status ${status}, but the call succeeded`);
  assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${error?.stack ?? error}`);
  assert.equal(error.status, status, `status: ${error.message}`);
  if (errorClass) {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error.constructor.name}`);
  }
  if (code !== undefined) assert.equal(error.code, code, `code: ${error.message}`);
  if (param !== undefined) assert.equal(error.param, param, `param: ${error.message}`);
  return error;
}

/**
 * Parses Prometheus text format into [{name, labels, value}] (comments skipped). Enough
 * for our own exposition; not a general parser.
 */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    assert.ok(match, `not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (match[2]) {
      for (const pair of match[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      }
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function metricValue(samples, name, labels = {}) {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * Awaits `promise`, failing with `what` if it has not settled within `ms`: a bound on
 * waiting for an event, so that a missing event fails with a message, not a hung test.
 */
export async function within(ms, what, promise) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
