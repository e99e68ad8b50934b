// Helpers for the chat-record tests (SPEC 8, issue 5): keys of their own, chat calls that
// keep the answer's x-request-id, conversations that resend their history like an ordinary
// chat client, and waiting for records, which the gateway writes after the answer (queued
// and batched off the request path).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Admin } from './admin.js';
import { eventually } from './eventually.js';
import { request } from './http.js';
import { sseDataLines } from './stack.js';

/** The fields SPEC 8 names for a thread (the gateway may show more). */
export const kThreadFields = [
  'id',
  'key_id',
  'session_id',
  'model',
  'prompt',
  'completion',
  'whole_prompt',
  'tokens_in',
  'tokens_out',
  'price_in',
  'price_out',
  'fee',
  'first_byte_latency_ms',
  'latency_ms',
  'stream',
  'status',
  'error',
  'created_at',
];

/** The fields SPEC 8 names for a session. */
export const kSessionFields = [
  'id',
  'key_id',
  'title',
  'total_in_tokens',
  'total_out_tokens',
  'total_fee',
  'thread_count',
  'created_at',
  'updated_at',
];

/**
 * A word that no other request of the run contains: one full-text token (letters and
 * digits only), so that `q` can find exactly the rows that hold it.
 */
export function uniqueWord(label = 'w') {
  return `${label}${randomBytes(6).toString('hex')}`;
}

/** The admin and user API as `key` (the Admin helper works with any key). */
export function apiAs(stack, key) {
  return new Admin(stack.gateway.url, key.api_key);
}

/**
 * POST /v1/chat/completions with fetch, as `key`, optionally with a Session-Id header.
 * Resolves with {status, headers, text, json, requestId}; never judges the answer.
 */
export async function chat(stack, key, body, { sessionId, signal } = {}) {
  const headers = sessionId === undefined ? {} : { 'session-id': sessionId };
  const answer = await request(`${stack.gateway.baseURL}/chat/completions`, {
    method: 'POST',
    key: key.api_key,
    body,
    headers,
    signal,
  });
  return { ...answer, requestId: answer.headers.get('x-request-id') };
}

/** The streamed answer's text, tool calls and usage, from a whole SSE body. */
export function readStream(text) {
  let content = '';
  let usage;
  let done = false;
  let error;
  for (const data of sseDataLines(text)) {
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const event = JSON.parse(data);
    if (event.error) error = event.error;
    content += event.choices?.[0]?.delta?.content ?? '';
    if (event.usage) usage = event.usage;
  }
  return { content, usage, done, error };
}

/** Body fields for a stream that reports its usage. */
export const kStreamWithUsage = { stream: true, stream_options: { include_usage: true } };

/**
 * Runs a conversation the way an ordinary chat client does: every turn resends the whole
 * history (system prompt, earlier questions and the answers received) plus the new user
 * message. Each turn must succeed. Resolves with one {messages, answer, reply} per turn,
 * `messages` being exactly what that turn sent.
 */
export async function converse(stack, key, { model, turns, system, sessionId, stream = false }) {
  const history = system === undefined ? [] : [{ role: 'system', content: system }];
  const sent = [];
  for (const turn of turns) {
    history.push({ role: 'user', content: turn });
    const messages = structuredClone(history);
    const answer = await chat(stack, key, { model, messages, ...(stream ? kStreamWithUsage : {}) }, { sessionId });
    assert.equal(answer.status, 200, `turn ${JSON.stringify(turn)}: ${answer.text}`);
    const reply = stream ? readStream(answer.text).content : answer.json.choices[0].message.content;
    sent.push({ messages, answer, reply });
    history.push({ role: 'assistant', content: reply });
  }
  return sent;
}

/**
 * Waits until the admin thread list for this key (plus `query`) holds exactly `count`
 * threads, and resolves with them, newest first.
 */
export function waitForThreads(stack, key, count, query = {}) {
  return eventually(
    async () => {
      const page = await stack.admin.list('/admin/thread/list', { key_id: key.id, limit: 1000, ...query });
      assert.equal(page.total, count, `threads of key ${key.id}: ${JSON.stringify(page.items.map(brief))}`);
      assert.equal(page.items.length, count);
      return page.items;
    },
    { what: `${count} threads of key ${key.id} recorded` },
  );
}

/**
 * Waits until the admin session list for this key holds exactly `count` sessions whose
 * thread counts add up to `threads`, and resolves with them, most recent first.
 */
export function waitForSessions(stack, key, count, threads) {
  return eventually(
    async () => {
      const page = await stack.admin.list('/admin/session/list', { key_id: key.id, limit: 1000 });
      assert.equal(page.total, count, `sessions of key ${key.id}: ${JSON.stringify(page.items)}`);
      assert.equal(page.items.length, count);
      if (threads !== undefined) {
        const recorded = page.items.reduce((sum, session) => sum + session.thread_count, 0);
        assert.equal(recorded, threads, `thread counts of key ${key.id}'s sessions`);
      }
      return page.items;
    },
    { what: `${count} sessions of key ${key.id} recorded` },
  );
}

/** A thread without its bulky fields, for failure messages. */
export function brief(thread) {
  const { whole_prompt: _whole, ...rest } = thread;
  return rest;
}

/** Text that SPEC 8 says is not kept when LLMGATE_STORE_CONTENT=false: absent or empty. */
export function isEmptyText(value) {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}
