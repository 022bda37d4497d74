import type { RegistrationProblem } from '../../api/events-delivery-reasons.js';
import { REGISTRATION_PROBLEMS } from '../../api/events-delivery-reasons.js';
import type { EventsStatus } from '../../api/gluster-cluster.js';
import type { ConditionDraft } from '../condition-timing.js';

/** What one node's check of its registration found. */
export type NodeRegistration =
  | {
      readonly ok: true;
      /** glustereventsd was not running and was started: its events until now were lost. */
      readonly restarted: boolean;
      /** False: the https URL's certificate is not one the node trusts (posts go unverified). */
      readonly certificateVerified?: boolean;
      /** When the check ran (RFC 3339). */
      readonly checkedAt: string;
    }
  | {
      readonly ok: false;
      readonly reason: RegistrationProblem;
      readonly message: string;
      readonly checkedAt: string;
    };

export interface EventsDeliveryInput {
  /** The URL nodes post to; undefined when neither spec nor the operator sets one. */
  readonly url: string | undefined;
  /** Gluster runs through sudo: the registration needs root, which that rule does not give. */
  readonly sudo: boolean;
  /** The spec nodes that should post (the pool's members among them), by address. */
  readonly nodes: readonly string[];
  /** Each node's last registration check; a node missing here was never checked. */
  readonly registrations: ReadonlyMap<string, NodeRegistration>;
  /** The last check of any node (RFC 3339). */
  readonly lastCheckTime: string | undefined;
  /** The last event accepted from the pool (RFC 3339). */
  readonly lastEventTime: string | undefined;
  /** Posts for the pool with a wrong token were refused since the last check (RFC 3339, the last). */
  readonly refusedPostTime?: string;
}

export interface EventsDeliveryReport {
  readonly status: EventsStatus;
  readonly condition: ConditionDraft<'EventsDelivery'>;
}

/**
 * status.events and the EventsDelivery condition: True only when every node that should post
 * was checked and works (registered, glustereventsd running, its post reaching the operator);
 * False with the gravest problem any node has, naming the nodes.
 */
export function assessEventsDelivery(input: EventsDeliveryInput): EventsDeliveryReport {
  const working = input.nodes.filter((node) => {
    const registration = input.registrations.get(node);
    return registration?.ok === true && !registration.restarted;
  });
  const status: EventsStatus = {
    ...(input.url === undefined ? {} : { url: input.url }),
    registered: working.length,
    nodes: input.nodes.length,
    ...(input.lastCheckTime === undefined ? {} : { lastCheckTime: input.lastCheckTime }),
    ...(input.lastEventTime === undefined ? {} : { lastEventTime: input.lastEventTime }),
  };
  const notDelivered = (reason: string, message: string) => ({
    status,
    condition: { type: 'EventsDelivery' as const, status: 'False' as const, reason, message },
  });
  if (input.url === undefined) {
    return notDelivered(
      'NoReceiverUrl',
      'No URL for the nodes to post events to: set EVENTS_URL on the operator, or spec.events.receiverUrl',
    );
  }
  if (input.sudo) {
    return notDelivered(
      'RequiresRoot',
      'Registering the webhook writes glusterd files and starts glustereventsd, which needs root: ssh.sudo allows gluster only. Use a root SSH user, or register by hand (docs/events.md)',
    );
  }
  const problems = input.nodes.flatMap((node) => {
    const registration = input.registrations.get(node);
    if (registration === undefined) {
      return [{ node, reason: 'RegistrationFailed' as const, message: 'not checked yet' }];
    }
    if (registration.ok) {
      return registration.restarted
        ? [
            {
              node,
              reason: 'EventsDaemonRestarted' as const,
              message: `glustereventsd was not running and was started at ${registration.checkedAt}; events until then were lost`,
            },
          ]
        : [];
    }
    return [{ node, reason: registration.reason, message: registration.message }];
  });
  if (input.refusedPostTime !== undefined) {
    problems.unshift({
      node: 'the operator',
      reason: 'WebhookRejected',
      message: `refused posts for this pool with a wrong token (the last at ${input.refusedPostTime}): a node posts with an old token, or someone forges posts; every node was checked again`,
    });
  }
  if (problems.length > 0) {
    const gravest = REGISTRATION_PROBLEMS.find((reason) =>
      problems.some((problem) => problem.reason === reason),
    );
    return notDelivered(
      gravest ?? 'RegistrationFailed',
      problems.map((problem) => `${problem.node}: ${problem.message}`).join('; '),
    );
  }
  const unverified = input.nodes.filter((node) => {
    const registration = input.registrations.get(node);
    return registration?.ok === true && registration.certificateVerified === false;
  });
  // Not a failure: glustereventsd posts anyway. But whoever can answer on that address gets the
  // token, and the person who chose https should know.
  const caveat =
    unverified.length === 0
      ? ''
      : `; ${unverified.join(', ')} ${unverified.length === 1 ? 'does' : 'do'} not trust the certificate of ${input.url} and post${unverified.length === 1 ? 's' : ''} without verifying it, as glustereventsd does (docs/events.md)`;
  return {
    status,
    condition: {
      type: 'EventsDelivery',
      status: 'True',
      reason: 'Delivering',
      message: `All ${input.nodes.length} nodes post glusterd's events to ${input.url}; last event ${input.lastEventTime ?? 'none yet'}${caveat}`,
    },
  };
}
