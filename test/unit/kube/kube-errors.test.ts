import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import { OperatorError } from '../../../src/errors.js';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  KubeApiError,
  NotFoundError,
  kubeErrorFromStatus,
  toKubeError,
} from '../../../src/kube/kube-errors.js';

function aStatus(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
  });
}

function anApiException(code: number, body: unknown): ApiException<unknown> {
  return new ApiException(code, 'Unknown API Status Code!', body, {});
}

/** What client-node's Watch fails with when the server does not answer 200. */
function aWatchHttpError(statusCode: number): Error {
  return Object.assign(new Error('Gone'), { statusCode });
}

/** What undici throws when nothing answers. */
function aConnectionRefused(): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), {
      code: 'ECONNREFUSED',
    }),
  });
}

interface Case {
  readonly name: string;
  readonly error: () => unknown;
  readonly type: typeof KubeApiError;
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string;
}

const cases: readonly Case[] = [
  {
    name: '404 with a Status body is a NotFoundError',
    error: () =>
      anApiException(
        404,
        aStatus(404, 'NotFound', 'glusterclusters.glusteroperator.io "a" not found'),
      ),
    type: NotFoundError,
    code: 404,
    reason: 'NotFound',
    message:
      'Failed to get GlusterCluster ns/a: 404 NotFound: glusterclusters.glusteroperator.io "a" not found',
  },
  {
    name: '409 Conflict (a stale resourceVersion) is a ConflictError',
    error: () =>
      anApiException(
        409,
        aStatus(409, 'Conflict', 'the object has been modified; please apply your changes'),
      ),
    type: ConflictError,
    code: 409,
    reason: 'Conflict',
    message:
      'Failed to get GlusterCluster ns/a: 409 Conflict: the object has been modified; please apply your changes',
  },
  {
    name: '409 AlreadyExists is a ConflictError too, its reason kept',
    error: () => anApiException(409, aStatus(409, 'AlreadyExists', 'already exists')),
    type: ConflictError,
    code: 409,
    reason: 'AlreadyExists',
    message: 'Failed to get GlusterCluster ns/a: 409 AlreadyExists: already exists',
  },
  {
    name: '410 is a GoneError',
    error: () => anApiException(410, aStatus(410, 'Expired', 'too old resource version: 1 (42)')),
    type: GoneError,
    code: 410,
    reason: 'Expired',
    message: 'Failed to get GlusterCluster ns/a: 410 Expired: too old resource version: 1 (42)',
  },
  {
    name: '403 is a ForbiddenError',
    error: () =>
      anApiException(
        403,
        aStatus(403, 'Forbidden', 'User "system:serviceaccount:gluster:op" cannot get resource'),
      ),
    type: ForbiddenError,
    code: 403,
    reason: 'Forbidden',
    message:
      'Failed to get GlusterCluster ns/a: 403 Forbidden: User "system:serviceaccount:gluster:op" cannot get resource',
  },
  {
    name: '422 is a plain KubeApiError',
    error: () =>
      anApiException(422, aStatus(422, 'Invalid', 'status.nodes[0].state: Unsupported value')),
    type: KubeApiError,
    code: 422,
    reason: 'Invalid',
    message:
      'Failed to get GlusterCluster ns/a: 422 Invalid: status.nodes[0].state: Unsupported value',
  },
  {
    name: 'a Status body already parsed is read the same way',
    error: () => anApiException(404, { kind: 'Status', code: 404, reason: 'NotFound' }),
    type: NotFoundError,
    code: 404,
    reason: 'NotFound',
    message: 'Failed to get GlusterCluster ns/a: 404 NotFound',
  },
  {
    name: 'a body that is not JSON becomes the message',
    error: () => anApiException(502, '<html>Bad Gateway</html>\n'),
    type: KubeApiError,
    code: 502,
    reason: undefined,
    message: 'Failed to get GlusterCluster ns/a: 502: <html>Bad Gateway</html>',
  },
  {
    name: '401 (client-node drops the body) keeps its code',
    error: () => anApiException(401, undefined),
    type: KubeApiError,
    code: 401,
    reason: undefined,
    message: 'Failed to get GlusterCluster ns/a: 401',
  },
  {
    name: "a watch refused with 410 (client-node's statusCode error) is a GoneError",
    error: () => aWatchHttpError(410),
    type: GoneError,
    code: 410,
    reason: undefined,
    message: 'Failed to get GlusterCluster ns/a: 410: Gone',
  },
  {
    name: 'no answer at all is a KubeApiError without a code, naming the real cause',
    error: aConnectionRefused,
    type: KubeApiError,
    code: undefined,
    reason: undefined,
    message:
      'Failed to get GlusterCluster ns/a: no answer from the API server: fetch failed: connect ECONNREFUSED 127.0.0.1:6443',
  },
];

describe('toKubeError', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const original = tc.error();
      const error = toKubeError(original, 'get GlusterCluster ns/a');
      expect(error).to.be.instanceOf(tc.type);
      expect(error).to.be.instanceOf(KubeApiError);
      expect(error).to.be.instanceOf(OperatorError);
      expect(error.constructor).to.equal(tc.type);
      expect(error.name).to.equal(tc.type.name);
      expect({ code: error.code, reason: error.reason, message: error.message }).to.deep.equal({
        code: tc.code,
        reason: tc.reason,
        message: tc.message,
      });
      expect(error.cause).to.equal(original);
    });
  }

  it('returns a KubeApiError as it is', () => {
    const error = new GoneError('expired', { cause: undefined, code: 410 });
    expect(toKubeError(error, 'watch')).to.equal(error);
  });

  it('says what failed without an action', () => {
    expect(toKubeError(anApiException(500, undefined)).message).to.equal(
      'Kubernetes API request failed: 500',
    );
  });
});

describe('kubeErrorFromStatus', () => {
  it('maps the Status of a watch ERROR event, keeping it as the cause', () => {
    const status = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' };
    const error = kubeErrorFromStatus(status, 'watch GlusterClusters');
    expect(error).to.be.instanceOf(GoneError);
    expect(error.message).to.equal('Failed to watch GlusterClusters: 410 Expired: too old');
    expect(error.cause).to.equal(status);
  });

  it('maps a Status it cannot read to a KubeApiError', () => {
    const error = kubeErrorFromStatus('garbage');
    expect(error.constructor).to.equal(KubeApiError);
    expect(error.code).to.equal(undefined);
  });
});
