// The llmgate console: a page over the admin and user APIs (docs/console.md). No build
// step and no dependencies; every value from the server is shown as text, never as HTML.
'use strict';

const kKeyStorage = 'llmgate.key';
const kPageSize = 20;

const state = { key: sessionStorage.getItem(kKeyStorage) ?? '', mine: null };

// ---- talking to the gateway --------------------------------------------------------------

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function api(path, body) {
  const init = { headers: { authorization: `Bearer ${state.key}` } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new ApiError(`${path}: HTTP ${response.status}`, response.status);
  }
  if (!answer.success) throw new ApiError(answer.error?.message ?? answer.data ?? `HTTP ${response.status}`, response.status);
  return answer.data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// ---- building the page -------------------------------------------------------------------

function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function dateText(seconds) {
  return seconds ? new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19) : '';
}

// columns: [{title, value(row), number?}]. `query`: the search the rows answer, kept on
// the table (data-query) so that a reader, or a test, can tell an answered search from the
// list it replaces.
function table(columns, rows, { testId, query: search } = {}) {
  const dataset = {};
  if (testId) dataset.testid = testId;
  if (search !== undefined) dataset.query = search;
  return element('table', { dataset },
    element('thead', {}, element('tr', {}, columns.map((c) => element('th', { class: c.number ? 'number' : '' }, c.title)))),
    element('tbody', {}, rows.map((row) => element('tr', {},
      columns.map((c) => element('td', { class: c.number ? 'number' : '' }, c.value(row)))))));
}

function card(label, value, testId) {
  return element('div', { class: 'card', dataset: { testid: testId } },
    element('div', { class: 'label' }, label), element('div', { class: 'value' }, value));
}

function errorLine(error) {
  return element('p', { class: 'error', role: 'alert' }, error.message);
}

function pager(page, offset, reload) {
  const last = offset + page.items.length;
  const more = page.total_exact === false ? `${page.total}+` : page.total;
  return element('div', { class: 'pager' },
    element('button', { type: 'button', disabled: offset === 0, onclick: () => reload(Math.max(0, offset - kPageSize)) }, 'Previous'),
    element('span', {}, page.items.length ? `${offset + 1}–${last} of ${more}` : 'nothing found'),
    element('button', { type: 'button', disabled: last >= page.total, onclick: () => reload(offset + kPageSize) }, 'Next'));
}

function searchForm(placeholder, value, submit) {
  const input = element('input', { type: 'search', name: 'q', placeholder, value });
  return element('form', { class: 'inline', onsubmit: (event) => { event.preventDefault(); submit(input.value); } },
    input, element('button', { type: 'submit' }, 'Search'));
}

// ---- views -------------------------------------------------------------------------------

