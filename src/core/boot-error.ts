/**
 * A start-up failure an operator can act on. main.ts prints its message as one line and exits
 * non-zero, without a stack trace burying the reason.
 */
export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}
