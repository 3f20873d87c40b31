import { startConveyor, type Conveyor, type StartOptions } from './bootstrap.js';
import { BootError } from './core/boot-error.js';
import { ConfigError, loadConfig } from './core/config/config.js';

/**
 * The process around the app: configuration from the environment, one-line start-up errors
 * (exit 1), and a graceful stop on SIGTERM/SIGINT that always ends the process.
 *
 * The signal handlers are installed before start-up: a SIGTERM that arrives right as the app logs
 * "ready" (supervisors and tests send one as soon as they see it) would otherwise find no handler
 * and kill the process without a graceful stop. A signal during start-up stops the app once it is
 * up; a second one exits at once.
 */
export async function runMain(options: StartOptions = {}): Promise<void> {
  let conveyor: Conveyor | undefined;
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      if (!conveyor) process.exit(1);
      return;
    }
    signalled = signal;
    if (conveyor) stopAndExit(conveyor, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

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
  if (signalled) stopAndExit(conveyor, signalled);
}

function stopAndExit(conveyor: Conveyor, signal: NodeJS.Signals): void {
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
}