const views = {
  async overview(view) {
    const stats = await api('/admin/statistics/total');
    view.append(element('h2', {}, `Overview, ${stats.month}`),
      element('div', { class: 'cards' },
        card('Keys', stats.keys, 'keys'),
        card('Active keys this month', stats.active_keys_this_month, 'active-keys'),
        card('Requests this month', stats.requests_this_month, 'requests-month'),
        card('Spend this month', stats.spend_this_month, 'spend-month'),
        card('Requests in total', stats.requests_total, 'requests-total'),
        card('Spend in total', stats.spend_total, 'spend-total')),
      element('h2', {}, 'Models this month'),
      table([
        { title: 'Model', value: (m) => m.model },
        { title: 'Requests', value: (m) => m.requests, number: true },
        { title: 'Tokens in', value: (m) => m.tokens_in, number: true },
        { title: 'Tokens out', value: (m) => m.tokens_out, number: true },
        { title: 'Fee', value: (m) => m.fee, number: true },
      ], stats.models_this_month ?? [], { testId: 'models-this-month' }));
  },

  async keys(view, { q = '', offset = 0, key } = {}) {
    if (key) return keyView(view, key, { q, offset });
    const page = await api(`/admin/api-key/list${query({ q, limit: kPageSize, offset })}`);
    const reload = (next) => show('keys', { q, offset: next });
    const notice = element('div');
    const fields = {
      name: element('input', { name: 'name', required: true }),
      email: element('input', { name: 'email', type: 'email' }),
      role: element('select', { name: 'role' }, element('option', { value: 'user' }, 'user'), element('option', { value: 'admin' }, 'admin')),
      group_id: element('input', { name: 'group_id', type: 'number', min: 1, value: 1 }),
      month_quota: element('input', { name: 'month_quota', inputMode: 'decimal', value: '0' }),
      balance: element('input', { name: 'balance', inputMode: 'decimal', value: '0' }),
    };
    const create = async (event) => {
      event.preventDefault();
      notice.replaceChildren();
      try {
        const created = await api('/admin/api-key/apply', {
          name: fields.name.value, email: fields.email.value, role: fields.role.value,
          group_id: Number(fields.group_id.value), month_quota: fields.month_quota.value, balance: fields.balance.value,
        });
        await show('keys', { q, offset: 0 });
        document.querySelector('#view').prepend(element('p', { class: 'notice', dataset: { testid: 'new-key' } },
          `Key "${created.name}" created. Hand it over now; it is not shown again: `, element('code', {}, created.api_key)));
      } catch (error) {
        notice.append(errorLine(error));
      }
    };
    const recharge = async (row) => {
      const amount = prompt(`Add to the balance of "${row.name}":`, '10');
      if (amount === null) return;
      try {
        await api('/admin/api-key/recharge', { id: row.id, balance: amount });
        await show('keys', { q, offset });
      } catch (error) {
        view.prepend(errorLine(error));
      }
    };
    // Resetting gives the key a new secret (the old one stops working at once); deleting
    // ends it. Both ask first.
    const reset = async (row) => {
      if (!confirm(`Give "${row.name}" a new key? The current one stops working at once.`)) return;
      try {
        const changed = await api('/admin/api-key/reset-key', { id: row.id });
        await show('keys', { q, offset });
        document.querySelector('#view').prepend(element('p', { class: 'notice', dataset: { testid: 'new-key' } },
          `New key for "${changed.name}". Hand it over now; it is not shown again: `, element('code', {}, changed.api_key)));
      } catch (error) {
        view.prepend(errorLine(error));
      }
    };
    const remove = async (row) => {
      if (!confirm(`Delete the key "${row.name}"? It stops working at once; its records stay.`)) return;
      try {
        await api('/admin/api-key/delete', { id: row.id });
        await show('keys', { q, offset });
      } catch (error) {
        view.prepend(errorLine(error));
      }
    };
    view.append(element('h2', {}, 'API keys'),
      element('form', { class: 'inline', onsubmit: create },
        Object.entries(fields).map(([name, input]) => element('label', {}, name.replace('_', ' '), input)),
        element('button', { type: 'submit' }, 'Create key')),
      notice,
      searchForm('name or email', q, (text) => show('keys', { q: text })),
      table([
        { title: 'Id', value: (k) => k.id, number: true },
        { title: 'Name', value: (k) => element('a', { href: '#', onclick: (event) => { event.preventDefault(); show('keys', { q, offset, key: k.id }); } }, k.name) },
        { title: 'Role', value: (k) => k.role },
        { title: 'Group', value: (k) => k.group_name ?? k.group_id },
        { title: 'Key', value: (k) => k.key },
        { title: 'Month quota', value: (k) => k.month_quota, number: true },
        { title: 'Used this month', value: (k) => k.month_fee, number: true },
        { title: 'Balance', value: (k) => k.balance, number: true },
        { title: '', value: (k) => [
          element('button', { type: 'button', onclick: () => recharge(k) }, 'Recharge'),
          element('button', { type: 'button', onclick: () => reset(k) }, 'Reset'),
          element('button', { type: 'button', onclick: () => remove(k) }, 'Delete'),
        ] },
      ], page.items, { testId: 'keys', query: q }),
      pager(page, offset, reload));
  },

  async models(view, { q = '', offset = 0, edit } = {}) {
    if (edit) return modelView(view, edit, { q, offset });
    const [page, providers] = await Promise.all([
      api(`/admin/model/list${query({ q, limit: kPageSize, offset })}`),
      api('/admin/model/list-providers'),
    ]);
    const reload = () => show('models', { q, offset });
    const notice = element('div');
    const fields = {
      name: element('input', { name: 'name', required: true }),
      provider: element('select', { name: 'provider' }, providers.map((p) => element('option', { value: p.name }, p.name))),
      price_in: element('input', { name: 'price_in', inputMode: 'decimal', value: '0' }),
      price_out: element('input', { name: 'price_out', inputMode: 'decimal', value: '0' }),
      group_id: element('input', { name: 'group_id', type: 'number', min: 1, placeholder: 'none' }),
      multiple: element('input', { name: 'multiple', type: 'checkbox' }),
    };
    const config = element('textarea', { name: 'config', rows: 3, cols: 60, placeholder: '{"baseUrl": "https://api.example.com/v1", "apiKey": "sk-…"}' });
    const create = async (event) => {
      event.preventDefault();
      notice.replaceChildren();
      const body = {
        name: fields.name.value, provider: fields.provider.value, config: config.value || '{}',
        price_in: fields.price_in.value, price_out: fields.price_out.value, multiple: fields.multiple.checked,
      };
      if (fields.group_id.value) body.group_id = Number(fields.group_id.value);
      try {
        const saved = await api('/admin/model/save', body);
        await show('models', { q, offset: 0 });
        document.querySelector('#view').prepend(element('p', { class: 'notice', dataset: { testid: 'saved-model' } }, `Model "${saved.name}" saved.`));
      } catch (error) {
        notice.append(errorLine(error));
      }
    };
    // New prices apply to the very next request; requests already running keep theirs.
    const reprice = async (row) => {
      const priceIn = prompt(`Price in of "${row.name}", per 1M tokens:`, String(row.price_in));
      if (priceIn === null) return;
      const priceOut = prompt(`Price out of "${row.name}", per 1M tokens:`, String(row.price_out));
      if (priceOut === null) return;
      try {
        await api('/admin/model/save', { id: row.id, price_in: priceIn, price_out: priceOut });
        await reload();
      } catch (error) {
        view.prepend(errorLine(error));
      }
    };
    const remove = async (row) => {
      if (!confirm(`Delete model "${row.name}" and every grant of it?`)) return;
      try {
        await api('/admin/model/delete', { id: row.id });
        await reload();
      } catch (error) {
        view.prepend(errorLine(error));
      }
    };
    view.append(element('h2', {}, 'Models'),
      element('form', { class: 'inline', onsubmit: create },
        Object.entries(fields).map(([name, input]) => element('label', {}, name === 'group_id' ? 'grant to group id' : name.replace('_', ' '), input)),
        element('label', {}, 'config (JSON)', config),
        element('button', { type: 'submit' }, 'Save model')),
      notice,
      searchForm('name or provider', q, (text) => show('models', { q: text })),
      table([
        { title: 'Id', value: (m) => m.id, number: true },
        { title: 'Name', value: (m) => m.name },
        { title: 'Provider', value: (m) => m.provider },
        { title: 'Price in (per 1M tokens)', value: (m) => m.price_in, number: true },
        { title: 'Price out (per 1M tokens)', value: (m) => m.price_out, number: true },
        { title: 'Images', value: (m) => (m.multiple ? 'yes' : 'no') },
        { title: 'Config (secrets masked)', value: (m) => JSON.stringify(m.config) },
        { title: '', value: (m) => [
          element('button', { type: 'button', onclick: () => show('models', { q, offset, edit: m.id }) }, 'Edit'),
          element('button', { type: 'button', onclick: () => reprice(m) }, 'Prices'),
          element('button', { type: 'button', onclick: () => remove(m) }, 'Delete'),
        ] },
      ], page.items, { testId: 'models', query: q }),
      pager(page, offset, (next) => show('models', { q, offset: next })));
  },

  async groups(view, { group } = {}) {
    if (group) return groupView(view, group);
    const page = await api(`/admin/group/list${query({ limit: 1000 })}`);
    const notice = element('div');
    const name = element('input', { name: 'group_name', required: true });
    const create = async (event) => {
      event.preventDefault();
      try {
        const saved = await api('/admin/group/save', { name: name.value });
        await show('groups', { group: saved });
      } catch (error) {
        notice.replaceChildren(errorLine(error));
      }
    };
    view.append(element('h2', {}, 'Groups'),
      element('p', {}, 'A key may use the models granted to its group and those granted to it alone.'),
      element('form', { class: 'inline', onsubmit: create }, element('label', {}, 'name', name), element('button', { type: 'submit' }, 'Create group')),
      notice,
      table([
        { title: 'Id', value: (g) => g.id, number: true },
        { title: 'Name', value: (g) => element('a', { href: '#', onclick: (event) => { event.preventDefault(); show('groups', { group: g }); } }, g.name) },
        { title: 'Keys', value: (g) => g.key_count, number: true },
        { title: 'Models', value: (g) => g.model_count, number: true },
      ], page.items, { testId: 'groups' }));
  },

  // Feishu bots (docs/feishu.md): each answers in Feishu chats with one model, charged to
  // one llmgate key. Saving with an App ID that exists updates that bot; secrets left empty
  // keep the stored ones.
  async bots(view, { q = '', offset = 0 } = {}) {
    const page = await api(`/admin/bot/feishu/list${query({ q, limit: kPageSize, offset })}`);
    const reload = () => show('bots', { q, offset });
    const notice = element('div');
    const fields = {
      name: element('input', { name: 'bot_name' }),
      appId: element('input', { name: 'appId', required: true, placeholder: 'cli_…' }),
      appSecret: element('input', { name: 'appSecret', type: 'password', autocomplete: 'off' }),
      apiKey: element('input', { name: 'apiKey', type: 'password', autocomplete: 'off', placeholder: 'br-…' }),
      modelId: element('input', { name: 'modelId' }),
      encryptKey: element('input', { name: 'encryptKey', type: 'password', autocomplete: 'off' }),
      verificationToken: element('input', { name: 'verificationToken', type: 'password', autocomplete: 'off' }),
    };
    const save = async (event) => {
      event.preventDefault();
      notice.replaceChildren();
      const config = {};
      for (const [name, input] of Object.entries(fields)) {
        if (name !== 'name' && input.value) config[name] = input.value;
      }
      const body = { config };
      if (fields.name.value) body.name = fields.name.value;
      try {
        const saved = await api('/admin/bot/feishu/save', body);
        await show('bots', { q, offset: 0 });
        document.querySelector('#view').prepend(element('p', { class: 'notice', dataset: { testid: 'saved-bot' } }, `Bot "${saved.name}" saved.`));
      } catch (error) {
        notice.append(errorLine(error));
      }
    };
    const remove = async (row) => {
      if (!confirm(`Delete bot "${row.name}"? Feishu's events for it will be refused.`)) return;
      try {
        await api('/admin/bot/feishu/delete', { id: row.id });
        await reload();
      } catch (error) {
        view.prepend(errorLine(error));
      }
    };
    const labels = { appId: 'App ID', appSecret: 'App secret', apiKey: 'llmgate key', modelId: 'model', encryptKey: 'encrypt key', verificationToken: 'verification token', name: 'name' };
    view.append(element('h2', {}, 'Feishu bots'),
      element('p', {}, 'Give Feishu the bot\'s webhook URL as its event subscription address.'),
      element('form', { class: 'inline', onsubmit: save },
        Object.entries(fields).map(([name, input]) => element('label', {}, labels[name], input)),
        element('button', { type: 'submit' }, 'Save bot')),
      notice,
      searchForm('name or App ID', q, (text) => show('bots', { q: text })),
      table([
        { title: 'Id', value: (b) => b.id, number: true },
        { title: 'Name', value: (b) => b.name },
        { title: 'App ID', value: (b) => b.app_id },
        { title: 'Model', value: (b) => b.config?.modelId ?? '' },
        { title: 'Webhook URL', value: (b) => element('code', {}, `${location.origin}/bot/feishu/${b.id}/webhook/event`) },
        { title: 'Config (secrets masked)', value: (b) => JSON.stringify(b.config) },
        { title: '', value: (b) => element('button', { type: 'button', onclick: () => remove(b) }, 'Delete') },
      ], page.items, { testId: 'bots', query: q }),
      pager(page, offset, (next) => show('bots', { q, offset: next })));
  },

  async payments(view, { q = '', offset = 0 } = {}) {
    const page = await api(`/admin/payment/list${query({ q, limit: kPageSize, offset })}`);
    view.append(element('h2', {}, 'Payments'),
      searchForm('key name', q, (text) => show('payments', { q: text })),
      table([
        { title: 'Time', value: (p) => dateText(p.created_at) },
        { title: 'Key', value: (p) => p.key_name },
        { title: 'Amount', value: (p) => p.amount, number: true },
        { title: 'Balance after', value: (p) => p.balance_after, number: true },
        { title: 'By', value: (p) => p.admin_key_name },
      ], page.items, { testId: 'payments', query: q }),
      pager(page, offset, (next) => show('payments', { q, offset: next })));
  },

  async records(view, options) {
    await recordsView(view, '/admin', options);
  },

  async mine(view) {
    const key = await api('/user/api-key/mine');
    state.mine = key;
    view.append(element('h2', {}, `Key "${key.name}"`),
      element('div', { class: 'cards' },
        card('Month quota', key.month_quota, 'month-quota'),
        card('Used this month', key.month_fee, 'month-fee'),
        card('Balance', key.balance, 'balance'),
        card('Spent in total', key.total_fee, 'total-fee')),
      table([
        { title: 'Key', value: (k) => k.key },
        { title: 'Role', value: (k) => k.role },
        { title: 'Group', value: (k) => k.group_name ?? k.group_id },
        { title: 'Created', value: (k) => dateText(k.created_at) },
      ], [key]));
  },

  async 'my-records'(view, options) {
    await recordsView(view, '/user', options);
  },

  async conversations(view, options) {
    await sessionsView(view, '/admin', options);
  },

  async 'my-conversations'(view, options) {
    await sessionsView(view, '/user', options);
  },
};

