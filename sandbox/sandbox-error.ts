/** Anything the sandbox could not do; the message says what to do next, the cause what failed. */
export class SandboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
