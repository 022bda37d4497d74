import { OperatorError } from '../errors.js';

/** The command line is wrong; nothing ran. */
export class UsageError extends OperatorError {}

/** An input file (manifest, peers.json, SSH key, known_hosts) is missing or malformed. */
export class InputFileError extends OperatorError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
