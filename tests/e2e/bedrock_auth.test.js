// bedrock-converse credentials and region failover end to end, against the fake Bedrock
// (../fakes/bedrock_upstream.js) that verifies SigV4 with AWS's own signer:
// keys, session tokens, Bedrock API keys (bearer), the AWS_* environment, the shared
// credentials file, the role the gateway runs under (instance metadata, container endpoint,
// web identity at STS), a wrong secret
// answered with a clear 502, and failover to the next region on throttling, 5xx or a
// refused connection.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import {
  kAccessKeyId,
  kBearerToken,
  kSecretAccessKey,
  kSessionAccessKeyId,
  kSessionSecretAccessKey,
  kSessionToken,
  startFakeBedrock,
} from '../fakes/bedrock_upstream.js';
import {
  kContainerPath,
  kContainerToken,
  kCrossAccountRoleArn,
  kExternalId,
  kRoleArn,
  kWebIdentityToken,
  startFakeAwsMetadata,
} from '../fakes/aws_metadata.js';
import { Admin } from './lib/admin.js';
import { eventually } from './lib/eventually.js';
import { expectApiError } from './lib/expect.js';
import { startGateway } from './lib/gateway.js';
import { openaiClient, uniquePrompt } from './lib/stack.js';

const kModelId = 'anthropic.claude-3-haiku-20240307-v1:0';

let fake;
let gateway;
let admin;
let client;
let modelCount = 0;

/** Saves a bedrock-converse model with `config` (plus modelId) and returns its name. */
async function bedrockModel(config) {
  modelCount += 1;
  const name = `bedrock-auth-${modelCount}`;
  await admin.saveModel({
    name,
    provider: 'bedrock-converse',
    group_id: 1,
    config: { modelId: kModelId, ...config },
  });
  return name;
}

const kKeys = { accessKeyId: kAccessKeyId, secretAccessKey: kSecretAccessKey };

function askWith(gatewayClient, model, prompt, extra = {}) {
  return gatewayClient.chat.completions.create({
    model,
    messages: [{ role: 'user', content: prompt }],
    ...extra,
  });
}

/** Every request the fake saw for `prompt`, in arrival order. */
function upstreamRequestsFor(prompt) {
  return fake.requests.filter((r) => r.rawBody.includes(prompt));
}