// Sessions: one conversation each (docs/records.md), most recently active first; one opens
// with its threads, oldest first.
async function sessionsView(view, base, { q = '', offset = 0, session } = {}) {
  const name = base === '/admin' ? 'conversations' : 'my-conversations';
  if (session) {
    const detail = await api(`${base}/session/detail/${encodeURIComponent(session)}`);
    view.append(element('h2', {}, detail.title || `Session ${detail.id}`),
      element('p', {}, `${detail.key_name ?? `key ${detail.key_id}`} · ${detail.thread_count} requests · ` +
        `${detail.total_in_tokens} in, ${detail.total_out_tokens} out · fee ${detail.total_fee} · ` +
        `${dateText(detail.created_at)} – ${dateText(detail.updated_at)}`),
      table([
        { title: 'Time', value: (t) => dateText(t.created_at) },
        { title: 'Model', value: (t) => t.model },
        { title: 'Prompt', value: (t) => element('pre', {}, t.prompt) },
        { title: 'Answer', value: (t) => element('pre', {}, t.completion) },
        { title: 'Fee', value: (t) => t.fee, number: true },
      ], detail.threads ?? [], { testId: 'session-threads' }),
      element('button', { type: 'button', onclick: () => show(name, { q, offset }) }, 'Back'));
    return;
  }
  const page = await api(`${base}/session/list${query({ q, limit: kPageSize, offset })}`);
  view.append(element('h2', {}, 'Conversations'),
    searchForm('words of a title, prompt or answer', q, (text) => show(name, { q: text })),
    table([
      { title: 'Last active', value: (s) => dateText(s.updated_at) },
      { title: 'Title', value: (s) => element('a', { href: '#', onclick: (event) => { event.preventDefault(); show(name, { q, offset, session: s.id }); } }, s.title || `session ${s.id}`) },
      { title: 'Key', value: (s) => s.key_name ?? s.key_id },
      { title: 'Requests', value: (s) => s.thread_count, number: true },
      { title: 'Tokens in', value: (s) => s.total_in_tokens, number: true },
      { title: 'Tokens out', value: (s) => s.total_out_tokens, number: true },
      { title: 'Fee', value: (s) => s.total_fee, number: true },
    ], page.items, { testId: 'sessions', query: q }),
    pager(page, offset, (next) => show(name, { q, offset: next })));
}

