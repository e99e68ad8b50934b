// The web console (docs/console.md) in a real browser: Debian's chromium, driven by
// playwright-core, against the real binary. What the page shows is checked against what
// the API answers, and what the page does is checked through the API.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { eventually } from '../e2e/lib/eventually.js';
import { request } from '../e2e/lib/http.js';
import {
  gatewayModel,
  kUpstreamApiKey,
  openaiClient,
  startStack,
  stopStack,
  uniquePrompt,
} from '../e2e/lib/stack.js';

const kChromium = process.env.LLMGATE_CHROMIUM ?? '/usr/bin/chromium';

let stack;
let browser;
let prompt;

before(async () => {
  stack = await startStack();
  // Something to show: one answered request of the user key.
  prompt = uniquePrompt('console kubernetes');
  await stack.client.chat.completions.create({
    model: gatewayModel('echo'),
    messages: [{ role: 'user', content: prompt }],
  });
  // Records are written off the request path: wait until the API counts this one.
  await eventually(async () => {
    const found = await stack.admin.list('/admin/thread/list', { q: prompt });
    assert.equal(found.total, 1);
  }, { what: 'the thread of the request' });
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: kChromium, args: ['--no-sandbox'] });
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await stopStack(stack);
}, { timeout: 60_000 });

/** A fresh page (own session storage) signed in with `key`. */
async function signedIn(key) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.gateway.url}/console/`);
  await page.fill('#key', key);
  await page.click('#sign-in-form button[type=submit]');
  return page;
}

/** Searches the list `testId` for `q` and resolves once the table shows that search's answer. */
async function search(page, testId, q) {
  await page.fill('input[name="q"]', q);
  await page.click('text=Search');
  await page.locator(`[data-testid="${testId}"][data-query="${q}"]`).waitFor();
  return page.locator(`[data-testid="${testId}"] tbody tr`);
}

function cardValue(page, testId) {
  return page.locator(`[data-testid="${testId}"] .value`);
}

test('the console is served under /console/ with its types and a strict policy', async () => {
  const redirect = await fetch(`${stack.gateway.url}/console`, { redirect: 'manual' });
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.get('location'), '/console/');
  const index = await request(`${stack.gateway.url}/console/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
  const script = await request(`${stack.gateway.url}/console/console.js`);
  assert.match(script.headers.get('content-type'), /^text\/javascript/);
  assert.equal((await request(`${stack.gateway.url}/console/missing.js`)).status, 404);
});

test('an admin signs in and sees this month\'s numbers as the API counts them', { timeout: 60_000 }, async () => {
  const stats = await stack.admin.get('/admin/statistics/total');
  assert.ok(stats.requests_this_month >= 1);
  const page = await signedIn(stack.gateway.adminKey);
  await cardValue(page, 'requests-month').waitFor();
  assert.equal(await cardValue(page, 'requests-month').textContent(), String(stats.requests_this_month));
  assert.equal(await cardValue(page, 'keys').textContent(), String(stats.keys));
  assert.equal(await cardValue(page, 'spend-month').textContent(), String(stats.spend_this_month));
  const models = page.locator('[data-testid="models-this-month"] tbody tr');
  assert.equal(await models.count(), stats.models_this_month.length);
  assert.equal(await models.first().locator('td').first().textContent(), stats.models_this_month[0].model);
  await page.context().close();
});

test('an admin creates a key, which works, and recharges it', { timeout: 60_000 }, async () => {
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="keys"]');
  const name = `console-${Date.now()}`;
  await page.fill('input[name="name"]', name);
  await page.fill('input[name="month_quota"]', '5');
  await page.click('text=Create key');
  const shown = page.locator('[data-testid="new-key"] code');
  await shown.waitFor();
  const plainKey = await shown.textContent();
  assert.match(plainKey, /^br-/);

  // The key the page showed is a real, working key with the quota typed in.
  const mine = await request(`${stack.gateway.url}/user/api-key/mine`, { key: plainKey });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.data.name, name);
  assert.equal(mine.json.data.month_quota, 5);

  page.once('dialog', (dialog) => dialog.accept('2.5'));
  const row = page.locator('[data-testid="keys"] tbody tr', { hasText: name });
  await row.locator('text=Recharge').click();
  // The table is drawn again from the API after the recharge.
  await page.locator('[data-testid="keys"] tbody tr', { hasText: name }).locator('td', { hasText: /^2\.5$/ }).waitFor();
  const after = await request(`${stack.gateway.url}/user/api-key/mine`, { key: plainKey });
  assert.equal(after.json.data.balance, 2.5);
  const payments = await stack.admin.list('/admin/payment/list', { key_id: mine.json.data.id });
  assert.equal(payments.total, 1);
  await page.context().close();
});

