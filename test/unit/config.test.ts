import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { TerminalError } from '../../src/errors.js';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).to.deep.equal({
      watchNamespace: undefined,
      workers: 4,
      glusterTimeoutSeconds: 30,
      sshConnectTimeoutMs: 10_000,
      commandTimeoutMs: 60_000,
      readTimeoutMs: 5_000,
      defaultResyncMs: 300_000,
      progressRequeueMs: 5_000,
      logLevel: 'info',
      httpPort: 8080,
      httpHost: '0.0.0.0',
      httpAuth: 'none',
      eventsPort: 8090,
      eventsHost: '0.0.0.0',
      eventsUrl: undefined,
      eventsTls: undefined,
      eventsKeySecret: 'gluster-operator-events',
      podNamespace: undefined,
      eventsFallbackResyncMs: 30_000,
      eventsService: undefined,
      podName: undefined,
      podIp: undefined,
    });
  });

  it('reads the events settings, and takes only a base URL nodes can post to', () => {
    const config = loadConfig({
      EVENTS_PORT: '0',
      EVENTS_URL: 'http://192.0.2.10:30890/',
      EVENTS_KEY_SECRET: 'my-events-key',
      POD_NAMESPACE: 'gluster-operator',
      EVENTS_FALLBACK_RESYNC: '1m',
    });
    expect(config).to.include({
      eventsPort: 0,
      eventsUrl: 'http://192.0.2.10:30890',
      eventsKeySecret: 'my-events-key',
      podNamespace: 'gluster-operator',
      eventsFallbackResyncMs: 60_000,
    });
    for (const url of [
      'ftp://192.0.2.10/',
      'http://user:secret@192.0.2.10/',
      'http://192.0.2.10/?a=1',
      'http://192.0.2.10/#x',
      'not a url',
    ]) {
      expect(() => loadConfig({ EVENTS_URL: url }), url)
        .to.throw(/EVENTS_URL must be an http/)
        .and.not.match(/secret/);
    }
  });

  it('serves the events port over TLS only with both PEM files named', () => {
    expect(
      loadConfig({
        EVENTS_TLS_CERT_FILE: '/etc/gluster-operator/events-tls/tls.crt',
        EVENTS_TLS_KEY_FILE: '/etc/gluster-operator/events-tls/tls.key',
      }).eventsTls,
    ).to.deep.equal({
      certFile: '/etc/gluster-operator/events-tls/tls.crt',
      keyFile: '/etc/gluster-operator/events-tls/tls.key',
    });
    for (const env of [{ EVENTS_TLS_CERT_FILE: '/tls.crt' }, { EVENTS_TLS_KEY_FILE: '/tls.key' }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).to.throw(
        TerminalError,
        /EVENTS_TLS_CERT_FILE and EVENTS_TLS_KEY_FILE are set together, or neither/,
      );
    }
  });

  it('reads the environment, and is frozen', () => {
    const config = loadConfig({
      WATCH_NAMESPACE: 'storage',
      WORKERS: '2',
      DEFAULT_RESYNC_INTERVAL: '90s',
      LOG_LEVEL: 'debug',
      HTTP_AUTH: 'kubernetes',
    });
    expect(config).to.include({
      httpAuth: 'kubernetes',
      watchNamespace: 'storage',
      workers: 2,
      defaultResyncMs: 90_000,
      logLevel: 'debug',
    });
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('names every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        WORKERS: '0',
        GLUSTER_TIMEOUT_SECONDS: 'soon',
        DEFAULT_RESYNC_INTERVAL: '5',
        LOG_LEVEL: 'loud',
        HTTP_AUTH: 'basic',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TerminalError);
    const message = (error as Error).message;
    for (const name of [
      'WORKERS',
      'GLUSTER_TIMEOUT_SECONDS',
      'DEFAULT_RESYNC_INTERVAL',
      'LOG_LEVEL',
      'HTTP_AUTH',
    ]) {
      expect(message).to.contain(name);
    }
  });
});
