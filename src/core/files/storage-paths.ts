import { join } from 'node:path';

/** Upload temp files live here until they are checked and moved into place. */
export function tempDir(storageDir: string): string {
  return join(storageDir, '.tmp');
}
