import { NotFoundError } from '../../kube/kube-errors.js';

/** A pass's read of its object: undefined when the API server says it is gone (404). */
export async function readUnlessGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
