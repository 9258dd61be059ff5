import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressInCidr, classifyAddress, isAddressAllowed, SsrfAllowSchema } from '../../../pipelines/ingest/address.js';
import { Fetcher } from '../../../pipelines/ingest/fetcher.js';

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

// Issue 17 defect 7: a malformed allow-list entry must never widen the guard.
describe('allow-list entries are parsed strictly (defect 7)', () => {
  const malformed = ['10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/x', '10.0.0.0/33', '10.0.0.0/8.5', '::1/129', '::/', '10.0.0', 'localhost', ''];
  for (const entry of malformed) {
    it(`${JSON.stringify(entry)} matches nothing and is rejected by the schema`, () => {
      for (const a of ['8.8.8.8', '10.1.2.3', '169.254.169.254', '::1', '2606:4700::1111']) {
        assert.equal(addressInCidr(a, entry), false, `${a} in ${entry}`);
      }
      assert.equal(isAddressAllowed('169.254.169.254', [entry]), false);
      assert.equal(SsrfAllowSchema.safeParse([entry]).success, false);
      assert.throws(() => new Fetcher({ ssrfAllow: [entry] }), /invalid SSRF allow-list entry/);
    });
  }
  it('accepts well-formed entries, /0 included when written out', () => {
    assert.equal(SsrfAllowSchema.safeParse(['10.0.0.0/8', '127.0.0.1', '::1/128', 'fd00::/8', '0.0.0.0/0']).success, true);
    assert.equal(addressInCidr('10.200.0.1', '10.0.0.0/8'), true);
    assert.equal(addressInCidr('8.8.8.8', '0.0.0.0/0'), true);
    assert.equal(addressInCidr('::ffff:10.0.0.1', '10.0.0.0/8'), false);
  });
});

// Issue 17 defect 8: IPv6 transition prefixes that embed a private IPv4 address are not public.
describe('IPv6 transition prefixes judge their embedded IPv4 (defect 8)', () => {
  const cases: [string, string][] = [
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:a00:1::', 'private'], // 6to4 of 10.0.0.1
    ['2002:a9fe:a9fe::1', 'metadata'], // 6to4 of 169.254.169.254
    ['2002:808:808::1', 'public'], // 6to4 of 8.8.8.8
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // Teredo, client 10.0.0.1 (XOR-obfuscated)
    ['2001:0:a00:1::1', 'private'], // Teredo, server 10.0.0.1
    ['2001:0:808:808:0:0:f7f7:f7f7', 'public'], // Teredo, server and client 8.8.8.8
    ['64:ff9b:1::a9fe:a9fe', 'metadata'], // local-use NAT64 of 169.254.169.254
    ['64:ff9b:1::808:808', 'private'], // local-use NAT64 stays inside one network
    ['64:ff9b::a00:1', 'private'],
  ];
  for (const [addr, want] of cases) {
    it(`${addr} is ${want}`, () => assert.equal(classifyAddress(addr), want));
  }
});
