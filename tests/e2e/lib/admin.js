// The admin calls the tests need (SPEC 3 and 4), checking the envelope on every answer.

import assert from 'node:assert/strict';
import { assertAdminError } from './expect.js';
import { request } from './http.js';

/** `path?name=value&...` with every value sent as given (empty strings included). */
export function withQuery(path, query = {}) {
  const entries = Object.entries(query).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return path;
  return `${path}?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

/**
 * Asserts the list answer of SPEC 3: {items, total, limit, offset}, total a number; a record
 * list whose count stopped at its cap adds "total_exact": false (docs/api.md).
 */
export function assertPage(data, { limit, offset } = {}) {
  assert.ok(data && typeof data === 'object', `a list answer must be an object: ${JSON.stringify(data)}`);
  const keys = Object.keys(data).filter((key) => key !== 'total_exact').sort();
  assert.deepEqual(keys, ['items', 'limit', 'offset', 'total'], JSON.stringify(data));
  if ('total_exact' in data) assert.equal(data.total_exact, false, 'total_exact is only ever false');
  assert.ok(Array.isArray(data.items), 'items must be an array');
  assert.equal(typeof data.total, 'number', 'total must be a number');
  assert.ok(data.total >= data.items.length, `total ${data.total} < ${data.items.length} items`);
  assert.ok(data.items.length <= data.limit, `more items than limit ${data.limit}`);
  if (limit !== undefined) assert.equal(data.limit, limit, 'limit');
  if (offset !== undefined) assert.equal(data.offset, offset, 'offset');
  return data;
}

export class Admin {
  constructor(gatewayUrl, adminKey) {
    this.gatewayUrl = gatewayUrl;
    this.adminKey = adminKey;
  }

  /** Any admin call; resolves with {status, headers, json, text} without judging it. */
  call(method, path, body, key = this.adminKey) {
    return request(`${this.gatewayUrl}${path}`, { method, body, key });
  }

  /** A call that must succeed: asserts the success envelope and returns its `data`. */
  async ok(method, path, body) {
    const answer = await this.call(method, path, body);
    assert.equal(answer.status, 200, `${method} ${path} answered ${answer.status}: ${answer.text}`);
    assert.equal(answer.json?.success, true, `${method} ${path} envelope: ${answer.text}`);
    assert.ok('data' in answer.json, `${method} ${path} envelope has no data: ${answer.text}`);
    return answer.json.data;
  }

  /** A GET that must succeed; `query` values are sent as given (empty strings too). */
  get(path, query) {
    return this.ok('GET', withQuery(path, query));
  }

  /** A list GET that must succeed with the list shape; returns {items, total, limit, offset}. */
  async list(path, query) {
    return assertPage(await this.get(path, query));
  }

  /**
   * A call that must fail with `status` in the admin envelope; with `param` / `message`
   * as in assertAdminError. Returns the answer.
   */
  async fails(method, path, body, status, expectations = {}) {
    const answer = await this.call(method, path, body);
    assertAdminError(answer, status, expectations);
    return answer;
  }

  /**
   * POST /admin/api-key/apply; returns the key row with the plain `api_key`. Keys get a
   * monthly quota unless the test says otherwise: without money a key is refused (402).
   */
  createKey(fields) {
    return this.ok('POST', '/admin/api-key/apply', { month_quota: 1000, ...fields });
  }

  /**
   * Everything the admin API can show (keys, models, groups, bots, payments, grants), to
   * prove that a refused call changed nothing: compare two snapshots with deepEqual.
   */
  async snapshot() {
    const all = { limit: 1000 };
    return {
      keys: await this.list('/admin/api-key/list', all),
      models: await this.list('/admin/model/list', all),
      groups: await this.list('/admin/group/list', all),
      bots: await this.list('/admin/bot/feishu/list', all),
      payments: await this.list('/admin/payment/list', all),
      keyGrants: await this.list('/admin/api-key/list-model', all),
      groupGrants: await this.list('/admin/group/list-model', all),
    };
  }

  /** POST /admin/model/save for an openai-compatible model; returns the model row. */
  saveModel(fields) {
    return this.ok('POST', '/admin/model/save', {
      provider: 'openai-compatible',
      price_in: 1,
      price_out: 2,
      ...fields,
    });
  }

  authorizeGroup(groupId, modelId) {
    return this.ok('POST', '/admin/group/authorize-model', { group_id: groupId, model_id: modelId });
  }

  authorizeKey(keyId, modelId) {
    return this.ok('POST', '/admin/api-key/authorize-model', { key_id: keyId, model_id: modelId });
  }
}