/** A local port nothing listens on. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  fake = await startFakeBedrock();
  gateway = await startGateway();
  admin = new Admin(gateway.url, gateway.adminKey);
  client = openaiClient(gateway, (await admin.createKey({ name: 'bedrock-auth' })).api_key);
}, { timeout: 60_000 });

after(async () => {
  try {
    await gateway?.stop();
  } finally {
    await fake?.close();
  }
}, { timeout: 60_000 });

test('access keys with a session token are signed and accepted', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({
    region: 'eu-west-1',
    endpoint: fake.url,
    accessKeyId: kSessionAccessKeyId,
    secretAccessKey: kSessionSecretAccessKey,
    sessionToken: kSessionToken,
  });
  const prompt = uniquePrompt('session token');
  const completion = await askWith(client, model, prompt);
  assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
  const [upstream] = upstreamRequestsFor(prompt);
  assert.equal(upstream.rejected, undefined);
  assert.equal(upstream.accessKeyId, kSessionAccessKeyId);
  assert.equal(upstream.scopeRegion, 'eu-west-1');
  assert.equal(upstream.headers['x-amz-security-token'], kSessionToken);
  assert.match(upstream.headers.authorization, /SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,/);
});

test('a wrong secret is answered with a clear 502 about the gateway credentials', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({
    region: 'us-east-1',
    endpoint: fake.url,
    accessKeyId: kAccessKeyId,
    secretAccessKey: 'not-the-right-secret',
  });
  const prompt = uniquePrompt('wrong secret');
  const error = await expectApiError(askWith(client, model, prompt), {
    status: 502,
    errorClass: OpenAI.InternalServerError,
  });
  assert.match(error.message, /gateway's Bedrock credentials were rejected/);
  assert.match(error.message, /InvalidSignatureException/);
  assert.doesNotMatch(error.message, /not-the-right-secret/);
  const [upstream] = upstreamRequestsFor(prompt);
  assert.equal(upstream.rejected, 'InvalidSignatureException', 'AWS\'s signer disagreed');

  const streamed = await expectApiError(askWith(client, model, uniquePrompt('wrong secret stream'), { stream: true }), {
    status: 502,
  });
  assert.match(streamed.message, /credentials/);
});

test('an unknown access key is answered with a 502 about the gateway credentials', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({
    region: 'us-east-1',
    endpoint: fake.url,
    accessKeyId: 'AKIAUNKNOWNKEY000000',
    secretAccessKey: kSecretAccessKey,
  });
  const error = await expectApiError(askWith(client, model, uniquePrompt('unknown key')), { status: 502 });
  assert.match(error.message, /UnrecognizedClientException/);
});

test('a Bedrock API key is sent as a bearer token; a wrong one gets a clear 502', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({ region: 'us-west-2', endpoint: fake.url, bearerToken: kBearerToken });
  const prompt = uniquePrompt('bearer');
  const completion = await askWith(client, model, prompt);
  assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
  const [upstream] = upstreamRequestsFor(prompt);
  assert.equal(upstream.auth, 'bearer');
  assert.equal(upstream.headers.authorization, `Bearer ${kBearerToken}`);
  assert.equal(upstream.headers['x-amz-date'], undefined);

  const wrong = await bedrockModel({ region: 'us-west-2', endpoint: fake.url, bearerToken: 'ABSKwrong' });
  const error = await expectApiError(askWith(client, wrong, uniquePrompt('wrong bearer')), { status: 502 });
  assert.match(error.message, /gateway's Bedrock credentials were rejected/);
});

test('credentials and region come from the AWS environment when the config has none', { timeout: 30_000 }, async () => {
  const envGateway = await startGateway({
    env: {
      AWS_ACCESS_KEY_ID: kAccessKeyId,
      AWS_SECRET_ACCESS_KEY: kSecretAccessKey,
      AWS_REGION: 'ap-southeast-2',
    },
  });
  try {
    const envAdmin = new Admin(envGateway.url, envGateway.adminKey);
    await envAdmin.saveModel({
      name: 'bedrock-env',
      provider: 'bedrock-converse',
      group_id: 1,
      config: { modelId: kModelId, endpoint: fake.url },
    });
    const envClient = openaiClient(envGateway, (await envAdmin.createKey({ name: 'env' })).api_key);
    const prompt = uniquePrompt('from the environment');
    const completion = await askWith(envClient, 'bedrock-env', prompt);
    assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
    const [upstream] = upstreamRequestsFor(prompt);
    assert.equal(upstream.accessKeyId, kAccessKeyId);
    assert.equal(upstream.scopeRegion, 'ap-southeast-2');
  } finally {
    await envGateway.stop();
  }
});

test('credentials come from a profile of the shared credentials file', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgate-aws-'));
  const file = join(dir, 'credentials');
  await writeFile(file, `[default]\naws_access_key_id = AKIDNOTUSED\naws_secret_access_key = x\n\n` +
    `[bedrock]\naws_access_key_id = ${kAccessKeyId}\naws_secret_access_key = ${kSecretAccessKey}\n`);
  const fileGateway = await startGateway({
    env: { AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'bedrock', AWS_REGION: 'eu-west-3' },
  });
  try {
    const fileAdmin = new Admin(fileGateway.url, fileGateway.adminKey);
    await fileAdmin.saveModel({
      name: 'bedrock-file',
      provider: 'bedrock-converse',
      group_id: 1,
      config: { modelId: kModelId, endpoint: fake.url },
    });
    const fileClient = openaiClient(fileGateway, (await fileAdmin.createKey({ name: 'file' })).api_key);
    const prompt = uniquePrompt('from the credentials file');
    const completion = await askWith(fileClient, 'bedrock-file', prompt);
    assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
    const [upstream] = upstreamRequestsFor(prompt);
    assert.equal(upstream.accessKeyId, kAccessKeyId);
    assert.equal(upstream.scopeRegion, 'eu-west-3');
    // A profile the file does not have is refused when the model is saved, naming the field.
    await fileAdmin.fails('POST', '/admin/model/save', {
      name: 'bedrock-no-profile',
      provider: 'bedrock-converse',
      config: { modelId: kModelId, endpoint: fake.url, profile: 'missing' },
    }, 400, { param: 'config.profile' });
  } finally {
    await fileGateway.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * A gateway started with `env`, a model 'bedrock-role' with `credentials` in its config
 * ("instanceCredentials": true unless given), and a client.
 */
