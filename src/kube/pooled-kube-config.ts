import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestContext } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * A KubeConfig whose API requests share one HTTP connection pool.
 *
 * Why: client-node 2.0.1 builds a new undici Agent for every request (its `createDispatcher` is
 * private and uncached), so every request opens a new TLS connection that then idles in its own
 * pool. An operator that lists, watches, patches status and renews a Lease all day grew by
 * hundreds of MiB under load (measured: 2,000 requests +324 MiB RSS; shared: +7 MiB).
 *
 * The per-request agent that the library still builds is never used (it owns no socket until it
 * dispatches) and is dropped. The shared agent is keyed by the TLS material the request would
 * have used (cluster, proxy, CA, client certificate and key, read afresh like the library does),
 * so rotated certificates get a new pool and the old one is closed once its requests are done.
 */
export class PooledKubeConfig extends KubeConfig {
  #shared: { readonly key: string; readonly dispatcher: Dispatcher } | undefined;
  #closed = false;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const perRequest = context.getDispatcher();
    if (perRequest === undefined || this.#closed) return;
    const key = this.#tlsMaterialKey();
    if (this.#shared?.key !== key) {
      const previous = this.#shared?.dispatcher;
      this.#shared = { key, dispatcher: perRequest };
      // In-flight requests (a watch) finish on the old pool; close() waits for them.
      if (previous) void previous.close().catch(() => undefined);
      return;
    }
    context.setDispatcher(this.#shared.dispatcher);
  }

  /**
   * Closes the shared pool, letting requests in flight finish for up to `graceMs` before cutting
   * them (a forgotten watch must not hold a shutdown). Later requests get their own connection.
   */
  async closeConnections(graceMs = 5_000): Promise<void> {
    this.#closed = true;
    const shared = this.#shared;
    this.#shared = undefined;
    if (!shared) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = shared.dispatcher.close().then(() => true);
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, graceMs, false);
    });
    const graceful = await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    if (!graceful) await shared.dispatcher.destroy();
  }

  /** A digest, so the map holds no copy of the private key. */
  #tlsMaterialKey(): string {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    const hash = createHash('sha256');
    const add = (part: string | Buffer | undefined): void => {
      hash.update(part ?? '\u0000absent');
      hash.update('\u0000');
    };
    add(cluster?.server);
    add(cluster?.proxyUrl);
    add(String(cluster?.skipTLSVerify ?? false));
    add(cluster?.tlsServerName);
    add(fileOrData(cluster?.caFile, cluster?.caData));
    add(fileOrData(user?.certFile, user?.certData));
    add(fileOrData(user?.keyFile, user?.keyData));
    return hash.digest('hex');
  }
}

/** The library's own rule (bufferFromFileOrString): a file wins over inline base64 data. */
function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}
