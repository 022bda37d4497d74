import { OperatorError } from '../errors.js';

/**
 * The bundle could not be made at all (the staging directory or the archive could not be
 * written). What could not be collected is never an error: it is a line of the report's problems.
 */
export class SupportBundleError extends OperatorError {}

/** The caller aborted: nothing was written at the output path. */
export class SupportBundleAbortedError extends SupportBundleError {}
