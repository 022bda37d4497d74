import { expect } from 'chai';
import { checkHostAddress } from '../../../src/api/host-address.js';

describe('checkHostAddress', () => {
  const valid: [string, string][] = [
    ['10.250.1.11', 'ipv4'],
    ['0.0.0.0', 'ipv4'],
    ['255.255.255.255', 'ipv4'],
    ['fd42::11', 'ipv6'],
    ['::1', 'ipv6'],
    ['::', 'ipv6'],
    ['2001:db8:0:0:0:0:0:1', 'ipv6'],
    ['::ffff:192.0.2.1', 'ipv6'],
    ['FD42:676F:70:1::11', 'ipv6'],
    ['n1', 'hostname'],
    ['gluster-1.storage.example.com', 'hostname'],
    ['node.example.', 'hostname'],
    ['1password.example', 'hostname'],
    ['a'.repeat(63) + '.example', 'hostname'],
  ];
  for (const [address, kind] of valid) {
    it(`accepts ${address} as ${kind}`, () => {
      expect(checkHostAddress(address)).to.deep.equal({ valid: true, kind });
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /empty/],
    ['10.11.a', /IPv4/],
    ['256.256.256.256', /IPv4/],
    ['10.0.0', /IPv4/],
    ['01.2.3.4', /IPv4/],
    ['1.2.3.4.5', /IPv4/],
    ['x;touch /tmp/pwned', /host name/],
    ['$(id)', /host name/],
    ['`id`', /host name/],
    ["n1'", /host name/],
    ['n1\nn2', /host name/],
    ['-n1', /host name/],
    ['n1-', /host name/],
    ['n_1', /host name/],
    ['a'.repeat(64) + '.example', /host name/],
    ['a.'.repeat(127) + 'ab', /at most 253/],
    ['fd42:::11', /IPv6/],
    ['1:2:3:4:5:6:7:8:9', /IPv6/],
    ['1::2:3:4:5:6:7:8', /IPv6/],
    ['fd42::g', /IPv6/],
    ['[fd42::11]', /IPv6|host name/],
    ['::ffff:300.1.1.1', /IPv6/],
  ];
  for (const [address, reason] of invalid) {
    it(`rejects ${JSON.stringify(address)}`, () => {
      const check = checkHostAddress(address);
      expect(check.valid).to.equal(false);
      if (!check.valid) expect(check.reason).to.match(reason);
    });
  }

  it('never echoes control characters into its reason', () => {
    const check = checkHostAddress('n1\u001b[31m');
    expect(check.valid).to.equal(false);
    if (!check.valid) expect(check.reason).not.to.include('\u001b');
  });
});
