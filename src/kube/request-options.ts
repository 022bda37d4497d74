import {
  Observable,
  type ConfigurationOptions,
  type RequestContext,
} from '@kubernetes/client-node';

/**
 * Per-request options that end a client-node request when `signal` aborts, added to `options`.
 * client-node has no request timeout of its own: an API server that accepts the connection and
 * never answers must not hang a Lease renewal or a support bundle.
 */
export function withSignal(
  signal: AbortSignal,
  options: ConfigurationOptions = {},
): ConfigurationOptions {
  const attach = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: <T>(context: T) => new Observable(Promise.resolve(context)),
  };
  return {
    ...options,
    middleware: [...(options.middleware ?? []), attach],
    middlewareMergeStrategy: 'append',
  };
}
