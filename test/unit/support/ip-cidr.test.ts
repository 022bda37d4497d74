import { expect } from 'chai';
import { cidrContains, formatIp, parseCidr, parseIp } from '../../support/ip-cidr.js';

describe('ip-cidr', () => {
  describe('parseIp and formatIp', () => {
    const cases: { text: string; family: 4 | 6; formatted: string }[] = [
      { text: '10.250.0.11', family: 4, formatted: '10.250.0.11' },
      { text: '0.0.0.0', family: 4, formatted: '0.0.0.0' },
      { text: '255.255.255.255', family: 4, formatted: '255.255.255.255' },
      { text: '::', family: 6, formatted: '::' },
      { text: '::1', family: 6, formatted: '::1' },
      { text: '1::', family: 6, formatted: '1::' },
      { text: 'FD42:676F:0070:0000:0:0:0:0011', family: 6, formatted: 'fd42:676f:70::11' },
      { text: 'fd42:676f:70:3::12', family: 6, formatted: 'fd42:676f:70:3::12' },
      { text: '2001:db8:0:0:1:0:0:1', family: 6, formatted: '2001:db8::1:0:0:1' },
      { text: '64:ff9b::192.0.2.1', family: 6, formatted: '64:ff9b::c000:201' },
      // IPv4-mapped: IPv4 on the wire.
      { text: '::ffff:10.250.0.11', family: 4, formatted: '10.250.0.11' },
      { text: '::ffff:afa:b', family: 4, formatted: '10.250.0.11' },
    ];
    for (const tc of cases) {
      it(`${tc.text} is IPv${String(tc.family)} ${tc.formatted}`, () => {
        const ip = parseIp(tc.text);
        expect(ip.family).to.equal(tc.family);
        expect(formatIp(ip)).to.equal(tc.formatted);
      });
    }

    for (const text of ['10.0.0.256', '10.0.0', 'fe80::1%eth0', '[::1]', 'fd42:::11', 'host', '']) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        expect(() => parseIp(text)).to.throw(/Not an IP address/);
      });
    }
  });

  describe('cidrContains', () => {
    const cases: { cidr: string; ip: string; contains: boolean }[] = [
      { cidr: '10.250.0.0/16', ip: '10.250.0.0', contains: true },
      { cidr: '10.250.0.0/16', ip: '10.250.255.255', contains: true },
      { cidr: '10.250.0.0/16', ip: '10.251.0.0', contains: false },
      { cidr: '10.250.0.0/16', ip: '10.249.255.255', contains: false },
      { cidr: '127.0.0.1/32', ip: '127.0.0.1', contains: true },
      { cidr: '127.0.0.1/32', ip: '127.0.0.2', contains: false },
      // Host bits set, as Kubernetes accepts: masked away.
      { cidr: '10.1.2.3/8', ip: '10.9.9.9', contains: true },
      { cidr: '0.0.0.0/0', ip: '203.0.113.80', contains: true },
      { cidr: '0.0.0.0/0', ip: '2001:db8::1', contains: false },
      { cidr: '::/0', ip: '2001:db8::1', contains: true },
      { cidr: '::/0', ip: '10.0.0.1', contains: false },
      { cidr: 'fd42:676f:70::/48', ip: 'fd42:676f:70:ffff::11', contains: true },
      { cidr: 'fd42:676f:70::/48', ip: 'fd42:676f:71::11', contains: false },
      { cidr: 'fd42:676f:70::/48', ip: 'FD42:676F:0070::0011', contains: true },
      { cidr: '::1/128', ip: '::1', contains: true },
      { cidr: '::1/128', ip: '::2', contains: false },
      // An IPv4-mapped address is its IPv4 address.
      { cidr: '10.250.0.0/16', ip: '::ffff:10.250.0.11', contains: true },
    ];
    for (const tc of cases) {
      it(`${tc.cidr} ${tc.contains ? 'contains' : 'does not contain'} ${tc.ip}`, () => {
        expect(cidrContains(parseCidr(tc.cidr), parseIp(tc.ip))).to.equal(tc.contains);
      });
    }

    for (const text of [
      '10.0.0.0',
      '10.0.0.0/',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/8/8',
      'a/8',
      '10.0.0.0/-1',
    ]) {
      it(`refuses the CIDR ${JSON.stringify(text)}`, () => {
        expect(() => parseCidr(text)).to.throw(/Not a CIDR/);
      });
    }
  });
});
