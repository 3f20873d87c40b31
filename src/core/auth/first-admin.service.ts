import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AccountsService } from './accounts.service.js';

/** Where the first admin's key is written on first boot. */
export function adminKeyPath(config: AppConfig): string {
  return join(config.app.dataDir, 'admin-key');
}

/**
 * First boot (no users at all): creates the admin ADMIN_EMAIL and writes its key to
 * DATA_DIR/admin-key, readable by this OS user only. The log says where the key is, never the key.
 * Runs before the HTTP server listens, so the first request already finds the admin.
 */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = adminKeyPath(this.config);
    const admin = await this.accounts.createFirstAdmin(this.config.auth.adminEmail, async (key) => {
      await writeFile(path, `${key}\n`, { mode: 0o600 });
      // The mode only applies to a new file: tighten one left over from an earlier database.
      await chmod(path, 0o600);
    });
    if (!admin) return;
    const base = this.config.app.publicUrl ?? `http://localhost:${this.config.app.port}`;
    this.logger.log(
      `first boot: created the admin ${admin.email}. Its API key is in ${path} (mode 0600): sign in at ${base}/login with it, or send it as X-API-Key. Create more users with: npm run cli -- users:create --email <email>`,
    );
  }
}
