// The admin calls the tests need (SPEC 3 and 4), checking the envelope on every answer.

import assert from 'node:assert/strict';
import { request } from './http.js';

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

  /** POST /admin/api-key/apply; returns the key row with the plain `api_key`. */
  createKey(fields) {
    return this.ok('POST', '/admin/api-key/apply', fields);
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
