import { expect } from 'chai';
import { Semaphore } from '../../../src/exec/semaphore.js';

describe('Semaphore', () => {
  it('lets at most `capacity` holders in, and serves waiters in order', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const third = semaphore.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = semaphore.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    await Promise.resolve();
    expect(order).to.deep.equal([]);
    first();
    (await third)();
    second();
    (await fourth)();
    expect(order).to.deep.equal(['third', 'fourth']);
  });

  it('ignores a second release of the same slot', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    release();
    release();
    await semaphore.acquire();
    let granted = false;
    void semaphore.acquire().then(() => (granted = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).to.equal(false);
  });

  it('stops waiting when aborted, without taking a slot', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('shutting down'));
    let error: unknown;
    await waiting.catch((caught: unknown) => (error = caught));
    expect(error).to.be.instanceOf(Error).with.property('message', 'shutting down');
    release();
    const next = await semaphore.acquire();
    next();
  });
});
