import { OperatorError } from '../errors.js';

/** The reason of the signal given to onStartedLeading when leadership ends: says why. */
export class LeadershipEndedError extends OperatorError {}
