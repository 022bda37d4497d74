import { expect } from 'chai';
import { TerminalError } from '../../../src/errors.js';
import { GlusterXmlParseError } from '../../../src/gluster/gluster-errors.js';
import type { PoolMember } from '../../../src/gluster/peer.js';
import { requireLocalMember } from '../../../src/gluster/pool-list.js';

const member = (hostname: string, isLocal: boolean): PoolMember =>
  ({ uuid: `uuid-${hostname}`, hostname, isLocal, isConnected: true }) as PoolMember;

describe('requireLocalMember', () => {
  it("returns the node's own row", () => {
    const self = member('localhost', true);
    expect(requireLocalMember([member('n2', false), self], 'n1')).to.equal(self);
  });

  it('calls an answer without one unreadable, not a caller mistake (so it is retried)', () => {
    const read = (): PoolMember => requireLocalMember([member('n2', false)], 'n1');
    expect(read).to.throw(GlusterXmlParseError, 'gluster pool list on n1 has no localhost row');
    expect(read).not.to.throw(TerminalError);
  });
});
