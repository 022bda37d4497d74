/**
 * The composition root: environment → config → real adapters → the running operator. The only
 * place adapters are built. Stops cleanly on SIGTERM/SIGINT (Kubernetes sends SIGTERM).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from './config.js';
import { startOperator } from './controller/operator.js';
import { createLogger } from './observability/logger.js';

async function main(): Promise<void> {
  // Registered first, so a SIGTERM during start-up also stops cleanly.
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const kubeConfig = new KubeConfig();
  // In a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config.
  kubeConfig.loadFromDefault();
  logger.info('Started gluster-operator', {
    server: kubeConfig.getCurrentCluster()?.server,
    watchNamespace: config.watchNamespace ?? '(all)',
    workers: config.workers,
  });
  const operator = startOperator({ kubeConfig, config, logger });
  logger.info('Stopping', { signal: await stopRequested });
  await operator.stop();
  logger.info('Stopped gluster-operator');
}

main().catch((error: unknown) => {
  // The one top-level catch: an invalid configuration or a failure to start.
  process.stderr.write(
    `${JSON.stringify({ level: 'error', message: 'Failed to run gluster-operator', error: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exitCode = 1;
});
