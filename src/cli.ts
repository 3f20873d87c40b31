import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { BootError } from './core/boot-error.js';
import { ConfigError, loadConfig, type AppConfig } from './core/config/config.js';
import { renderEnvExample } from './core/config/env-example.js';
import { dataSourceOptions } from './core/database/data-source-options.js';
import { EmbeddedPostgres, runningEmbeddedUrl } from './core/database/embedded-postgres.js';
import { projectRoot } from './core/project-root.js';

type Command = (args: string[], config: AppConfig) => Promise<void>;

/** Connects to DATABASE_URL, to the embedded server a running app serves, or starts one. */
async function withDatabase<T>(
  config: AppConfig,
  work: (db: DataSource) => Promise<T>,
): Promise<T> {
  let embedded: EmbeddedPostgres | undefined;
  const pgDir = join(config.app.dataDir, 'pg');
  let url = config.database.url ?? runningEmbeddedUrl(pgDir);
  if (!url) {
    embedded = await EmbeddedPostgres.start({ dataDir: pgDir, port: 0 });
    url = embedded.url;
  }
  const db = new DataSource(
    dataSourceOptions({ url, embedded: !config.database.url, poolSize: 1, logQueries: false }),
  );
  try {
    await db.initialize();
    return await work(db);
  } finally {
    await db.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

const commands: Record<string, Command> = {
  async 'migration:run'(_args, config) {
    const ran = await withDatabase(config, (db) => db.runMigrations({ transaction: 'each' }));
    console.log(
      ran.length ? `ran: ${ran.map((m) => m.name).join(', ')}` : 'the schema is up to date',
    );
  },

  async 'migration:revert'(_args, config) {
    await withDatabase(config, (db) => db.undoLastMigration({ transaction: 'each' }));
    console.log('reverted the last migration');
  },

  async 'migration:create'(args) {
    const name = args[0];
    if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name))
      throw new BootError('usage: npm run migration:create -- <PascalCaseName>');
    const stamp = Date.now();
    const file = join(projectRoot(), 'migrations', `${stamp}-${name}.ts`);
    writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${stamp} implements MigrationInterface {\n  name = '${name}${stamp}';\n\n  async up(db: QueryRunner): Promise<void> {\n    await db.query(\`\`);\n  }\n\n  async down(db: QueryRunner): Promise<void> {\n    await db.query(\`\`);\n  }\n}\n`,
    );
    console.log(`created ${file}\nadd it to migrations/index.ts (after the others)`);
  },

  async 'env:example'() {
    writeFileSync(join(projectRoot(), '.env.example'), renderEnvExample());
    console.log('wrote .env.example');
  },
};

export function registerCommand(name: string, command: Command): void {
  commands[name] = command;
}

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true, strict: false });
  const [name, ...args] = positionals;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(
      `usage: npm run cli -- <command>\ncommands: ${Object.keys(commands).sort().join(', ')}`,
    );
    process.exit(2);
  }
  try {
    await command(args, loadConfig());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof BootError) {
      console.error(`conveyor: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

await main();
