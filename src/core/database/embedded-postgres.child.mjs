// The embedded database server: PGlite (Postgres compiled to WASM) with pgvector, served over the
// Postgres wire protocol by pglite-socket. It runs in its own process so that WASM work never
// blocks the app's event loop, and it exits as soon as its parent goes away (IPC disconnect), so a
// killed app never leaves it behind.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, port, maxConnections } = JSON.parse(process.argv[2]);
const lockFile = join(dataDir, 'conveyor.lock');
// Where a running server says where it listens, so the CLI can share it while the app runs.
const serverFile = join(dataDir, 'conveyor-server.json');
let db;
let server;
let stopping = false;

function send(message) {
  if (process.connected) process.send(message);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    await server?.stop();
    await db?.close();
  } finally {
    if (existsSync(lockFile) && readFileSync(lockFile, 'utf8').trim() === String(process.pid)) {
      rmSync(lockFile, { force: true });
      rmSync(serverFile, { force: true });
    }
    process.exit(code);
  }
}

process.on('disconnect', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(lockFile)) {
    const owner = Number(readFileSync(lockFile, 'utf8').trim());
    if (owner && owner !== process.pid && alive(owner)) {
      throw new Error(
        `the embedded database in ${dataDir} is in use by process ${owner} (another Conveyor?); stop it, or set DATABASE_URL to share one PostgreSQL server between instances`,
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));
  db = await PGlite.create({ dataDir, extensions: { vector } });
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
  let boundPort = port;
  server.addEventListener('listening', (event) => {
    boundPort = event.detail.port;
  });
  await server.start();
  writeFileSync(serverFile, JSON.stringify({ pid: process.pid, port: boundPort }));
  send({ type: 'ready', port: boundPort });
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  await stop(1);
}
