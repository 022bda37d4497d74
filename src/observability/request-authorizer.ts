import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { AuthenticationV1Api, AuthorizationV1Api } from '@kubernetes/client-node';

/**
 * Whether a request to a protected path may be answered: `allowed`; `unauthenticated` (no
 * bearer token, or one the API server does not accept: 401); `forbidden` (a known identity
 * without `get` on the path: 403).
 */
export type AuthorizationVerdict = 'allowed' | 'unauthenticated' | 'forbidden';

/** Decides on the bearer token of a request to `path` (undefined when it carried none). */
export interface RequestAuthorizer {
  authorize(token: string | undefined, path: string): Promise<AuthorizationVerdict>;
}

/** Who a token belongs to, as the API server's TokenReview says. */
export interface ReviewedUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** The two questions asked of the API server; the real ones below, fakes in unit tests. */
export interface AccessReviews {
  /** TokenReview: the token's user, or undefined when the API server does not accept it. */
  authenticate(token: string): Promise<ReviewedUser | undefined>;
  /** SubjectAccessReview for a non-resource URL: may `user` do `get` on `path`? */
  mayGet(user: ReviewedUser, path: string): Promise<boolean>;
}

export interface KubernetesAuthorizerOptions {
  /** How long a verdict is reused for the same token and path. Default 30 s. */
  readonly cacheTtlMs?: number;
  /** At most this many verdicts are kept (the oldest dropped first). Default 256. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * The way controller-runtime's secure metrics (and kube-rbac-proxy) protect an endpoint: the
 * request's bearer token goes to a TokenReview, and the user it names to a SubjectAccessReview
 * for `get` on the path as a non-resource URL; RBAC grants it with a ClusterRole such as
 * `gluster-operator-metrics-reader` (`nonResourceURLs: ["/metrics"], verbs: ["get"]`).
 * Verdicts are cached briefly (Prometheus scrapes every 15–60 s with the same token) under a
 * hash of the token, never the token itself; a review that fails is not cached (it throws).
 */
export function createKubernetesAuthorizer(
  reviews: AccessReviews,
  options: KubernetesAuthorizerOptions = {},
): RequestAuthorizer {
  const ttlMs = options.cacheTtlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 256;
  const now = options.now ?? (() => performance.now());
  const verdicts = new Map<
    string,
    { readonly verdict: AuthorizationVerdict; readonly atMs: number }
  >();
  return {
    async authorize(token, path) {
      if (token === undefined || token === '') return 'unauthenticated';
      const key = `${createHash('sha256').update(token).digest('hex')} ${path}`;
      const cached = verdicts.get(key);
      if (cached && now() - cached.atMs < ttlMs) return cached.verdict;
      const user = await reviews.authenticate(token);
      const verdict: AuthorizationVerdict =
        user === undefined
          ? 'unauthenticated'
          : (await reviews.mayGet(user, path))
            ? 'allowed'
            : 'forbidden';
      verdicts.delete(key);
      verdicts.set(key, { verdict, atMs: now() });
      while (verdicts.size > maxEntries) {
        const oldest = verdicts.keys().next().value;
        if (oldest === undefined) break;
        verdicts.delete(oldest);
      }
      return verdict;
    },
  };
}

/** TokenReview and SubjectAccessReview against the API server, as the operator's identity. */
export function kubernetesAccessReviews(kubeConfig: KubeConfig): AccessReviews {
  const authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  return {
    async authenticate(token) {
      const body = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token },
      };
      // client-node types bodies as its model classes, which are data only; it sends plain
      // objects all the same.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      const review = await authentication.createTokenReview({ body });
      const { status } = review;
      if (status?.authenticated !== true || status.user?.username === undefined) return undefined;
      const { username, uid, groups, extra } = status.user;
      return {
        username,
        ...(uid === undefined ? {} : { uid }),
        ...(groups === undefined ? {} : { groups }),
        ...(extra === undefined ? {} : { extra }),
      };
    },
    async mayGet(user, path) {
      const body = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          ...(user.uid === undefined ? {} : { uid: user.uid }),
          ...(user.groups === undefined ? {} : { groups: [...user.groups] }),
          ...(user.extra === undefined
            ? {}
            : {
                extra: Object.fromEntries(
                  Object.entries(user.extra).map(([name, values]) => [name, [...values]]),
                ),
              }),
          nonResourceAttributes: { path, verb: 'get' },
        },
      };
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      const review = await authorization.createSubjectAccessReview({ body });
      return review.status?.allowed === true;
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header; undefined for anything else. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
