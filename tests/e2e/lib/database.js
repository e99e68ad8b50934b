// Where each test gateway keeps its data.
//
// By default every gateway gets a fresh SQLite file in its own temporary directory. To run
// the same suite against another backend (SPEC 11: PostgreSQL), set
// LLMGATE_TEST_DATABASE_URL_TEMPLATE to a URL in which `{dir}` is replaced by the gateway's
// temporary directory and `{id}` by a unique token (letters, digits, underscore), e.g.
//   postgresql://llmgate:llmgate@127.0.0.1:5432/llmgate_e2e_{id}
// The database the URL names must then be created by LLMGATE_TEST_DATABASE_SETUP, a shell
// command run with the URL in $LLMGATE_TEST_DATABASE_URL before the gateway starts (e.g.
// `createdb "${LLMGATE_TEST_DATABASE_URL##*/}"`).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const kDefaultTemplate = 'sqlite://{dir}/llmgate.db';

/** A database URL that no other gateway of this run uses. */
export function freshDatabaseUrl(dir) {
  const template = process.env.LLMGATE_TEST_DATABASE_URL_TEMPLATE || kDefaultTemplate;
  const id = `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = template.replaceAll('{dir}', dir).replaceAll('{id}', id);
  const setup = process.env.LLMGATE_TEST_DATABASE_SETUP;
  if (setup) {
    execFileSync('/bin/sh', ['-c', setup], {
      env: { ...process.env, LLMGATE_TEST_DATABASE_URL: url },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return url;
}

/**
 * Runs a read-only query on a gateway's SQLite database with the `sqlite3` command-line
 * tool and returns the rows as objects. For the few facts no answer may show (stored
 * secrets); resolves to undefined when the database is not SQLite or the tool is missing,
 * so that a test can say what it could not check.
 */
export function querySqlite(databaseUrl, sql) {
  if (!databaseUrl.startsWith('sqlite://')) return undefined;
  const file = databaseUrl.slice('sqlite://'.length);
  let output;
  try {
    output = execFileSync('sqlite3', ['-readonly', '-json', file, sql], { encoding: 'utf8' });
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  return output.trim() === '' ? [] : JSON.parse(output);
}

/** True when the gateways of this run use PostgreSQL (SPEC 11), not SQLite. */
export function onPostgres() {
  return /^postgres(ql)?:\/\//.test(process.env.LLMGATE_TEST_DATABASE_URL_TEMPLATE ?? '');
}

/**
 * Runs SQL with `psql` on the server of a gateway's PostgreSQL database, connected to the
 * server's `postgres` database (so that the gateway's own may be closed to connections),
 * and returns psql's output. For what no API can do: cutting a gateway off its database.
 * psql comes from LLMGATE_TEST_POSTGRES_BINDIR (scripts/test-postgres.sh), else from PATH.
 */
export function postgresSql(databaseUrl, sql) {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const bindir = process.env.LLMGATE_TEST_POSTGRES_BINDIR;
  const psql = bindir ? `${bindir}/psql` : 'psql';
  return execFileSync(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url.href, '-c', sql], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The name of a PostgreSQL database URL's database. */
export function postgresDatabaseName(databaseUrl) {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}
