import { startConveyor, type Conveyor, type StartOptions } from './bootstrap.js';
import { BootError } from './core/boot-error.js';
import { ConfigError, loadConfig } from './core/config/config.js';

/**
 * The process around the app: configuration from the environment, one-line start-up errors
 * (exit 1), and a graceful stop on SIGTERM/SIGINT that always ends the process.
 */
export async function runMain(options: StartOptions = {}): Promise<void> {
  let conveyor: Conveyor;
  try {
    conveyor = await startConveyor(loadConfig(), options);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof BootError) {
      process.stderr.write(`conveyor: ${error.message}\n`);
    } else {
      process.stderr.write(
        `conveyor: start-up failed: ${(error as Error).stack ?? String(error)}\n`,
      );
    }
    process.exit(1);
  }

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    conveyor.logger.log(`${signal}: shutting down`, 'Shutdown');
    // Whatever happens, the process is gone shortly after the grace period.
    const deadline = setTimeout(() => {
      conveyor.logger.error('shutdown took too long; exiting', 'Shutdown');
      process.exit(1);
    }, conveyor.config.app.shutdownGraceMs + 4000);
    deadline.unref();
    conveyor
      .stop()
      .then(() => {
        conveyor.logger.log('stopped', 'Shutdown');
        process.exit(0);
      })
      .catch((error: unknown) => {
        conveyor.logger.error(error as Error, 'Shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