// One key: its settings (name, email, role, group, monthly quota) saved with
// /admin/api-key/update, and the models granted to it alone, besides its group's.
async function keyView(view, id, back) {
  const [key, groups, granted, models] = await Promise.all([
    api(`/admin/api-key/detail/${encodeURIComponent(id)}`),
    api(`/admin/group/list${query({ limit: 1000 })}`),
    api(`/admin/api-key/list-model${query({ key_id: id, limit: 1000 })}`),
    api(`/admin/model/list${query({ limit: 1000 })}`),
  ]);
  const reload = () => show('keys', { ...back, key: id });
  const notice = element('div');
  const fields = {
    name: element('input', { name: 'key_name', value: key.name, required: true }),
    email: element('input', { name: 'key_email', type: 'email', value: key.email ?? '' }),
    role: element('select', { name: 'key_role' }, ['user', 'admin'].map((r) => element('option', { value: r, selected: r === key.role }, r))),
    group_id: element('select', { name: 'key_group' }, groups.items.map((g) => element('option', { value: g.id, selected: g.id === key.group_id }, g.name))),
    month_quota: element('input', { name: 'key_month_quota', inputMode: 'decimal', value: String(key.month_quota) }),
  };
  const save = async (event) => {
    event.preventDefault();
    try {
      await api('/admin/api-key/update', {
        id: key.id, name: fields.name.value, email: fields.email.value, role: fields.role.value,
        group_id: Number(fields.group_id.value), month_quota: fields.month_quota.value,
      });
      await reload();
      document.querySelector('#view').prepend(element('p', { class: 'notice', dataset: { testid: 'saved-key' } }, `Key "${fields.name.value}" saved.`));
    } catch (error) {
      notice.replaceChildren(errorLine(error));
    }
  };
  const grantedIds = new Set(granted.items.map((g) => g.model_id));
  const choice = element('select', { name: 'key_model_id' },
    models.items.filter((m) => !grantedIds.has(m.id)).map((m) => element('option', { value: m.id }, m.name)));
  const change = async (path, modelId) => {
    try {
      await api(path, { key_id: key.id, model_id: Number(modelId) });
      await reload();
    } catch (error) {
      notice.replaceChildren(errorLine(error));
    }
  };
  view.append(element('h2', {}, `Key "${key.name}" (id ${key.id}, ${key.key})`),
    element('p', {}, `Used this month ${key.month_fee} of ${key.month_quota} · balance ${key.balance} · spent in total ${key.total_fee}`),
    element('form', { class: 'inline', onsubmit: save },
      Object.entries(fields).map(([name, input]) => element('label', {}, name.replace('_', ' ').replace(' id', ''), input)),
      element('button', { type: 'submit' }, 'Save key')),
    notice,
    element('h2', {}, 'Models granted to this key alone'),
    element('form', { class: 'inline', onsubmit: (event) => { event.preventDefault(); if (choice.value) change('/admin/api-key/authorize-model', choice.value); } },
      element('label', {}, 'model', choice), element('button', { type: 'submit' }, 'Grant to key')),
    table([
      { title: 'Model', value: (g) => g.model_name },
      { title: 'Provider', value: (g) => g.provider },
      { title: 'Granted', value: (g) => dateText(g.created_at) },
      { title: '', value: (g) => element('button', { type: 'button', onclick: () => change('/admin/api-key/deauthorize-model', g.model_id) }, 'Revoke') },
    ], granted.items, { testId: 'key-models' }),
    element('button', { type: 'button', onclick: () => show('keys', back) }, 'All keys'));
}

