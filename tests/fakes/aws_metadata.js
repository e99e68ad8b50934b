// A fake of where AWS hands a machine its role's temporary credentials, as the AWS SDKs
// read them: the EC2 instance metadata service, IMDSv2 (PUT /latest/api/token, then
// /latest/meta-data/iam/security-credentials/ and /…/<role> with the token), the ECS /
// EKS container credentials endpoint (GET with the Authorization token), and STS's
// AssumeRoleWithWebIdentity (POST / with a form body, answered in XML, as for EKS IAM roles
// for service accounts) and AssumeRole (the same, signed with SigV4 for service "sts",
// checked with AWS's own signer; the role kCrossAccountRoleArn wants kExternalId). The credentials are the fake Bedrock's session keys, so that
// requests signed with them are accepted.

import http from 'node:http';
import { EventEmitter } from 'node:events';
import {
  kSessionAccessKeyId,
  kSessionSecretAccessKey,
  kSessionToken,
  verifySigV4,
} from './bedrock_upstream.js';

export const kRoleName = 'llmgate-e2e-role';
export const kContainerPath = '/v2/credentials/e2e';
export const kContainerToken = 'container-authorization-token-e2e';
export const kRoleArn = 'arn:aws:iam::123456789012:role/llmgate-e2e';
export const kWebIdentityToken = 'eyJhbGciOiJSUzI1NiJ9.e2e-service-account.signature';
export const kCrossAccountRoleArn = 'arn:aws:iam::210987654321:role/bedrock-for-llmgate';
export const kExternalId = 'llmgate-e2e-external-id';

/**
 * Starts the fake. `expiresInMs`: how long the credentials it hands out are valid.
 * Resolves with {url, fetches(), waitForFetches(n), webIdentityCalls, acceptToken(t),
 * close()}; fetches() counts the credentials documents served; webIdentityCalls lists the
 * {token, roleArn, sessionName} of each AssumeRoleWithWebIdentity, accepted or not; STS
 * accepts kWebIdentityToken and the tokens given to acceptToken; assumeRoleCalls lists the
 * {roleArn, sessionName, externalId, accessKeyId, region, error} of each AssumeRole.
 */
const xmlEscape = (text) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function stsError(code, message) {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>
  <RequestId>e2e-request</RequestId>
</ErrorResponse>`;
}

export async function startFakeAwsMetadata({ expiresInMs = 6 * 3600 * 1000 } = {}) {
  const events = new EventEmitter();
  const tokens = new Set();
  let fetches = 0;
  let nextToken = 1;
  const webIdentityCalls = [];
  const assumeRoleCalls = [];
  const acceptedTokens = new Set([kWebIdentityToken]);

  const expiration = () => new Date(Date.now() + expiresInMs).toISOString().replace(/\.\d+Z$/, 'Z');
  const served = () => {
    fetches += 1;
    events.emit('fetch', fetches);
  };
  const credentials = () => {
    served();
    return JSON.stringify({
      Code: 'Success',
      LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Type: 'AWS-HMAC',
      AccessKeyId: kSessionAccessKeyId,
      SecretAccessKey: kSessionSecretAccessKey,
      Token: kSessionToken,
      Expiration: expiration(),
    });
  };

  const assumeRole = async (req, rawBody, form) => {
    const call = {
      roleArn: form.get('RoleArn'),
      sessionName: form.get('RoleSessionName'),
      externalId: form.get('ExternalId'),
    };
    assumeRoleCalls.push(call);
    try {
      const auth = await verifySigV4(req, rawBody, undefined, 'sts');
      call.accessKeyId = auth.accessKeyId;
      call.region = auth.region;
    } catch (error) {
      call.error = error.type;
      return [403, stsError('SignatureDoesNotMatch', error.message)];
    }
    if (call.roleArn !== kCrossAccountRoleArn || call.externalId !== kExternalId) {
      call.error = 'AccessDenied';
      return [403, stsError('AccessDenied', `User: ${call.accessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${call.roleArn}`)];
    }
    served();
    return [200, credentialsXml('AssumeRole', `arn:aws:sts::210987654321:assumed-role/bedrock-for-llmgate/${call.sessionName}`)];
  };

  const credentialsXml = (action, arn) => `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    <AssumedRoleUser><Arn>${arn}</Arn><AssumedRoleId>AROAE2E</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>${xmlEscape(kSessionToken)}</SessionToken>
      <SecretAccessKey>${xmlEscape(kSessionSecretAccessKey)}</SecretAccessKey>
      <Expiration>${expiration()}</Expiration>
      <AccessKeyId>${kSessionAccessKeyId}</AccessKeyId>
    </Credentials>
  </${action}Result>
  <ResponseMetadata><RequestId>e2e-request</RequestId></ResponseMetadata>
</${action}Response>`;

  const assumeRoleWithWebIdentity = (form) => {
    const call = {
      token: form.get('WebIdentityToken'),
      roleArn: form.get('RoleArn'),
      sessionName: form.get('RoleSessionName'),
    };
    webIdentityCalls.push(call);
    if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('Version') !== '2011-06-15') {
      return [400, stsError('InvalidAction', 'Could not find operation')];
    }
    if (call.roleArn !== kRoleArn) return [403, stsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')];
    if (!acceptedTokens.has(call.token)) return [400, stsError('InvalidIdentityToken', 'Token signature is invalid')];
    if (!/^[\w+=,.@-]{2,64}$/.test(call.sessionName ?? '')) return [400, stsError('ValidationError', 'roleSessionName is invalid')];
    served();
    // What an EKS service account gets; Result's other fields (subject, audience) are left out.
    return [200, credentialsXml('AssumeRoleWithWebIdentity', `arn:aws:sts::123456789012:assumed-role/llmgate-e2e/${call.sessionName}`)];
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
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
      if (req.method === 'POST' && path === '/') {
        const rawBody = Buffer.concat(chunks).toString();
        const form = new URLSearchParams(rawBody);
        if (form.get('Action') === 'AssumeRole') {
          assumeRole(req, rawBody, form).then(([status, xml]) => send(status, xml, 'text/xml'));
          return undefined;
        }
        const [status, xml] = assumeRoleWithWebIdentity(form);
        return send(status, xml, 'text/xml');
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
    webIdentityCalls,
    assumeRoleCalls,
    acceptToken: (token) => acceptedTokens.add(token),
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
