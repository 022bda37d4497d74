/**
 * Drops undefined fields, so that a status compares equal to what the API server returns (it
 * stores no undefined). Every field of T must be named, even as undefined: none is forgotten.
 */
export function compact<T extends object>(value: {
  readonly [K in keyof T]-?: T[K] | undefined;
}): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
