import { createHash } from 'node:crypto';
import type { GlusterCluster } from '../../api/gluster-cluster.js';
import type { EventsDeliveryReport, NodeRegistration } from '../../core/events/events-delivery.js';
import { assessEventsDelivery } from '../../core/events/events-delivery.js';
import type { Observation } from '../../core/observation.js';
import { memberNames } from '../../core/observation.js';
import type { CallOptions, GlusterCli } from '../../gluster/gluster-cli.js';
import { registerEventsWebhook } from '../../gluster/events-registration.js';
import { formatKubeTime } from '../../kube/kube-time.js';
import type { Logger } from '../../observability/logger.js';
import { eventsPathOf } from '../../events/webhook-receiver.js';
import type { EventRouter } from './event-router.js';
import { EventTokenError } from './event-tokens.js';
import type { EventTokens } from './event-tokens.js';

export interface EventsRegistrarDeps {
  /** EVENTS_URL: the base URL nodes post to, unless spec.events.receiverUrl says another. */
  readonly defaultUrl: string | undefined;
  readonly tokens: Pick<EventTokens, 'tokenFor'>;
  readonly router: Pick<EventRouter, 'setPool' | 'lastEventMs' | 'lastRefusedMs'>;
  readonly logger: Logger;
  readonly now: () => Date;
}

interface NodeRecord {
  /** Of the URL and token the node was checked with: another means check again. */
  readonly fingerprint: string;
  readonly registration: NodeRegistration;
  readonly checkedAtMs: number;
}

/** How long one node's check may take (python3 start, a file write, a daemon start, a post). */
const CHECK_DEADLINE_MS = 20_000;

/**
 * Keeps every node of a pool with spec.events enabled registered with glustereventsd, checked
 * once per resync (and at every pass while it is not), and tells the pass what EventsDelivery
 * says. Nodes are checked one SSH command each, side by side: a node that is down costs nothing
 * (it is not asked, and is reported NodeUnreachable), and never holds the others back. When
 * events are turned off, the webhook is removed from the nodes that answer.
 */
export class EventsRegistrar {
  private readonly byCluster = new Map<string, Map<string, NodeRecord>>();
  private readonly lastCheck = new Map<string, number>();
  /** The last refused post each pool's checks have answered (a new one re-checks every node). */
  private readonly refusalsSeen = new Map<string, number>();
  /** How each pool's nodes were last registered: what removing the webhook needs. */
  private readonly registeredWith = new Map<
    string,
    { readonly cli: GlusterCli; readonly url: string; readonly path: string }
  >();

  constructor(private readonly deps: EventsRegistrarDeps) {}

  /**
   * Registers or checks the pool's nodes as due and returns status.events and EventsDelivery;
   * undefined when events are off for the pool.
   */
  async check(
    clusterKey: string,
    cluster: GlusterCluster,
    cli: GlusterCli | undefined,
    observation: Observation,
    options: { readonly resyncMs: number; readonly signal: AbortSignal },
  ): Promise<EventsDeliveryReport | undefined> {
    const { spec, metadata } = cluster;
    const base = spec.events?.receiverUrl ?? this.deps.defaultUrl;
    const path = eventsPathOf(metadata.namespace, metadata.name);
    const answered = new Set(
      observation.nodes.filter((node) => canRunOn(node.failure)).map((node) => node.address),
    );
    if (spec.events?.enabled !== true) {
      this.deps.router.setPool(clusterKey, undefined);
      // No way to the nodes this pass (the SSH Secret unreadable): what they hold is remembered,
      // so a later pass removes it.
      if (cli === undefined) return undefined;
      if (cluster.status?.events !== undefined || this.byCluster.has(clusterKey)) {
        await this.unregister(
          clusterKey,
          cli,
          [...answered],
          { url: `${base ?? ''}${path}`, path },
          options,
        );
      }
      this.forget(clusterKey);
      return undefined;
    }
    const nodes = observation.nodes.map((node) => node.address);
    const url = base === undefined ? undefined : `${base.replace(/\/+$/, '')}${path}`;
    let refusedPostTime: string | undefined;
    const report = (registrations: ReadonlyMap<string, NodeRegistration>) =>
      assessEventsDelivery({
        url,
        sudo: spec.ssh.sudo === true,
        nodes,
        registrations,
        lastCheckTime: timeOf(this.lastCheck.get(clusterKey)),
        lastEventTime: timeOf(this.deps.router.lastEventMs(clusterKey)),
        ...(refusedPostTime === undefined ? {} : { refusedPostTime }),
      });
    if (url === undefined || spec.ssh.sudo === true) return report(new Map());

    let token: string;
    try {
      token = await this.deps.tokens.tokenFor(cluster);
    } catch (error) {
      if (!(error instanceof EventTokenError)) throw error;
      const checkedAt = formatKubeTime(this.deps.now());
      return report(
        new Map(
          nodes.map((node) => [
            node,
            { ok: false, reason: 'RegistrationFailed', message: error.message, checkedAt },
          ]),
        ),
      );
    }
    // Before the checks: each check's own post must find the pool's token.
    this.deps.router.setPool(clusterKey, { token, members: memberNames(observation.nodes) });

    // A post with a wrong token since the last pass: some node may hold an old one; all are
    // checked again now (at most once per refusal seen), and this pass says so.
    const refusedMs = this.deps.router.lastRefusedMs(clusterKey);
    const newRefusal =
      refusedMs !== undefined && refusedMs > (this.refusalsSeen.get(clusterKey) ?? 0);
    if (newRefusal) {
      this.refusalsSeen.set(clusterKey, refusedMs);
      refusedPostTime = timeOf(refusedMs);
    }
    const fingerprint = createHash('sha256').update(`${url}\n${token}`).digest('hex');
    const records = this.recordsOf(clusterKey);
    const nowMs = this.deps.now().getTime();
    // Due once per resync; a node not working (or checked with another URL or token), every pass.
    const isDue = (record: NodeRecord | undefined): boolean =>
      newRefusal ||
      record === undefined ||
      record.fingerprint !== fingerprint ||
      !record.registration.ok ||
      record.registration.restarted ||
      nowMs - record.checkedAtMs >= options.resyncMs * 0.9;
    // Without a way to the nodes (the SSH Secret unreadable), none is asked: none answered.
    const due = nodes.filter((node) => answered.has(node) && isDue(records.get(node)));
    if (cli !== undefined) this.registeredWith.set(clusterKey, { cli, url, path });
    if (cli !== undefined && due.length > 0) {
      this.lastCheck.set(clusterKey, nowMs);
      await Promise.all(
        due.map(async (node) => {
          const before = records.get(node);
          const registration = await this.checkNode(
            cli,
            node,
            { url, token, path },
            options.signal,
            {
              // A daemon started on a node that delivered before: its events meanwhile were lost.
              wasDelivering: before?.registration.ok === true && before.fingerprint === fingerprint,
            },
          );
          records.set(node, { fingerprint, registration, checkedAtMs: nowMs });
        }),
      );
    }
    const registrations = new Map<string, NodeRegistration>();
    const checkedAt = formatKubeTime(this.deps.now());
    const failures = new Map(observation.nodes.map((node) => [node.address, node.failure]));
    for (const node of nodes) {
      const record = records.get(node);
      if (!answered.has(node)) {
        const failure = failures.get(node);
        registrations.set(node, {
          ok: false,
          reason: 'NodeUnreachable',
          message:
            failure?.kind === 'not-asked'
              ? `not asked this pass, so its registration cannot be checked: ${failure.message}`
              : 'it does not answer over SSH: its registration cannot be checked',
          checkedAt,
        });
      } else if (record) {
        registrations.set(node, record.registration);
      }
    }
    return report(registrations);
  }