test('an admin adds a model and grants it to a new group: a key of the group can use it until revoked', { timeout: 60_000 }, async () => {
  const stamp = Date.now();
  const groupName = `console-team-${stamp}`;
  const modelName = `console-echo-${stamp}`;
  const page = await signedIn(stack.gateway.adminKey);

  await page.click('#nav a[data-view="groups"]');
  await page.fill('input[name="group_name"]', groupName);
  await page.click('text=Create group');
  await page.locator('h2', { hasText: groupName }).waitFor();
  const group = (await stack.admin.list('/admin/group/list', { q: groupName })).items[0];
  assert.equal(group.name, groupName);

  await page.click('#nav a[data-view="models"]');
  await page.fill('input[name="name"]', modelName);
  await page.selectOption('select[name="provider"]', 'openai-compatible');
  await page.fill('textarea[name="config"]',
    JSON.stringify({ baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo' }));
  await page.fill('input[name="price_in"]', '1.5');
  await page.click('text=Save model');
  await page.locator('[data-testid="saved-model"]').waitFor();
  const model = (await stack.admin.list('/admin/model/list', { q: modelName })).items[0];
  assert.equal(model.price_in, 1.5);
  // The secret typed in is stored, and shown masked.
  assert.notEqual(model.config.apiKey, kUpstreamApiKey);
  const shownRow = page.locator('[data-testid="models"] tbody tr', { hasText: modelName });
  await shownRow.waitFor();
  assert.equal((await shownRow.textContent()).includes(kUpstreamApiKey), false);

  await page.click('#nav a[data-view="groups"]');
  await page.click(`[data-testid="groups"] a:text-is("${groupName}")`);
  await page.selectOption('select[name="model_id"]', String(model.id));
  await page.click('text=Grant');
  const grantedRow = page.locator('[data-testid="group-models"] tbody tr', { hasText: modelName });
  await grantedRow.waitFor();

  const member = await stack.admin.createKey({ name: `member-${stamp}`, group_id: group.id });
  const client = openaiClient(stack.gateway, member.api_key);
  const question = uniquePrompt('granted in the console');
  const answer = await client.chat.completions.create({ model: modelName, messages: [{ role: 'user', content: question }] });
  assert.equal(answer.choices[0].message.content, `echo: ${question}`);

  await grantedRow.locator('text=Revoke').click();
  await grantedRow.waitFor({ state: 'detached' });
  await assert.rejects(
    client.chat.completions.create({ model: modelName, messages: [{ role: 'user', content: question }] }),
    (error) => error.status === 403);
  await page.context().close();
});

test('an admin changes a model\'s prices and deletes it', { timeout: 60_000 }, async () => {
  const model = await stack.admin.saveModel({
    name: `console-priced-${Date.now()}`,
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
    price_in: 1,
    price_out: 2,
  });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="models"]');
  const rows = await search(page, 'models', model.name);
  const answers = ['0.25', '0.5'];
  page.on('dialog', (dialog) => dialog.accept(answers.shift()));
  await rows.first().locator('button:text-is("Prices")').click();
  await page.locator('[data-testid="models"] tbody tr td', { hasText: /^0\.25$/ }).waitFor();
  const saved = await stack.admin.get(`/admin/model/detail/${model.id}`);
  assert.equal(saved.price_in, 0.25);
  assert.equal(saved.price_out, 0.5);

  await page.locator('[data-testid="models"] tbody tr', { hasText: model.name }).locator('button:text-is("Delete")').click();
  await page.locator('[data-testid="models"] tbody tr', { hasText: model.name }).waitFor({ state: 'detached' });
  assert.equal((await stack.admin.call('GET', `/admin/model/detail/${model.id}`)).status, 404);
  await page.context().close();
});

test('an admin edits a model\'s config; the masked secret saved back keeps the stored one', { timeout: 60_000 }, async () => {
  const model = await stack.admin.saveModel({
    name: `console-edited-${Date.now()}`,
    group_id: 1,
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
  });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="models"]');
  const rows = await search(page, 'models', model.name);
  await rows.first().locator('button:text-is("Edit")').click();
  const shown = JSON.parse(await page.inputValue('textarea[name="model_config"]'));
  assert.equal(shown.apiKey, model.config.apiKey, 'the secret is shown masked');
  await page.fill('textarea[name="model_config"]', JSON.stringify({ ...shown, model: 'echo-fragmented' }));
  await page.fill('input[name="model_price_out"]', '3');
  await page.click('text=Save model');
  await page.locator('[data-testid="saved-model"]').waitFor();

  const saved = await stack.admin.get(`/admin/model/detail/${model.id}`);
  assert.equal(saved.config.model, 'echo-fragmented');
  assert.equal(saved.price_out, 3);
  const question = uniquePrompt('after the config edit');
  const answer = await stack.client.chat.completions.create({ model: model.name, messages: [{ role: 'user', content: question }] });
  assert.equal(answer.choices[0].message.content, `echo: ${question}`);
  const upstream = stack.fake.findRequest((r) => r.rawBody?.includes(question));
  assert.equal(upstream.body.model, 'echo-fragmented');
  assert.equal(upstream.headers.authorization, `Bearer ${kUpstreamApiKey}`);
  await page.context().close();
});

test('an admin renames a group and deletes it, moving its keys to group 1 when asked', { timeout: 60_000 }, async () => {
  const stamp = Date.now();
  const group = await stack.admin.ok('POST', '/admin/group/save', { name: `console-old-${stamp}` });
  const member = await stack.admin.createKey({ name: `console-member-${stamp}`, group_id: group.id });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="groups"]');
  await page.click(`[data-testid="groups"] a:text-is("${group.name}")`);
  await page.fill('input[name="group_rename"]', `console-new-${stamp}`);
  await page.click('button:text-is("Rename")');
  await page.locator('h2', { hasText: `console-new-${stamp}` }).waitFor();
  assert.equal((await stack.admin.get(`/admin/group/detail/${group.id}`)).name, `console-new-${stamp}`);

  // The first delete is refused (a key is in the group); the second question moves it.
  const questions = [];
  page.on('dialog', (dialog) => {
    questions.push(dialog.message());
    dialog.accept();
  });
  await page.click('button:text-is("Delete group")');
  await page.locator('[data-testid="groups"]').waitFor();
  assert.equal(questions.length, 2);
  assert.match(questions[1], /Move them to group 1/);
  assert.equal((await stack.admin.call('GET', `/admin/group/detail/${group.id}`)).status, 404);
  assert.equal((await stack.admin.get(`/admin/api-key/detail/${member.id}`)).group_id, 1);
  await page.context().close();
});