async function roleGateway(env, credentials = { instanceCredentials: true }) {
  const roleGw = await startGateway({ env });
  const roleAdmin = new Admin(roleGw.url, roleGw.adminKey);
  await roleAdmin.saveModel({
    name: 'bedrock-role',
    provider: 'bedrock-converse',
    group_id: 1,
    config: { modelId: kModelId, endpoint: fake.url, region: 'us-east-1', ...credentials },
  });
  const roleClient = openaiClient(roleGw, (await roleAdmin.createKey({ name: 'role' })).api_key);
  return { gateway: roleGw, client: roleClient };
}

test('a role\'s credentials come from the instance metadata service (IMDSv2) and are renewed before they expire', { timeout: 30_000 }, async () => {
  // Valid for five minutes and a second and a half: renewed a second and a half from now.
  const metadata = await startFakeAwsMetadata({ expiresInMs: 5 * 60 * 1000 + 1500 });
  const role = await roleGateway({ AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.url });
  try {
    const prompt = uniquePrompt('signed with the role');
    const completion = await askWith(role.client, 'bedrock-role', prompt);
    assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
    const [upstream] = upstreamRequestsFor(prompt);
    assert.equal(upstream.accessKeyId, kSessionAccessKeyId);
    await metadata.waitForFetches(2);
    const again = uniquePrompt('after the renewal');
    assert.equal((await askWith(role.client, 'bedrock-role', again)).choices[0].message.content, `echo: ${again}`);
  } finally {
    await role.gateway.stop();
    await metadata.close();
  }
});

test('a role\'s credentials come from the container endpoint, with its authorization token', { timeout: 30_000 }, async () => {
  const metadata = await startFakeAwsMetadata();
  const role = await roleGateway({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${metadata.url}${kContainerPath}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: kContainerToken,
  });
  try {
    const prompt = uniquePrompt('signed with the task role');
    const completion = await askWith(role.client, 'bedrock-role', prompt);
    assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
    // Only the container endpoint hands out these keys, and only with its token.
    assert.equal(upstreamRequestsFor(prompt)[0].accessKeyId, kSessionAccessKeyId);
    // The save only validated the config; the catalog's endpoint fetched, once.
    assert.equal(metadata.fetches(), 1);
  } finally {
    await role.gateway.stop();
    await metadata.close();
  }
});