  /**
   * The pool's resource is gone (deleted, or dissolved and let go): its webhook is removed from
   * every node it was registered on that still answers, best effort (a node that does not is
   * logged and keeps it: its posts then get 401s), and the pool is forgotten. Needs the SSH
   * connections the checks used: call it before they are closed.
   */
  async release(clusterKey: string, signal: AbortSignal): Promise<void> {
    const way = this.registeredWith.get(clusterKey);
    const records = this.byCluster.get(clusterKey);
    this.forget(clusterKey);
    if (way === undefined || records === undefined || records.size === 0) return;
    await this.unregister(
      clusterKey,
      way.cli,
      [...records.keys()],
      { url: way.url, path: way.path },
      { signal },
    );
  }

  forget(clusterKey: string): void {
    this.byCluster.delete(clusterKey);
    this.lastCheck.delete(clusterKey);
    this.refusalsSeen.delete(clusterKey);
    this.registeredWith.delete(clusterKey);
  }

  private async checkNode(
    cli: GlusterCli,
    node: string,
    request: { url: string; token: string; path: string },
    signal: AbortSignal,
    context: { wasDelivering: boolean },
  ): Promise<NodeRegistration> {
    const checkedAt = formatKubeTime(this.deps.now());
    const options: CallOptions = { signal, deadlineMs: CHECK_DEADLINE_MS };
    try {
      const result = await registerEventsWebhook(
        cli,
        node,
        { action: 'register', ...request },
        options,
      );
      if (!result.ok) {
        this.deps.logger.warn('Events from a node may not reach the operator', {
          host: node,
          reason: result.problem,
          error: result.message,
        });
        return { ok: false, reason: result.problem, message: result.message, checkedAt };
      }
      if (result.changed || result.started) {
        this.deps.logger.info('Registered the events webhook', {
          host: node,
          started: result.started,
          reloaded: result.reloaded,
        });
      }
      return {
        ok: true,
        restarted: result.started && context.wasDelivering,
        ...(result.certificateVerified ? {} : { certificateVerified: false }),
        checkedAt,
      };
    } catch (error) {
      if (signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: 'NodeUnreachable', message, checkedAt };
    }
  }

  private async unregister(
    clusterKey: string,
    cli: GlusterCli,
    nodes: readonly string[],
    request: { url: string; path: string },
    options: { readonly signal: AbortSignal },
  ): Promise<void> {
    await Promise.all(
      nodes.map(async (address) => {
        try {
          await registerEventsWebhook(
            cli,
            address,
            { action: 'unregister', ...request },
            { signal: options.signal, deadlineMs: CHECK_DEADLINE_MS },
          );
        } catch (error) {
          if (options.signal.aborted) throw error;
          this.deps.logger.warn('Failed to remove the events webhook from a node', {
            cluster: clusterKey,
            host: address,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    );
  }

  private recordsOf(clusterKey: string): Map<string, NodeRecord> {
    let records = this.byCluster.get(clusterKey);
    if (!records) {
      records = new Map();
      this.byCluster.set(clusterKey, records);
    }
    return records;
  }
}

/** SSH works on the node this pass (glusterd may be down: glustereventsd can still be set up). */
function canRunOn(failure: Observation['nodes'][number]['failure']): boolean {
  return failure === undefined || failure.kind === 'glusterd' || failure.kind === 'gluster';
}

function timeOf(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : formatKubeTime(new Date(ms));
}