test('an admin adds a Feishu bot, sees its webhook URL and masked secrets, and deletes it', { timeout: 60_000 }, async () => {
  const appId = `cli_console_${Date.now()}`;
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="bots"]');
  await page.fill('input[name="bot_name"]', 'console helpdesk');
  await page.fill('input[name="appId"]', appId);
  await page.fill('input[name="appSecret"]', 'feishu-app-secret-from-console');
  await page.fill('input[name="apiKey"]', stack.user.api_key);
  await page.fill('input[name="modelId"]', gatewayModel('echo'));
  await page.click('text=Save bot');
  await page.locator('[data-testid="saved-bot"]').waitFor();

  const bot = (await stack.admin.list('/admin/bot/feishu/list', { q: appId })).items[0];
  assert.equal(bot.name, 'console helpdesk');
  assert.equal(bot.config.modelId, gatewayModel('echo'));
  const row = page.locator('[data-testid="bots"] tbody tr', { hasText: appId });
  const text = await row.textContent();
  assert.ok(text.includes(`${stack.gateway.url}/bot/feishu/${bot.id}/webhook/event`), text);
  assert.ok(!text.includes('feishu-app-secret-from-console') && !text.includes(stack.user.api_key), 'secrets masked');

  page.once('dialog', (dialog) => dialog.accept());
  await row.locator('button:text-is("Delete")').click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await stack.admin.list('/admin/bot/feishu/list', { q: appId })).total, 0);
  await page.context().close();
});