test('a web identity (EKS service account) is exchanged at STS, with the token file read again at each renewal', { timeout: 30_000 }, async () => {
  const metadata = await startFakeAwsMetadata({ expiresInMs: 5 * 60 * 1000 + 1500 });
  const dir = await mkdtemp(join(tmpdir(), 'llmgate-irsa-'));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${kWebIdentityToken}\n`);
  // The container endpoint is set too, as on a pod with both: the web identity comes first.
  const role = await roleGateway({
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_ARN: kRoleArn,
    AWS_ENDPOINT_URL_STS: metadata.url,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${metadata.url}${kContainerPath}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: kContainerToken,
  });
  try {
    const prompt = uniquePrompt('signed with the service account role');
    assert.equal((await askWith(role.client, 'bedrock-role', prompt)).choices[0].message.content, `echo: ${prompt}`);
    assert.equal(upstreamRequestsFor(prompt)[0].accessKeyId, kSessionAccessKeyId);
    const [first] = metadata.webIdentityCalls;
    assert.equal(first.token, kWebIdentityToken);
    assert.equal(first.roleArn, kRoleArn);
    assert.match(first.sessionName, /^llmgate-\d+$/);

    // Kubernetes rotates the projected token; the renewal a second and a half on sends the new one.
    const rotated = `${kWebIdentityToken}.rotated`;
    metadata.acceptToken(rotated);
    const fetched = metadata.fetches();
    await writeFile(tokenFile, rotated);
    await metadata.waitForFetches(fetched + 1);
    assert.equal(metadata.webIdentityCalls.at(-1).token, rotated);
    const again = uniquePrompt('after the token rotated');
    assert.equal((await askWith(role.client, 'bedrock-role', again)).choices[0].message.content, `echo: ${again}`);
  } finally {
    await role.gateway.stop();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a web identity STS refuses is answered 503 with STS\'s reason', { timeout: 30_000 }, async () => {
  const metadata = await startFakeAwsMetadata();
  const dir = await mkdtemp(join(tmpdir(), 'llmgate-irsa-'));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'a-token-sts-does-not-know');
  const role = await roleGateway({
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_ARN: kRoleArn,
    AWS_ROLE_SESSION_NAME: 'gateway-7',
    AWS_ENDPOINT_URL_STS: metadata.url,
  });
  try {
    const error = await expectApiError(askWith(role.client, 'bedrock-role', uniquePrompt('refused identity')), { status: 503 });
    assert.match(error.message, /STS AssumeRoleWithWebIdentity failed: InvalidIdentityToken: Token signature is invalid/);
    assert.equal(metadata.webIdentityCalls[0].sessionName, 'gateway-7');
    assert.ok(!error.message.includes('a-token-sts-does-not-know'), 'the token is never echoed');
  } finally {
    await role.gateway.stop();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a model with roleArn assumes that role at STS with its own keys (SigV4) and calls Bedrock as the role', { timeout: 30_000 }, async () => {
  const sts = await startFakeAwsMetadata();
  const role = await roleGateway({ AWS_ENDPOINT_URL_STS: sts.url }, {
    accessKeyId: kAccessKeyId,
    secretAccessKey: kSecretAccessKey,
    roleArn: kCrossAccountRoleArn,
    externalId: kExternalId,
  });
  try {
    const prompt = uniquePrompt('signed as the assumed role');
    assert.equal((await askWith(role.client, 'bedrock-role', prompt)).choices[0].message.content, `echo: ${prompt}`);
    assert.equal(upstreamRequestsFor(prompt)[0].accessKeyId, kSessionAccessKeyId);
    const [call] = sts.assumeRoleCalls;
    assert.deepEqual(call, {
      roleArn: kCrossAccountRoleArn,
      sessionName: 'llmgate',
      externalId: kExternalId,
      accessKeyId: kAccessKeyId,
      region: 'us-east-1',
    });
  } finally {
    await role.gateway.stop();
    await sts.close();
  }
});

test('a role is assumed with the gateway\'s own role credentials too, once those have come', { timeout: 30_000 }, async () => {
  const aws = await startFakeAwsMetadata();
  const role = await roleGateway(
    { AWS_EC2_METADATA_SERVICE_ENDPOINT: aws.url, AWS_ENDPOINT_URL_STS: aws.url },
    { instanceCredentials: true, roleArn: kCrossAccountRoleArn, externalId: kExternalId },
  );
  try {
    const prompt = uniquePrompt('instance role, then the cross-account role');
    assert.equal((await askWith(role.client, 'bedrock-role', prompt)).choices[0].message.content, `echo: ${prompt}`);
    // STS saw one call, signed with the instance role's session keys (token included).
    assert.equal(aws.assumeRoleCalls.length, 1);
    assert.equal(aws.assumeRoleCalls[0].accessKeyId, kSessionAccessKeyId);
    assert.equal(aws.assumeRoleCalls[0].error, undefined);
  } finally {
    await role.gateway.stop();
    await aws.close();
  }
});

test('a role STS refuses to give is answered 503 with STS\'s reason; a bearer token cannot assume one', { timeout: 30_000 }, async () => {
  const sts = await startFakeAwsMetadata();
  const role = await roleGateway({ AWS_ENDPOINT_URL_STS: sts.url }, {
    accessKeyId: kAccessKeyId,
    secretAccessKey: kSecretAccessKey,
    roleArn: kCrossAccountRoleArn,
    externalId: 'not-the-external-id',
    roleSessionName: 'gw-2',
  });
  try {
    const error = await expectApiError(askWith(role.client, 'bedrock-role', uniquePrompt('refused role')), { status: 503 });
    assert.match(error.message, /credentials of role arn:aws:iam::210987654321:role\/bedrock-for-llmgate are not available: STS AssumeRole failed: AccessDenied/);
    assert.equal(sts.assumeRoleCalls[0].sessionName, 'gw-2');
    assert.ok(!error.message.includes(kSecretAccessKey));

    const roleAdmin = new Admin(role.gateway.url, role.gateway.adminKey);
    await roleAdmin.fails('POST', '/admin/model/save', {
      name: 'bedrock-bearer-role',
      provider: 'bedrock-converse',
      config: { modelId: kModelId, endpoint: fake.url, region: 'us-east-1', bearerToken: kBearerToken, roleArn: kCrossAccountRoleArn },
    }, 400, { param: 'config.roleArn' });
  } finally {
    await role.gateway.stop();
    await sts.close();
  }
});

test('a metadata service that never answers holds no thread: the save is answered, and other models too, while a request waits for the first fetch', { timeout: 30_000 }, async () => {
  // Accepts connections and never answers them.
  const held = new Set();
  const blackHole = net.createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  const gatewayEnv = {
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${blackHole.address().port}`,
    LLMGATE_THREADS: '1', // one I/O thread: anything that blocked it would stop every request
  };
  const role = await roleGateway(gatewayEnv);
  try {
    // The save was answered while the first fetch still hangs.
    await eventually(() => assert.ok(held.size > 0), { what: 'the fetch reaching the metadata service' });
    const waiting = askWith(role.client, 'bedrock-role', uniquePrompt('waits for the role'));
    let settled = false;
    waiting.then(() => (settled = true), () => (settled = true));

    const roleAdmin = new Admin(role.gateway.url, role.gateway.adminKey);
    await roleAdmin.saveModel({
      name: 'bedrock-keys',
      provider: 'bedrock-converse',
      group_id: 1,
      config: { modelId: kModelId, endpoint: fake.url, region: 'us-east-1', ...kKeys },
    });
    const prompt = uniquePrompt('answered meanwhile');
    assert.equal((await askWith(role.client, 'bedrock-keys', prompt)).choices[0].message.content, `echo: ${prompt}`);
    assert.equal(settled, false, 'the role request still waits for its credentials');
    assert.ok(held.size > 0, 'the first fetch still hangs');

    // The fetch gives up after its own timeouts; the request is then answered with why.
    const error = await expectApiError(waiting, { status: 503 });
    assert.match(error.message, /credentials of the gateway's role are not available/);
  } finally {
    await role.gateway.stop();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  }
});

