/**
 * The composition root: environment → config → real adapters → the running operator. The only
 * place adapters are built. With leader election (the default), this replica runs the operator
 * only while it holds the Lease; on SIGTERM/SIGINT it stops and hands the Lease over at once.
 * Started by main.ts, once the Node.js version and the arguments are checked.
 */
import { loadConfig } from './config.js';
import type { RunningOperator } from './controller/operator.js';
import { startOperator } from './controller/operator.js';
import type { HaStatus } from './ha/index.js';
import {
  createLeaseLock,
  isReplicaReady,
  LeaderElector,
  loadLeaderElectionConfig,
} from './ha/index.js';
import { PooledKubeConfig } from './kube/pooled-kube-config.js';
import { startHttpServer } from './observability/http-server.js';
import { startWebhookReceiver } from './events/webhook-receiver.js';
import type { LeaderEndpointSlice } from './kube/leader-endpoint-slice.js';
import { createLeaderEndpointSlice } from './kube/leader-endpoint-slice.js';
import type { Logger } from './observability/logger.js';
import { createLogger } from './observability/logger.js';
import { createOperatorMetrics } from './observability/metrics.js';
import {
  createKubernetesAuthorizer,
  kubernetesAccessReviews,
} from './observability/request-authorizer.js';
import { REVISION, VERSION } from './version.js';

/** Runs the operator until SIGTERM or SIGINT; rejects when it cannot start. */
export async function runOperator(): Promise<void> {
  // Registered first, so a SIGTERM during start-up also stops cleanly.
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const config = loadConfig();
  const election = loadLeaderElectionConfig();
  const logger = createLogger({ level: config.logLevel }).child({ replica: election.identity });
  // One connection pool for every API request (client-node alone opens one per request).
  const kubeConfig = new PooledKubeConfig();
  // In a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config.
  kubeConfig.loadFromDefault();
  const metrics = createOperatorMetrics();
  logger.info('Started gluster-operator', {
    version: VERSION,
    revision: REVISION,
    server: kubeConfig.getCurrentCluster()?.server,
    watchNamespace: config.watchNamespace ?? '(all)',
    workers: config.workers,
    leaderElection: election.enabled,
  });

  let operator: RunningOperator | undefined;
  // glustereventsd's posts: every replica listens; only the leader's router takes them (a
  // standby answers 503, and the resync is the backstop). See docs/events.md. Bound before
  // anything else starts, so a port that cannot be had stops the start-up, not a replica
  // already in the election.
  const receiver =
    config.eventsPort === 0
      ? undefined
      : await startWebhookReceiver({
          port: config.eventsPort,
          host: config.eventsHost,
          ...(config.eventsTls ? { tls: config.eventsTls } : {}),
          logger,
          sink: () => operator?.eventSink,
          onOutcome: (outcome) => {
            metrics.countEventPost(outcome.event, outcome.result);
          },
        });
  const endpointSlice =
    config.eventsPort !== 0 &&
    config.eventsService !== undefined &&
    config.podNamespace !== undefined &&
    config.podName !== undefined &&
    config.podIp !== undefined
      ? createLeaderEndpointSlice(kubeConfig, {
          namespace: config.podNamespace,
          service: config.eventsService,
          podName: config.podName,
          podIp: config.podIp,
          port: config.eventsPort,
          portName: 'events',
        })
      : undefined;
  const run = (): RunningOperator =>
    startOperator({
      kubeConfig,
      config,
      logger,
      metrics,
      // Every change and status write is fenced by the Lease: see docs/ha.md.
      ...(elector ? { leadership: { remainingMs: () => elector.leadershipRemainingMs() } } : {}),
    });
  const elector = election.enabled
    ? new LeaderElector({
        lock: createLeaseLock(kubeConfig, election.lease),
        identity: election.identity,
        timings: election.timings,
        logger,
        callbacks: {
          // Act on pools only while leading; stop within the renew deadline's margin on loss.
          onStartedLeading: async (signal) => {
            logger.info('Became the leader');
            operator = run();
            const claiming = endpointSlice && keepClaiming(endpointSlice, signal, logger);
            await new Promise<void>((resolve) => {
              signal.addEventListener('abort', () => {
                resolve();
              });
            });
            const stopping = operator;
            operator = undefined;
            await claiming;
            await stopping.stop();
            logger.info('Stopped leading');
          },
          onNewLeader: (identity) => {
            logger.info('Saw a new leader', { leader: identity });
          },
        },
      })
    : undefined;
  metrics.trackLeader(() => (elector ? elector.isLeader() : operator !== undefined));
  const electing = new AbortController();
  const electionDone = elector?.run(electing.signal);
  const singleClaim = new AbortController();
  const singleClaiming =
    !elector && endpointSlice ? keepClaiming(endpointSlice, singleClaim.signal, logger) : undefined;
  if (!elector) operator = run();

  const haStatus = (): HaStatus =>
    elector?.status() ?? {
      role: 'master',
      identity: election.identity,
      leader: election.identity,
      replicasSeen: [election.identity],
    };
  const http =
    config.httpPort === 0
      ? undefined
      : await startHttpServer({
          port: config.httpPort,
          host: config.httpHost,
          logger,
          // Liveness never depends on the API server: an outage must not restart every pod.
          checks: {
            isLive: () => true,
            isReady: () => isReplicaReady(haStatus(), operator?.isLive() ?? false),
          },
          haStatus,
          metrics: metrics.registry,
          ...(config.httpAuth === 'kubernetes'
            ? { authorizer: createKubernetesAuthorizer(kubernetesAccessReviews(kubeConfig)) }
            : {}),
        });

  logger.info('Stopping', { signal: await stopRequested });
  if (elector) {
    // Ends the leading work first, then clears the Lease so a standby takes over at once.
    await elector.release();
    electing.abort();
    await electionDone;
  } else {
    singleClaim.abort();
    await singleClaiming;
    await operator?.stop();
  }
  await http?.close();
  await receiver?.close();
  await kubeConfig.closeConnections();
  logger.info('Stopped gluster-operator');
}

/** How often the leader writes its events endpoint again (a slice someone changed is put back). */
const CLAIM_INTERVAL_MS = 30_000;

/**
 * While `signal` is not aborted: points the events Service at this replica now and every 30 s;
 * then takes this replica out of it (a standby must not receive the posts: it would drop them).
 */
async function keepClaiming(
  slice: LeaderEndpointSlice,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await slice.claim();
    } catch (error) {
      logger.warn('Failed to point the events Service at this replica', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLAIM_INTERVAL_MS);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  try {
    await slice.release();
  } catch (error) {
    logger.warn('Failed to take this replica out of the events Service', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
