import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressInCidr, classifyAddress, isAddressAllowed } from '../../../pipelines/ingest/address.js';

// Addresses here are strings only: nothing in this file resolves or connects.
describe('classifyAddress', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['192.0.2.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['999.1.1.1', 'invalid'],
    ['localhost', 'invalid'],
    ['', 'invalid'],
  ];
  for (const [addr, want] of cases) {
    it(`${addr || '(empty)'} is ${want}`, () => assert.equal(classifyAddress(addr), want));
  }
});

describe('allow-list', () => {
  it('matches IPv4 and IPv6 CIDRs', () => {
    assert.equal(addressInCidr('127.0.0.5', '127.0.0.0/8'), true);
    assert.equal(addressInCidr('128.0.0.1', '127.0.0.0/8'), false);
    assert.equal(addressInCidr('127.0.0.1', '127.0.0.1'), true);
    assert.equal(addressInCidr('127.0.0.2', '127.0.0.1/32'), false);
    assert.equal(addressInCidr('::1', '::1/128'), true);
    assert.equal(addressInCidr('fd00::5', 'fd00::/8'), true);
    assert.equal(addressInCidr('fe80::5', 'fd00::/8'), false);
  });
  it('refuses everything non-public by default and lets listed ranges through', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fe80::1']) assert.equal(isAddressAllowed(a), false, a);
    assert.equal(isAddressAllowed('8.8.8.8'), true);
    assert.equal(isAddressAllowed('127.0.0.1', ['127.0.0.1/32']), true);
    assert.equal(isAddressAllowed('127.0.0.2', ['127.0.0.1/32']), false);
  });
});
