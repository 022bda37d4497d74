import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { buildRemoteCommandLine } from '../../../src/exec/remote-command.js';

describe('remote command line', () => {
  it('runs argv under timeout, sudo -n and LANG=C', () => {
    expect(
      buildRemoteCommandLine(['gluster', 'pool', 'list'], { sudo: true, remoteTimeoutSeconds: 32 }),
    ).to.equal('exec timeout -k 5 32 env LANG=C LC_ALL=C sudo -n -- gluster pool list');
  });

  it('omits sudo and timeout when not asked for', () => {
    expect(buildRemoteCommandLine(['id'], { sudo: false })).to.equal('exec env LANG=C LC_ALL=C id');
  });

  it('keeps a fractional remote timeout to the tenth of a second', () => {
    expect(buildRemoteCommandLine(['id'], { sudo: false, remoteTimeoutSeconds: 2.1 })).to.contain(
      'timeout -k 5 2.1 env',
    );
  });

  it('runs in a real shell with the C locale and the arguments intact', () => {
    const line = buildRemoteCommandLine(
      ['sh', '-c', 'printf "%s|%s" "$LANG" "$1"', 'sh', '$(id);x'],
      {
        sudo: false,
        remoteTimeoutSeconds: 5,
      },
    );
    expect(execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' })).to.equal('C|$(id);x');
  });
});