test('an admin moves a key to another group, sets its quota, and grants it a model of its own', { timeout: 60_000 }, async () => {
  const stamp = Date.now();
  const group = await stack.admin.ok('POST', '/admin/group/save', { name: `console-solo-${stamp}` });
  const member = await stack.admin.createKey({ name: `console-member-${stamp}` });
  const model = await stack.admin.saveModel({
    name: `console-own-${stamp}`,
    config: { baseUrl: `${stack.fake.url}/v1`, apiKey: kUpstreamApiKey, model: 'echo' },
  });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="keys"]');
  const rows = await search(page, 'keys', member.name);
  await rows.first().locator('a', { hasText: member.name }).click();
  await page.selectOption('select[name="key_group"]', String(group.id));
  await page.fill('input[name="key_month_quota"]', '42');
  await page.click('text=Save key');
  await page.locator('[data-testid="saved-key"]').waitFor();
  const saved = await stack.admin.get(`/admin/api-key/detail/${member.id}`);
  assert.equal(saved.group_id, group.id);
  assert.equal(saved.month_quota, 42);

  await page.selectOption('select[name="key_model_id"]', String(model.id));
  await page.click('text=Grant to key');
  const grantedRow = page.locator('[data-testid="key-models"] tbody tr', { hasText: model.name });
  await grantedRow.waitFor();
  // The key's new group has no models: only the grant to the key lets it use this one.
  const client = openaiClient(stack.gateway, member.api_key);
  const question = uniquePrompt('granted to one key');
  const answer = await client.chat.completions.create({ model: model.name, messages: [{ role: 'user', content: question }] });
  assert.equal(answer.choices[0].message.content, `echo: ${question}`);
  await assert.rejects(
    client.chat.completions.create({ model: gatewayModel('echo'), messages: [{ role: 'user', content: question }] }),
    (error) => error.status === 403, 'the old group\'s model is gone with the move');

  await grantedRow.locator('text=Revoke').click();
  await grantedRow.waitFor({ state: 'detached' });
  await assert.rejects(
    client.chat.completions.create({ model: model.name, messages: [{ role: 'user', content: question }] }),
    (error) => error.status === 403);
  await page.context().close();
});

test('a model the API refuses shows the API\'s message, naming the field', { timeout: 60_000 }, async () => {
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="models"]');
  await page.fill('input[name="name"]', `console-broken-${Date.now()}`);
  await page.selectOption('select[name="provider"]', 'openai-compatible');
  await page.fill('textarea[name="config"]', '{"apiKey": "sk-x"}');
  await page.click('text=Save model');
  const message = page.locator('#view [role="alert"]');
  await message.waitFor();
  assert.match(await message.textContent(), /config\.baseUrl/);
  await page.context().close();
});

test('payments list the recharges, with the admin who made them', { timeout: 60_000 }, async () => {
  const payer = await stack.admin.createKey({ name: `payer-${Date.now()}` });
  await stack.admin.ok('POST', '/admin/api-key/recharge', { id: payer.id, balance: '7.25' });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="payments"]');
  const rows = await search(page, 'payments', payer.name);
  assert.equal(await rows.count(), 1);
  const cells = await rows.first().locator('td').allTextContents();
  assert.deepEqual(cells.slice(1), [payer.name, '7.25', '7.25', 'admin']);
  await page.context().close();
});