test('credentials that have expired are never used to sign', { timeout: 30_000 }, async () => {
  const metadata = await startFakeAwsMetadata({ expiresInMs: -60_000 });
  const role = await roleGateway({ AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.url });
  try {
    const prompt = uniquePrompt('expired role');
    const error = await expectApiError(askWith(role.client, 'bedrock-role', prompt), { status: 503 });
    assert.match(error.message, /had expired already/);
    assert.equal(upstreamRequestsFor(prompt).length, 0, 'nothing reached Bedrock');
  } finally {
    await role.gateway.stop();
    await metadata.close();
  }
});

test('without reachable role credentials a request is answered 503 with the reason', { timeout: 30_000 }, async () => {
  const role = await roleGateway({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
  try {
    const error = await expectApiError(askWith(role.client, 'bedrock-role', uniquePrompt('no role')), { status: 503 });
    assert.match(error.message, /credentials of the gateway's role are not available/);
  } finally {
    await role.gateway.stop();
  }
});

const kRegions = ['us-east-1', 'us-west-2'];

test('failover: a throttled first region hands the request to the next', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({ regions: kRegions, endpoint: `${fake.url}/{region}`, ...kKeys });
  fake.failRegion('us-east-1', 'ThrottlingException');
  try {
    const prompt = uniquePrompt('throttled east');
    const completion = await askWith(client, model, prompt);
    assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
    const attempts = upstreamRequestsFor(prompt);
    assert.deepEqual(attempts.map((r) => r.region), ['us-east-1', 'us-west-2']);
    assert.deepEqual(attempts.map((r) => r.scopeRegion), ['us-east-1', 'us-west-2'], 'each signed for its region');
    assert.deepEqual(attempts.map((r) => r.rejected), ['ThrottlingException', undefined]);
  } finally {
    fake.clearFailures();
  }
});

test('failover: a stream moves on from a 503 before anything reached the client', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({ regions: kRegions, endpoint: `${fake.url}/{region}`, ...kKeys });
  fake.failRegion('us-east-1', 'ServiceUnavailableException');
  try {
    const prompt = uniquePrompt('unavailable east');
    const stream = await askWith(client, model, prompt, { stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, `echo: ${prompt}`);
    assert.deepEqual(upstreamRequestsFor(prompt).map((r) => r.region), kRegions);
  } finally {
    fake.clearFailures();
  }
});

test('failover: a refused connection moves on to the next region', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({
    regions: kRegions,
    endpoint: { 'us-east-1': `http://127.0.0.1:${await closedPort()}`, 'us-west-2': fake.url },
    ...kKeys,
  });
  const prompt = uniquePrompt('refused east');
  const completion = await askWith(client, model, prompt);
  assert.equal(completion.choices[0].message.content, `echo: ${prompt}`);
  const attempts = upstreamRequestsFor(prompt);
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0].scopeRegion, 'us-west-2');
});

test('failover: when every region fails the last failure is answered', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({ regions: kRegions, endpoint: `${fake.url}/{region}`, ...kKeys });
  fake.failRegion('us-east-1', 'ServiceUnavailableException');
  fake.failRegion('us-west-2', 'ThrottlingException');
  try {
    const prompt = uniquePrompt('all down');
    await expectApiError(askWith(client, model, prompt), { status: 429, errorClass: OpenAI.RateLimitError });
    assert.equal(upstreamRequestsFor(prompt).length, 2);
  } finally {
    fake.clearFailures();
  }
});

test('failover: a client error is not retried in another region', { timeout: 10_000 }, async () => {
  const model = await bedrockModel({ regions: kRegions, endpoint: `${fake.url}/{region}`, ...kKeys });
  fake.failRegion('us-east-1', 'ValidationException');
  try {
    const prompt = uniquePrompt('invalid everywhere');
    await expectApiError(askWith(client, model, prompt), { status: 400, errorClass: OpenAI.BadRequestError });
    assert.equal(upstreamRequestsFor(prompt).length, 1);
  } finally {
    fake.clearFailures();
  }
});