// One model's settings. The config is shown as the API shows it, secrets masked; a masked
// secret saved back unchanged keeps the stored one (docs/api.md, "Models").
async function modelView(view, id, back) {
  const [model, providers] = await Promise.all([
    api(`/admin/model/detail/${encodeURIComponent(id)}`),
    api('/admin/model/list-providers'),
  ]);
  const notice = element('div');
  const fields = {
    name: element('input', { name: 'model_name', value: model.name, required: true }),
    provider: element('select', { name: 'model_provider' }, providers.map((p) => element('option', { value: p.name, selected: p.name === model.provider }, p.name))),
    price_in: element('input', { name: 'model_price_in', inputMode: 'decimal', value: String(model.price_in) }),
    price_out: element('input', { name: 'model_price_out', inputMode: 'decimal', value: String(model.price_out) }),
    multiple: element('input', { name: 'model_multiple', type: 'checkbox', checked: model.multiple }),
  };
  const config = element('textarea', { name: 'model_config', rows: 8, cols: 70, value: JSON.stringify(model.config, null, 2) });
  const save = async (event) => {
    event.preventDefault();
    notice.replaceChildren();
    try {
      const saved = await api('/admin/model/save', {
        id: model.id, name: fields.name.value, provider: fields.provider.value, config: config.value,
        price_in: fields.price_in.value, price_out: fields.price_out.value, multiple: fields.multiple.checked,
      });
      await show('models', back);
      document.querySelector('#view').prepend(element('p', { class: 'notice', dataset: { testid: 'saved-model' } }, `Model "${saved.name}" saved.`));
    } catch (error) {
      notice.append(errorLine(error));
    }
  };
  view.append(element('h2', {}, `Model "${model.name}" (id ${model.id})`),
    element('form', { class: 'stacked', onsubmit: save },
      Object.entries(fields).map(([name, input]) => element('label', {}, name.replace('_', ' '), input)),
      element('label', {}, 'config (JSON; secrets as shown keep their stored value)', config),
      element('button', { type: 'submit' }, 'Save model')),
    notice,
    element('button', { type: 'button', onclick: () => show('models', back) }, 'All models'));
}

