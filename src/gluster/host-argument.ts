import { checkHostAddress } from '../api/host-address.js';
import { InvalidArgumentError } from '../errors.js';

/** Refuses, before anything runs, an address that is not a host name, IPv4 or IPv6 address. */
export function assertHostArgument(what: string, value: string): void {
  const check = checkHostAddress(value);
  if (!check.valid) throw new InvalidArgumentError(`Invalid ${what}: ${check.reason}`);
}