test('an admin resets one key and deletes it: each time the old secret stops working', { timeout: 60_000 }, async () => {
  const target = await stack.admin.createKey({ name: `rotated-${Date.now()}` });
  const mine = (key) => request(`${stack.gateway.url}/user/api-key/mine`, { key });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="keys"]');
  await search(page, 'keys', target.name);
  const row = () => page.locator('[data-testid="keys"] tbody tr', { hasText: target.name });

  page.once('dialog', (dialog) => dialog.accept());
  await row().locator('button:text-is("Reset")').click();
  const shown = page.locator('[data-testid="new-key"] code');
  await shown.waitFor();
  const newKey = await shown.textContent();
  assert.notEqual(newKey, target.api_key);
  assert.equal((await mine(target.api_key)).status, 401);
  assert.equal((await mine(newKey)).json.data.id, target.id);

  page.once('dialog', (dialog) => dialog.accept());
  await row().locator('button:text-is("Delete")').click();
  await row().waitFor({ state: 'detached' });
  assert.equal((await mine(newKey)).status, 401);
  await page.context().close();
});

test('a search in the records finds the thread and shows its answer', { timeout: 60_000 }, async () => {
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="records"]');
  const rows = await search(page, 'threads', prompt);
  assert.equal(await rows.count(), 1);
  await rows.first().locator('a', { hasText: prompt }).click();
  await page.locator('[data-testid="completion"]').waitFor();
  assert.equal(await page.locator('[data-testid="completion"]').textContent(), `echo: ${prompt}`);
  await page.context().close();
});

test('a conversation is found by a word of it and opens with its requests', { timeout: 60_000 }, async () => {
  const session = (await stack.admin.list('/admin/session/list', { q: prompt })).items[0];
  assert.equal(session.title, prompt.slice(0, 64));
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="conversations"]');
  const rows = await search(page, 'sessions', prompt);
  assert.equal(await rows.count(), 1);
  const cells = await rows.first().locator('td').allTextContents();
  assert.equal(cells[1], session.title);
  assert.equal(cells[2], session.key_name);
  assert.equal(cells[3], String(session.thread_count));
  await rows.first().locator('a').click();
  const threads = page.locator('[data-testid="session-threads"] tbody tr');
  await threads.first().waitFor();
  assert.equal(await threads.count(), session.thread_count);
  assert.equal(await threads.first().locator('pre').nth(1).textContent(), `echo: ${prompt}`);
  await page.context().close();
});

test('names are shown as text, never run as HTML', { timeout: 60_000 }, async () => {
  const name = `<img src=x onerror="window.__ran = 1">${Date.now()}`;
  await stack.admin.createKey({ name });
  const page = await signedIn(stack.gateway.adminKey);
  await page.click('#nav a[data-view="keys"]');
  const cell = page.locator('[data-testid="keys"] td', { hasText: name });
  await cell.waitFor();
  assert.equal(await cell.textContent(), name);
  assert.equal(await page.locator('[data-testid="keys"] img').count(), 0);
  assert.equal(await page.evaluate(() => window.__ran), undefined);
  await page.context().close();
});

test('a user key sees its own key and records, and no admin pages', { timeout: 60_000 }, async () => {
  const mine = (await request(`${stack.gateway.url}/user/api-key/mine`, { key: stack.user.api_key })).json.data;
  const page = await signedIn(stack.user.api_key);
  await cardValue(page, 'month-fee').waitFor();
  assert.equal(await cardValue(page, 'month-fee').textContent(), String(mine.month_fee));
  assert.equal(await cardValue(page, 'month-quota').textContent(), String(mine.month_quota));
  const nav = await page.locator('#nav a').allTextContents();
  assert.deepEqual(nav, ['My key', 'My conversations', 'My records']);
  await page.click('#nav a[data-view="my-records"]');
  await page.locator('[data-testid="threads"] tbody tr a', { hasText: prompt }).waitFor();
  await page.context().close();
});

test('a wrong key is refused with the gateway\'s message', { timeout: 60_000 }, async () => {
  const page = await signedIn('br-not-a-real-key');
  const message = page.locator('#sign-in-error');
  await message.waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#sign-in-error').textContent.length > 0);
  assert.match(await message.textContent(), /key/i);
  assert.equal(await page.locator('#nav').isHidden(), true);
  await page.context().close();
});
