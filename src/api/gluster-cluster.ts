/**
 * The GlusterCluster resource (glusteroperator.io/v1alpha1), as the operator reads and writes it.
 * Mirrors crds/glusterclusters.glusteroperator.io.yaml; a test keeps the two equal. Pure types.
 */
export const API_GROUP = 'glusteroperator.io';
export const API_VERSION = 'v1alpha1';
export const KIND = 'GlusterCluster';
export const PLURAL = 'glusterclusters';
/** Set on every GlusterCluster whose pool the operator may still have to act on when deleted. */
export const FINALIZER = 'glusteroperator.io/pool';

export type RemovalPolicy = 'Detach' | 'Retain';
export type DeletionPolicy = 'Retain' | 'Dissolve';

export interface GlusterNodeSpec {
  /** Host name, IPv4 or IPv6 address: used for SSH and as the name the node is probed by. */
  readonly address: string;
  /** A short name for status and events; defaults to the address. */
  readonly name?: string;
  /** Failure domain, informational (reported in status). */
  readonly zone?: string;
  /**
   * Reserved: meant to permit `peer detach force` for this node once it is removed from spec.
   * This version never forces a detach (a removed node's opt-in leaves spec with it).
   */
  readonly allowForceDetach?: boolean;
  /**
   * Permits taking this node out of another trusted pool it belongs to (never one where it
   * hosts bricks). Default false: such a node is reported InOtherPool and left alone.
   */
  readonly reclaimFromOtherPool?: boolean;
}

export interface SshSpec {
  /** Default root. */
  readonly user?: string;
  /** Default 22. */
  readonly port?: number;
  /**
   * A Secret in the resource's namespace with `ssh-privatekey` (PEM or OpenSSH private key) and
   * `known_hosts` (the nodes' host keys).
   */
  readonly secretRef: { readonly name: string };
  /** Run gluster through `sudo -n` (for a non-root user). Default false. */
  readonly sudo?: boolean;
}

/** Which peers.json field a node's address comes from. */
export type InventoryAddressField = 'IPAddress' | 'Hostname' | 'Domain';

/**
 * The pool's nodes from a peers.json inventory instead of `nodes`: a ConfigMap key, or a URL
 * (with an API key from a Secret, sent as X-Api-Key). Exactly one of configMapRef and url.
 */
export interface InventorySpec {
  readonly configMapRef?: {
    readonly name: string;
    /** Default peers.json. */ readonly key?: string;
  };
  readonly url?: string;
  /** A Secret in the resource's namespace holding the API key; only with url, only over https. */
  readonly apiKeySecretRef?: {
    readonly name: string;
    /** Default apiKey. */ readonly key?: string;
  };
  /** Default IPAddress (ip_address); Hostname (hostname) or Domain (domain) instead. */
  readonly addressFrom?: InventoryAddressField;
  /** How often the inventory is read again, e.g. "5m". Default 5m. */
  readonly syncInterval?: string;
}

/**
 * glusterd's events (glustereventsd webhooks) for this pool: each node posts its events to the
 * operator, which reflects a peer or brick going down in status within a second instead of at
 * the next resync. See docs/events.md.
 */
export interface EventsSpec {
  /** Register the operator's webhook on every node (and keep glustereventsd running). */
  readonly enabled: boolean;
  /**
   * The base URL the nodes post to (the operator's events port as they reach it: a NodePort,
   * a LoadBalancer, an Ingress). Default: the operator's EVENTS_URL.
   */
  readonly receiverUrl?: string;
  /**
   * A Secret in the resource's namespace holding the bearer token the nodes send. Default: a
   * token the operator derives for this resource from its own key (EVENTS_TOKEN_SECRET).
   */
  readonly tokenSecretRef?: {
    readonly name: string;
    /** Default token. */ readonly key?: string;
  };
}

export interface GlusterClusterSpec {
  /** The pool's nodes. Exactly one of nodes and inventory. */
  readonly nodes?: readonly GlusterNodeSpec[];
  readonly inventory?: InventorySpec;
  readonly ssh: SshSpec;
  /** What happens to pool members that are not in spec. Default Detach. */
  readonly removalPolicy?: RemovalPolicy;
  /** What deleting the resource does to the pool. Default Retain. */
  readonly deletionPolicy?: DeletionPolicy;
  /** Observe and report only; change nothing. Default false. */
  readonly paused?: boolean;
  /** How often the pool is re-read without any Kubernetes event, e.g. "5m", "30s". Default 5m. */
  readonly resyncInterval?: string;
  /** Events from glusterd (off unless enabled). */
  readonly events?: EventsSpec;
}

