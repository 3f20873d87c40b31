import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authCommands } from './core/auth/auth.commands.js';
import { BootError } from './core/boot-error.js';
import { ConfigError, loadConfig, type AppConfig } from './core/config/config.js';
import { renderEnvExample } from './core/config/env-example.js';
import { withDatabase } from './core/database/with-database.js';
import { projectRoot } from './core/project-root.js';

/** `args`: everything after the command name, flags included (commands parse their own). */
export type Command = (args: string[], config: AppConfig) => Promise<void>;

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

for (const [name, command] of Object.entries(authCommands)) registerCommand(name, command);

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
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