// A group's name; deleting it, which first asks before moving its keys to group 1.
function groupSettings(group, notice) {
  const name = element('input', { name: 'group_rename', value: group.name, required: true });
  const rename = async (event) => {
    event.preventDefault();
    try {
      const saved = await api('/admin/group/save', { id: group.id, name: name.value });
      await show('groups', { group: saved });
    } catch (error) {
      notice.replaceChildren(errorLine(error));
    }
  };
  const remove = async () => {
    if (!confirm(`Delete group "${group.name}" and its grants?`)) return;
    try {
      await api('/admin/group/delete', { id: group.id });
    } catch (error) {
      // 409: keys are still in the group.
      if (error.status !== 409) {
        notice.replaceChildren(errorLine(error));
        return;
      }
      if (!confirm(`${error.message}\nMove them to group 1 and delete the group?`)) return;
      try {
        await api('/admin/group/delete', { id: group.id, force: true });
      } catch (forced) {
        notice.replaceChildren(errorLine(forced));
        return;
      }
    }
    await show('groups');
  };
  return element('form', { class: 'inline', onsubmit: rename },
    element('label', {}, 'name', name), element('button', { type: 'submit' }, 'Rename'),
    group.id === 1 ? null : element('button', { type: 'button', onclick: remove }, 'Delete group'));
}

