-- Fills a migrated llmgate database up to @KEYS@ API keys and @THREADS@ chat threads
-- (@THREADS_PER_SESSION@ per session, the sessions spread over the keys), straight into the
-- real schema with recursive CTEs. The text is indexed for search as the gateway does it:
-- by an insert trigger where the schema has one, else once for the whole fill (migrations 5
-- and 6 replaced the per-row insert triggers with per-batch indexing).
-- Run by bench/run.sh with the sqlite3 CLI while the gateway is stopped.
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;

CREATE TEMP TABLE words (n INTEGER PRIMARY KEY, w TEXT NOT NULL);
INSERT INTO words (n, w) SELECT key, value FROM json_each(
  '["postgres","vacuum","kubernetes","ingress","invoice","budget","python","asyncio","rust",' ||
  '"borrow","latency","cache","terraform","module","react","hooks","shipping","warehouse",' ||
  '"contract","renewal"]');
-- Chinese words for the completions' second sentence: the gateway's users write Chinese too,
-- and the search index holds each Han character as a token (docs/records.md, "Search").
CREATE TEMP TABLE cjk_words (n INTEGER PRIMARY KEY, w TEXT NOT NULL);
INSERT INTO cjk_words (n, w) SELECT key, value FROM json_each(
  '["数据库","缓存","容器","集群","网关","索引","事务","日志","监控","部署","测试","接口",' ||
  '"权限","存储","网络","队列","调度","备份","配置","发票"]');

INSERT INTO api_keys (name, email, role, group_id, key_hash, key_hint, month_quota, balance,
                      created_at, updated_at)
WITH RECURSIVE n(i) AS (
  SELECT 1 UNION ALL SELECT i + 1 FROM n
  WHERE i < @KEYS@ - (SELECT COUNT(*) FROM main.api_keys))
SELECT 'user ' || i, 'user' || i || '@example.com', 'user', 1, lower(hex(randomblob(32))),
       'br-gen…' || i, 100000000000, 0, unixepoch() - 86400 * 30, unixepoch() - 86400 * 30
FROM n WHERE @KEYS@ > (SELECT COUNT(*) FROM main.api_keys);

CREATE TEMP TABLE c AS SELECT
  (SELECT MIN(id) FROM main.api_keys) AS kmin,
  (SELECT COUNT(*) FROM main.api_keys) AS kcount,
  (SELECT COALESCE(MAX(id), 0) + 1 FROM main.sessions) AS smin,
  (SELECT COALESCE(MAX(id), 0) + 1 FROM main.threads) AS tmin,
  unixepoch() - 86400 * 30 AS t0;

INSERT INTO sessions (id, key_id, session_key, title, total_in_tokens, total_out_tokens,
                      total_fee, thread_count, created_at, updated_at)
WITH RECURSIVE n(i) AS (
  SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @THREADS@ / @THREADS_PER_SESSION@)
SELECT c.smin + i, c.kmin + (i % c.kcount), lower(hex(randomblob(16))),
       'How do I tune ' || (SELECT w FROM words WHERE n = i % 20) || ' number ' || i,
       14 * @THREADS_PER_SESSION@, 15 * @THREADS_PER_SESSION@, 11100 * @THREADS_PER_SESSION@,
       @THREADS_PER_SESSION@, c.t0 + i, c.t0 + i
FROM n, c;

INSERT INTO threads (session_id, key_id, request_id, model, prompt, completion, whole_prompt,
                     tokens_in, tokens_out, price_in, price_out, fee, first_byte_latency_ms,
                     latency_ms, stream, status, created_at)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @THREADS@),
p AS (
  SELECT i, i / @THREADS_PER_SESSION@ AS s,
         'Question ' || i || ': how do I tune ' || (SELECT w FROM words WHERE n = i % 20) ||
         ' for topic' || (i % 1000) || '?' AS prompt
  FROM n)
SELECT c.smin + p.s, c.kmin + (p.s % c.kcount), lower(hex(randomblob(8))), 'bench-model',
       p.prompt,
       'Here is an answer about ' || (SELECT w FROM words WHERE n = (p.i * 7) % 20) ||
         ' with a few practical steps and a short example. 这是关于' ||
         (SELECT w FROM cjk_words WHERE n = (p.i * 3) % 20) || '的回答，包含几个实用步骤。',
       json_array(json_object('role', 'user', 'content', p.prompt)),
       14, 15, 150000000, 600000000, 11100, 120, 900, p.i % 2, 'ok', c.t0 + p.i / 40
FROM p, c;

INSERT INTO sessions_fts (rowid, title)
SELECT id, title FROM sessions WHERE id >= (SELECT smin FROM c)
  AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger'
                  AND name = 'sessions_fts_insert');
INSERT INTO threads_fts (rowid, prompt, completion, tool_calls)
SELECT id, prompt, completion, tool_calls FROM threads WHERE id >= (SELECT tmin FROM c)
  AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger'
                  AND name = 'threads_fts_insert');
UPDATE search_index_state SET threads_to = (SELECT MAX(id) FROM threads),
                              sessions_to = (SELECT MAX(id) FROM sessions);

-- The statistics' running totals, as the gateway keeps them (docs/records.md, "Statistics").
DELETE FROM usage_hours;
DELETE FROM usage_models;
DELETE FROM key_last_use;
INSERT INTO usage_hours (hour, model, requests, tokens_in, tokens_out, fee)
  SELECT created_at / 3600, model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee)
  FROM threads GROUP BY created_at / 3600, model;
INSERT INTO usage_models (model, requests, tokens_in, tokens_out, fee)
  SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee) FROM threads GROUP BY model;
INSERT INTO key_last_use (key_id, last_thread_at)
  SELECT key_id, MAX(created_at) FROM threads GROUP BY key_id;

COMMIT;
SELECT 'keys', COUNT(*) FROM api_keys;
SELECT 'sessions', COUNT(*) FROM sessions;
SELECT 'threads', COUNT(*) FROM threads;
