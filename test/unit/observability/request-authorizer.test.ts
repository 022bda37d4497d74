import { expect } from 'chai';
import type { AccessReviews, ReviewedUser } from '../../../src/observability/request-authorizer.js';
import {
  bearerTokenOf,
  createKubernetesAuthorizer,
} from '../../../src/observability/request-authorizer.js';

/** Answers by token (an unknown token is not accepted) and records what was asked. */
class FakeReviews implements AccessReviews {
  readonly asked: string[] = [];
  failing = false;

  constructor(
    private readonly users: Record<string, ReviewedUser>,
    private readonly allowed: Record<string, readonly string[]>,
  ) {}

  authenticate(token: string): Promise<ReviewedUser | undefined> {
    this.asked.push(`TokenReview ${token}`);
    if (this.failing) return Promise.reject(new Error('API server unavailable'));
    return Promise.resolve(this.users[token]);
  }

  mayGet(user: ReviewedUser, path: string): Promise<boolean> {
    this.asked.push(`SubjectAccessReview ${user.username} get ${path}`);
    return Promise.resolve((this.allowed[user.username] ?? []).includes(path));
  }
}

const PROMETHEUS = {
  username: 'system:serviceaccount:monitoring:prometheus',
  groups: ['system:serviceaccounts'],
};
const NOBODY = { username: 'system:serviceaccount:default:nobody' };

function setUp() {
  let nowMs = 0;
  const reviews = new FakeReviews(
    { 'token-p': PROMETHEUS, 'token-n': NOBODY },
    { [PROMETHEUS.username]: ['/metrics'] },
  );
  const authorizer = createKubernetesAuthorizer(reviews, {
    cacheTtlMs: 30_000,
    maxEntries: 2,
    now: () => nowMs,
  });
  return {
    reviews,
    authorizer,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('createKubernetesAuthorizer', () => {
  it('allows an identity RBAC lets get the path, forbids one it does not, and refuses unknown or missing tokens', async () => {
    const { authorizer } = setUp();
    expect(await authorizer.authorize('token-p', '/metrics')).to.equal('allowed');
    expect(await authorizer.authorize('token-p', '/status')).to.equal('forbidden');
    expect(await authorizer.authorize('token-n', '/metrics')).to.equal('forbidden');
    expect(await authorizer.authorize('forged', '/metrics')).to.equal('unauthenticated');
    expect(await authorizer.authorize(undefined, '/metrics')).to.equal('unauthenticated');
    expect(await authorizer.authorize('', '/metrics')).to.equal('unauthenticated');
  });

  it('asks the API server once per token and path within the TTL, and again after it', async () => {
    const { authorizer, reviews, advance } = setUp();
    await authorizer.authorize('token-p', '/metrics');
    advance(29_000);
    await authorizer.authorize('token-p', '/metrics');
    expect(reviews.asked).to.deep.equal([
      'TokenReview token-p',
      `SubjectAccessReview ${PROMETHEUS.username} get /metrics`,
    ]);
    advance(1_000);
    await authorizer.authorize('token-p', '/metrics');
    expect(reviews.asked).to.have.length(4);
  });

  it('keeps at most maxEntries verdicts, dropping the oldest', async () => {
    const { authorizer, reviews } = setUp();
    await authorizer.authorize('token-p', '/metrics');
    await authorizer.authorize('token-n', '/metrics');
    await authorizer.authorize('forged', '/metrics');
    reviews.asked.length = 0;
    await authorizer.authorize('token-n', '/metrics'); // still cached
    await authorizer.authorize('token-p', '/metrics'); // dropped: asked again
    expect(reviews.asked).to.deep.equal([
      'TokenReview token-p',
      `SubjectAccessReview ${PROMETHEUS.username} get /metrics`,
    ]);
  });

  it('throws when the API server cannot answer, and caches nothing from it', async () => {
    const { authorizer, reviews } = setUp();
    reviews.failing = true;
    let error: unknown;
    try {
      await authorizer.authorize('token-p', '/metrics');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Error);
    reviews.failing = false;
    expect(await authorizer.authorize('token-p', '/metrics')).to.equal('allowed');
  });
});

describe('bearerTokenOf', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['Bearer abc.def', 'abc.def'],
    ['bearer abc', 'abc'],
    ['Bearer  abc  ', 'abc'],
    ['Basic dXNlcjpwdw==', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ];
  for (const [header, token] of cases) {
    it(`${JSON.stringify(header)} → ${JSON.stringify(token)}`, () => {
      expect(bearerTokenOf(header)).to.equal(token);
    });
  }
});
