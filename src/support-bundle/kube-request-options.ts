import {
  Observable,
  type ConfigurationOptions,
  type RequestContext,
} from '@kubernetes/client-node';

/**
 * Per-request options that end a client-node request when `signal` aborts. client-node has no
 * request timeout of its own, and a bundle is made exactly when things are broken: an API server
 * that accepts the connection and never answers must not hang it.
 */
export function requestOptions(signal: AbortSignal): ConfigurationOptions {
  const attach = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: <T>(context: T) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [attach], middlewareMergeStrategy: 'append' };
}