/** A node's state as the operator reports it. */
export type NodeState =
  /** In the pool and every reachable member sees it connected. */
  | 'Connected'
  /**
   * In the pool, and the fault is on its side: others see it disconnected (its glusterd down, or
   * cut off), or it alone sees the others disconnected (its own connections fail).
   */
  | 'Disconnected'
  /** A probe was sent; the handshake has not finished. */
  | 'Probing'
  /** Not in the pool yet; it will be probed. */
  | 'Pending'
  /** SSH to the node fails: its own view is unknown. */
  | 'Unreachable'
  /**
   * The node answered SSH with a host key known_hosts does not vouch for (changed, or marked
   * @revoked): possible impersonation, or a reinstalled node. Nothing is run on it, and a person
   * must check the node and update known_hosts in the SSH Secret.
   */
  | 'HostKeyMismatch'
  /** SSH works but glusterd does not answer on the node. */
  | 'GlusterdDown'
  /** A member rejected it (state 6), usually a configuration clash. */
  | 'Rejected'
  /** It belongs to another trusted pool; not taken over without `reclaimFromOtherPool`. */
  | 'InOtherPool'
  /**
   * It lists members that do not list it (it was detached while its glusterd was down): its view
   * is stale, it never leads, and a person must clear its old peers.
   */
  | 'StaleView'
  /** Reserved: not reported by this version (see unmanagedMembers). */
  | 'Detaching'
  /** Nothing could be learnt about it yet. */
  | 'Unknown';

export interface NodeView {
  /** The member whose view this is. */
  readonly observer: string;
  /** How the observer sees the node: Connected, Disconnected, Rejected, Joining, NotInPool. */
  readonly status: string;
}

export interface NodeStatus {
  readonly address: string;
  readonly name?: string;
  readonly zone?: string;
  readonly uuid?: string;
  readonly state: NodeState;
  /** gluster's own state text, as the command node sees it ("Peer in Cluster"). */
  readonly stateStr?: string;
  readonly sshReachable: boolean;
  readonly glusterdRunning: boolean;
  readonly glusterVersion?: string;
  /** When the node last answered over SSH with glusterd running (RFC 3339). */
  readonly lastSeen?: string;
  readonly message?: string;
  /** Present only when members disagree about this node: each observer's view. */
  readonly views?: readonly NodeView[];
  /**
   * Present while an event reported the node down and no look at the pool since has confirmed
   * or cleared it: what was reported, by whom, when.
   */
  readonly reportedDown?: ReportedDown;
}

/** A down event about a node or brick, before a look at the pool confirms it. */
export interface ReportedDown {
  /** The glusterd event: PEER_DISCONNECT, BRICK_DISCONNECTED. */
  readonly event: string;
  /** The members whose glusterd reported it (their spec addresses). */
  readonly reporters: readonly string[];
  /** When the first report happened, by the reporter's clock (RFC 3339, whole seconds). */
  readonly time: string;
}

export interface UnmanagedMember {
  readonly hostname: string;
  readonly uuid: string;
  readonly connected: boolean;
}

/** metav1.Condition. */
export interface Condition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

export type ConditionType =
  'Ready' | 'Reconciling' | 'Stalled' | 'Degraded' | 'InventorySynced' | 'EventsDelivery';

/** A node as an inventory gives it: the address, and a name and zone when it has them. */
export type InventoryNode = Pick<GlusterNodeSpec, 'address' | 'name' | 'zone'>;

/** Where the nodes in force came from, and when they were last read (inventory sources only). */
export interface InventoryStatus {
  /** "ConfigMap <name>/<key>" or the URL without credentials or query. */
  readonly source: string;
  /** The last attempt to read the inventory (RFC 3339). */
  readonly lastSyncTime?: string;
  /** The last read that gave a usable list (RFC 3339). */
  readonly lastSuccessfulSyncTime?: string;
  /**
   * The node list in force: the last good one. A failed, unreadable or empty read never
   * replaces it, so a broken inventory cannot shrink the pool.
   */
  readonly nodes?: readonly InventoryNode[];
  /** Why the last read was not used, when it was not. */
  readonly message?: string;
}

export interface GlusterClusterStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  /** The member gluster commands were run from in the last pass. */
  readonly commandNode?: string;
  readonly opVersion?: number;
  /** Members of the pool (spec nodes that are in it, plus unmanaged members). */
  readonly members?: number;
  /** Spec nodes that are Connected. */
  readonly connected?: number;
  readonly nodes?: readonly NodeStatus[];
  /** In the pool, but not in spec. */
  readonly unmanagedMembers?: readonly UnmanagedMember[];
  /** Present when spec.inventory is the node source. */
  readonly inventory?: InventoryStatus;
  /** Present when spec.events is enabled. */
  readonly events?: EventsStatus;
}

/** How this pool's events reach the operator (spec.events). */
export interface EventsStatus {
  /** The URL the nodes post to (no credentials in it). */
  readonly url?: string;
  /** Spec nodes whose webhook and glustereventsd were checked and work, of `nodes`. */
  readonly registered: number;
  readonly nodes: number;
  /** The last check of the nodes' registration (RFC 3339). */
  readonly lastCheckTime?: string;
  /** The last event accepted from this pool (RFC 3339). */
  readonly lastEventTime?: string;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly deletionTimestamp?: string;
  readonly finalizers?: readonly string[];
}

export interface GlusterCluster {
  readonly apiVersion: `${typeof API_GROUP}/${typeof API_VERSION}`;
  readonly kind: typeof KIND;
  readonly metadata: ObjectMeta;
  readonly spec: GlusterClusterSpec;
  readonly status?: GlusterClusterStatus;
}