// One group's models: granted ones with "Revoke", and a choice of the others to grant.
async function groupView(view, group) {
  const [granted, models] = await Promise.all([
    api(`/admin/group/list-model${query({ group_id: group.id, limit: 1000 })}`),
    api(`/admin/model/list${query({ limit: 1000 })}`),
  ]);
  const reload = () => show('groups', { group });
  const notice = element('div');
  const grantedIds = new Set(granted.items.map((g) => g.model_id));
  const choice = element('select', { name: 'model_id' },
    models.items.filter((m) => !grantedIds.has(m.id)).map((m) => element('option', { value: m.id }, m.name)));
  const change = async (path, modelId) => {
    try {
      await api(path, { group_id: group.id, model_id: Number(modelId) });
      await reload();
    } catch (error) {
      notice.replaceChildren(errorLine(error));
    }
  };
  view.append(element('h2', {}, `Group "${group.name}" (id ${group.id})`),
    groupSettings(group, notice),
    element('form', { class: 'inline', onsubmit: (event) => { event.preventDefault(); if (choice.value) change('/admin/group/authorize-model', choice.value); } },
      element('label', {}, 'model', choice), element('button', { type: 'submit' }, 'Grant')),
    notice,
    table([
      { title: 'Model', value: (g) => g.model_name },
      { title: 'Provider', value: (g) => g.provider },
      { title: 'Granted', value: (g) => dateText(g.created_at) },
      { title: '', value: (g) => element('button', { type: 'button', onclick: () => change('/admin/group/deauthorize-model', g.model_id) }, 'Revoke') },
    ], granted.items, { testId: 'group-models' }),
    element('button', { type: 'button', onclick: () => show('groups') }, 'All groups'));
}

