/**
 * What one pass learnt about a pool, as plain data: the input of the planner. The gather step
 * builds it (SSH, gluster, DNS); here nothing is resolved or fetched, so identities are already
 * settled: each member of a view says which spec node it is, if any.
 */
export interface ObservedMember {
  readonly uuid: string;
  /** The name gluster knows the member by (the asked node's own row: its spec address). */
  readonly hostname: string;
  readonly isConnected: boolean;
  /** Undefined for the observer's own row. */
  readonly state: number | undefined;
  readonly stateStr: string | undefined;
  readonly isLocal: boolean;
  /** The spec address of the node this member is, when it is one of the spec nodes. */
  readonly specAddress: string | undefined;
}

/** The glusterd UUID a spec node is known by: its answer this pass, else the remembered one. */
export function identityOf(node: NodeObservation): string | undefined {
  return node.uuid ?? node.rememberedUuid;
}

/**
 * UUID → the name a member goes by: the address of the spec node known by that UUID (its answer
 * this pass, else the remembered one), else the spec address or gluster host name under which
 * the first of `viewers` lists it. Viewers default to every node that answered.
 */
export function memberNames(
  nodes: readonly NodeObservation[],
  viewers: readonly NodeObservation[] = nodes,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const node of nodes) {
    const uuid = identityOf(node);
    if (uuid !== undefined) names.set(uuid, node.address);
  }
  for (const viewer of viewers) {
    for (const member of viewer.view ?? []) {
      if (!names.has(member.uuid)) names.set(member.uuid, member.specAddress ?? member.hostname);
    }
  }
  return names;
}

/** Why a node could not be asked, in the terms of the status. */
export type NodeFailure =
  | { readonly kind: 'ssh'; readonly message: string }
  /** It answered SSH with a host key known_hosts does not vouch for (changed or revoked). */
  | { readonly kind: 'host-key'; readonly message: string }
  | { readonly kind: 'glusterd'; readonly message: string }
  /** glusterd answered, but refused to (GlusterdBusy and similar transient refusals). */
  | { readonly kind: 'gluster'; readonly reason: string; readonly message: string }
  /** Not asked at all this pass (no SSH credentials, say). */
  | { readonly kind: 'not-asked'; readonly message: string };

export interface NodeObservation {
  /** The spec node's address. */
  readonly address: string;
  /** Undefined when the node answered; otherwise why it did not. */
  readonly failure: NodeFailure | undefined;
  /** The node's own glusterd UUID, from its pool list this pass (undefined when it did not answer). */
  readonly uuid: string | undefined;
  /**
   * The UUID this spec node answered with in an earlier pass (status.nodes[].uuid), when known:
   * a node that does not answer now is still that member, never "someone else".
   */
  readonly rememberedUuid: string | undefined;
  readonly glusterVersion: string | undefined;
  /** Its `pool list`, itself included; undefined when it could not be asked. */
  readonly view: readonly ObservedMember[] | undefined;
  /**
   * Bricks of the node's own pool hosted on it (from its `volume info`); undefined when not read
   * this pass. Needed before a node is released from another pool.
   */
  readonly bricksInOwnPool: readonly string[] | undefined;
  /**
   * Volumes its pool has (from its `volume info`); undefined when not read this pass. A lone node
   * with volumes cannot be probed.
   */
  readonly volumesInOwnPool: readonly string[] | undefined;
  /**
   * The view was read from glusterd's store (lone, glusterd listening), not from glusterd: it
   * may lead to a probe and nothing else; a status is never computed from it.
   */
  readonly fromStore?: true;
}

export interface Observation {
  /** One per spec node, in spec order. */
  readonly nodes: readonly NodeObservation[];
  /**
   * Bricks per member UUID, from `volume info` on the command node; undefined when not read this
   * pass (it is read only when a detach is planned: see Plan.needs).
   */
  readonly bricksByUuid: Readonly<Record<string, readonly string[]>> | undefined;
  readonly opVersion: number | undefined;
}
