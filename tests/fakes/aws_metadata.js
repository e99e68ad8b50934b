// A fake of where AWS hands a machine its role's temporary credentials, as the AWS SDKs
// read them: the EC2 instance metadata service, IMDSv2 (PUT /latest/api/token, then
// /latest/meta-data/iam/security-credentials/ and /…/<role> with the token), and the ECS /
// EKS container credentials endpoint (GET with the Authorization token). The credentials are
// the fake Bedrock's session keys, so that requests signed with them are accepted.

import http from 'node:http';
import { EventEmitter } from 'node:events';
import { kSessionAccessKeyId, kSessionSecretAccessKey, kSessionToken } from './bedrock_upstream.js';

export const kRoleName = 'llmgate-e2e-role';
export const kContainerPath = '/v2/credentials/e2e';
export const kContainerToken = 'container-authorization-token-e2e';

/**
 * Starts the fake. `expiresInMs`: how long the credentials it hands out are valid.
 * Resolves with {url, fetches(), waitForFetches(n), close()}; fetches() counts the
 * credentials documents served.
 */
export async function startFakeAwsMetadata({ expiresInMs = 6 * 3600 * 1000 } = {}) {
  const events = new EventEmitter();
  const tokens = new Set();
  let fetches = 0;
  let nextToken = 1;

  const credentials = () => {
    fetches += 1;
    events.emit('fetch', fetches);
    return JSON.stringify({
      Code: 'Success',
      LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Type: 'AWS-HMAC',
      AccessKeyId: kSessionAccessKeyId,
      SecretAccessKey: kSessionSecretAccessKey,
      Token: kSessionToken,
      Expiration: new Date(Date.now() + expiresInMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
  };

  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const send = (status, body, type = 'text/plain') => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'PUT' && path === '/latest/api/token') {
        if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return send(400, 'missing ttl');
        const token = `imds-token-${nextToken++}`;
        tokens.add(token);
        return send(200, token);
      }
      if (path.startsWith('/latest/meta-data/iam/security-credentials/')) {
        // IMDSv2 only: without a token from the PUT above, 401 (as with HttpTokens=required).
        if (!tokens.has(req.headers['x-aws-ec2-metadata-token'])) return send(401, 'unauthorized');
        const role = path.slice('/latest/meta-data/iam/security-credentials/'.length);
        if (role === '') return send(200, kRoleName);
        if (role !== kRoleName) return send(404, 'no such role');
        return send(200, credentials(), 'application/json');
      }
      if (req.method === 'GET' && path === kContainerPath) {
        if (req.headers.authorization !== kContainerToken) return send(401, 'unauthorized');
        return send(200, credentials(), 'application/json');
      }
      return send(404, `no route ${req.method} ${path}`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    fetches: () => fetches,
    /** Resolves once `count` credentials documents have been served. */
    waitForFetches(count) {
      if (fetches >= count) return Promise.resolve();
      return new Promise((resolve) => {
        const listener = (seen) => {
          if (seen < count) return;
          events.off('fetch', listener);
          resolve();
        };
        events.on('fetch', listener);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
