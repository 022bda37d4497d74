import { constants } from 'node:os';

/** The shell convention for a process ended by a signal: 128 + the signal's number. */
export function exitCodeForSignal(name: string): number {
  const key = (name.startsWith('SIG') ? name : `SIG${name}`) as keyof typeof constants.signals;
  const signalNumber = constants.signals[key] as number | undefined;
  return 128 + (signalNumber ?? 0);
}
