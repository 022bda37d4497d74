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
