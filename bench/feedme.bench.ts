// FeedMe (issue 8, acceptance 6): 100,000 examples with 1536-dimension vectors in the embedded
// database (PGlite + pgvector behind pglite-socket, as the app runs it). Figures: load rate, HNSW
// build time (the migration's index: vector_cosine_ops, m = 16, ef_construction = 64), search
// latency p50/p95 through the pg driver (target p95 < 20 ms), recall@10 against exact search
// (target >= 0.95), and exact search latency for comparison.
//
// The vectors are synthetic and seeded (setseed), generated inside the database: sending 100,000
// vectors of 1536 numbers as text through the socket costs far more than generating them there.
// They are unit vectors scattered around 2,000 topic centres (real embeddings cluster by topic;
// uniform random vectors in 1536 dimensions would be an unrealistic worst case for any
// approximate index). Queries are fresh points near random stored vectors, like a question
// worded differently. Exact neighbours come from the same table with the index turned off.
//
// BENCH_FEEDME_ROWS (default 100000), BENCH_FEEDME_QUERIES (default 100),
// BENCH_FEEDME_EF_SEARCH (default 100).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from '../src/core/database/data-source-options.js';
import { EmbeddedPostgres } from '../src/core/database/embedded-postgres.js';
import { EMBEDDING_DIMENSIONS } from '../src/core/llm/embedding-dimensions.js';
import { BenchReport } from './bench-report.js';

const ROWS = Number(process.env.BENCH_FEEDME_ROWS ?? 100_000);
const QUERIES = Number(process.env.BENCH_FEEDME_QUERIES ?? 100);
const EF_SEARCH = Number(process.env.BENCH_FEEDME_EF_SEARCH ?? 100);
const CENTRES = 2000;
const BATCH = 2000;
const DIM = EMBEDDING_DIMENSIONS;
const K = 10;

const log = (text: string) =>
  process.stderr.write(`[feedme bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
/**
 * A vector of DIM uniform numbers in [-spread, spread), drawn anew for each row: the subquery
 * names the row (`per`), or Postgres would evaluate it once for the whole statement.
 */
const noise = (spread: string, per: string) =>
  `(SELECT array_agg((random() * 2 - 1) * ${spread}) FROM generate_series(1, ${DIM} + 0 * ${per}))::vector(${DIM})`;

const report = new BenchReport('feedme');
const dataDir = await mkdtemp(join(tmpdir(), 'feedme-bench-'));
const server = await EmbeddedPostgres.start({ dataDir, port: 0, startTimeoutMs: 120_000 });
const db = new DataSource({
  ...dataSourceOptions({ url: server.url, embedded: true, poolSize: 1, logQueries: false }),
  entities: [],
} as DataSourceOptions);
await db.initialize();
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
try {
  await db.query('CREATE EXTENSION IF NOT EXISTS vector');
  await db.query(`SELECT setseed(0.20261122)`);
  await db.query(`CREATE TABLE bench_centres (id integer PRIMARY KEY, v vector(${DIM}) NOT NULL)`);
  await db.query(
    `INSERT INTO bench_centres SELECT c, l2_normalize(${noise('1', 'c')}) FROM generate_series(0, ${CENTRES - 1}) c`,
  );
  await db.query(
    `CREATE TABLE bench_examples (id integer PRIMARY KEY, embedding vector(${DIM}) NOT NULL)`,
  );

  // Around a centre: noise of the same overall size as the centre's own spread (cosine ~0.5 to it).
  const loadStarted = performance.now();
  for (let start = 0; start < ROWS; start += BATCH) {
    const end = Math.min(ROWS, start + BATCH) - 1;
    await db.query(
      `INSERT INTO bench_examples (id, embedding)
       SELECT g, l2_normalize(c.v + ${noise('0.035', 'g')})
         FROM generate_series(${start}, ${end}) g
         JOIN bench_centres c ON c.id = (g * 7919) % ${CENTRES}`,
    );
    if ((start / BATCH) % 5 === 0) log(`loaded ${end + 1} / ${ROWS}`);
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  report.record({ metric: 'rows', value: ROWS, unit: 'rows' });
  report.record({ metric: 'load_rate', value: ROWS / loadSeconds, unit: 'rows/s' });

  log('building the HNSW index');
  await db
    .query(`SET maintenance_work_mem = '1GB'`)
    .catch((error: Error) => log(`maintenance_work_mem: ${error.message}`));
  const buildStarted = performance.now();
  await db.query(
    `CREATE INDEX bench_examples_embedding_idx ON bench_examples
       USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
  );
  report.record({
    metric: 'hnsw_build_time',
    value: (performance.now() - buildStarted) / 1000,
    unit: 's',
  });

  // Queries: a stored vector moved by noise (cosine ~0.8 to it), as text for the driver.
  const queries: string[] = (
    await db.query(
      `SELECT l2_normalize(e.embedding + ${noise('0.018', 's')})::text AS q
         FROM generate_series(1, ${QUERIES}) s
         JOIN bench_examples e ON e.id = (s * 104729) % ${ROWS}`,
    )
  ).map((r: { q: string }) => r.q);

  const search = `SELECT id FROM bench_examples ORDER BY embedding <=> $1::vector LIMIT ${K}`;
  await db.query(`SET hnsw.ef_search = ${EF_SEARCH}`);
  const plan: Record<string, string>[] = await db.query(`EXPLAIN ${search}`, [queries[0]]);
  if (!plan.some((row) => Object.values(row)[0].includes('bench_examples_embedding_idx')))
    throw new Error('the search does not use the HNSW index');
  for (const q of queries.slice(0, 10)) await db.query(search, [q]); // warm the index pages

  const latencies: number[] = [];
  const found: number[][] = [];
  for (const q of queries) {
    const started = performance.now();
    const rows: { id: number }[] = await db.query(search, [q]);
    latencies.push(performance.now() - started);
    found.push(rows.map((r) => r.id));
  }
  latencies.sort((a, b) => a - b);
  report.record({ metric: 'ef_search', value: EF_SEARCH, unit: 'candidates' });
  report.record({ metric: 'search_p50', value: percentile(latencies, 0.5), unit: 'ms' });
  report.record({
    metric: 'search_p95',
    value: percentile(latencies, 0.95),
    unit: 'ms',
    target: '< 20',
  });

  log('exact search for recall');
  await db.query('SET enable_indexscan = off');
  const exact: number[] = [];
  let hits = 0;
  for (const [i, q] of queries.entries()) {
    const started = performance.now();
    const rows: { id: number }[] = await db.query(search, [q]);
    exact.push(performance.now() - started);
    const truth = new Set(rows.map((r) => r.id));
    hits += found[i].filter((id) => truth.has(id)).length;
  }
  exact.sort((a, b) => a - b);
  report.record({
    metric: 'recall_at_10',
    value: hits / (QUERIES * K),
    unit: 'ratio',
    target: '>= 0.95',
  });
  report.record({ metric: 'exact_search_p50', value: percentile(exact, 0.5), unit: 'ms' });
} finally {
  await db.destroy().catch(() => undefined);
  await server.stop(30_000);
  await rm(dataDir, { recursive: true, force: true });
}