async function recordsView(view, base, { q = '', offset = 0, thread } = {}) {
  const name = base === '/admin' ? 'records' : 'my-records';
  if (thread) {
    const row = await api(`${base}/thread/detail/${encodeURIComponent(thread)}`);
    view.append(element('h2', {}, `Thread ${row.id}`),
      element('p', {}, `${dateText(row.created_at)} · ${row.model} · ${row.tokens_in} in, ${row.tokens_out} out · fee ${row.fee} · ${row.status}`),
      element('h2', {}, 'Prompt'), element('pre', { dataset: { testid: 'prompt' } }, row.prompt),
      element('h2', {}, 'Answer'), element('pre', { dataset: { testid: 'completion' } }, row.completion),
      element('button', { type: 'button', onclick: () => show(name, { q, offset }) }, 'Back'));
    return;
  }
  const page = await api(`${base}/thread/list${query({ q, limit: kPageSize, offset })}`);
  view.append(element('h2', {}, 'Chat records'),
    searchForm('words of a prompt or answer', q, (text) => show(name, { q: text })),
    table([
      { title: 'Time', value: (t) => dateText(t.created_at) },
      { title: 'Model', value: (t) => t.model },
      { title: 'Prompt', value: (t) => element('a', { href: '#', onclick: (event) => { event.preventDefault(); show(name, { q, offset, thread: t.id }); } }, t.prompt || `thread ${t.id}`) },
      { title: 'Tokens in', value: (t) => t.tokens_in, number: true },
      { title: 'Tokens out', value: (t) => t.tokens_out, number: true },
      { title: 'Fee', value: (t) => t.fee, number: true },
      { title: 'Status', value: (t) => t.status },
    ], page.items, { testId: 'threads', query: q }),
    pager(page, offset, (next) => show(name, { q, offset: next })));
}

const kAdminNav = [
  ['overview', 'Overview'], ['keys', 'Keys'], ['models', 'Models'], ['groups', 'Groups'],
  ['payments', 'Payments'], ['conversations', 'Conversations'], ['records', 'Records'],
  ['bots', 'Feishu bots'],
];
const kUserNav = [['mine', 'My key'], ['my-conversations', 'My conversations'], ['my-records', 'My records']];

// Draws a view off-page and then swaps it in; only the latest call's view is shown, so a
// quick second click is never overwritten by the first one's slower answer.
let shown = 0;
async function show(name, options) {
  const call = ++shown;
  const next = element('section', { id: 'view' });
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('current', link.dataset.view === name);
  try {
    await views[name](next, options);
  } catch (error) {
    next.replaceChildren(errorLine(error));
  }
  if (call === shown) document.querySelector('#view').replaceWith(next);
}

// ---- signing in and out ------------------------------------------------------------------

async function start() {
  const signIn = document.querySelector('#sign-in');
  const nav = document.querySelector('#nav');
  const signOut = document.querySelector('#sign-out');
  if (!state.key) {
    signIn.hidden = false;
    return;
  }
  try {
    state.mine = await api('/user/api-key/mine');
  } catch (error) {
    sessionStorage.removeItem(kKeyStorage);
    state.key = '';
    signIn.hidden = false;
    document.querySelector('#sign-in-error').textContent = error.message;
    return;
  }
  signIn.hidden = true;
  const admin = state.mine.role === 'admin';
  nav.replaceChildren(...(admin ? kAdminNav : kUserNav).map(([name, title]) =>
    element('a', { href: `#${name}`, dataset: { view: name }, onclick: (event) => { event.preventDefault(); show(name); } }, title)));
  nav.hidden = false;
  signOut.hidden = false;
  document.querySelector('#who').textContent = `${state.mine.name} (${state.mine.role})`;
  await show(admin ? 'overview' : 'mine');
}

document.querySelector('#sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.key = document.querySelector('#key').value.trim();
  sessionStorage.setItem(kKeyStorage, state.key);
  start();
});

document.querySelector('#sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(kKeyStorage);
  location.reload();
});

start();
