/**
 * Generated address cases for the fetch policy: every IPv4-embedding IPv6 form (IPv4-compatible,
 * IPv4-mapped, SIIT, 6to4, NAT64 and local-use NAT64, Teredo) built from each IPv4 address below,
 * in dotted and in hex notation, each with the class its IPv4 address has. Both sides: internal
 * addresses (loopback, private, link-local, reserved) and public ones.
 */
import type { AddressKind } from '../../../src/steps/http/address-policy.ts';

/** IPv4 addresses and their class. */
export const IPV4_CASES: ReadonlyArray<readonly [string, AddressKind]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.5.4', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['0.0.0.0', 'reserved'],
  ['224.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.10', 'reserved'],
  ['8.8.8.8', 'public'],
  ['93.184.216.34', 'public'],
  ['172.32.0.1', 'public'],
];

const octets = (ip: string) => ip.split('.').map(Number);
const hex2 = (a: number, b: number) => ((a << 8) | b).toString(16);
/** `a.b.c.d` → `['aabb', 'ccdd']` in hex groups. */
function groups(ip: string): [string, string] {
  const [a, b, c, d] = octets(ip);
  return [hex2(a, b), hex2(c, d)];
}

/** The IPv6 spellings that carry `ip`, each named by its form. */
export function embeddings(ip: string): Array<{ form: string; address: string }> {
  const [hi, lo] = groups(ip);
  const [a, b, c, d] = octets(ip);
  const teredo = [((a << 8) | b) ^ 0xffff, ((c << 8) | d) ^ 0xffff].map((n) => n.toString(16));
  return [
    { form: 'IPv4-compatible dotted', address: `::${ip}` },
    { form: 'IPv4-compatible hex', address: `::${hi}:${lo}` },
    { form: 'IPv4-mapped dotted', address: `::ffff:${ip}` },
    { form: 'IPv4-mapped hex', address: `::ffff:${hi}:${lo}` },
    { form: 'IPv4-mapped long', address: `0:0:0:0:0:ffff:${hi}:${lo}` },
    { form: 'SIIT dotted', address: `::ffff:0:${ip}` },
    { form: 'SIIT hex', address: `::ffff:0:${hi}:${lo}` },
    { form: '6to4', address: `2002:${hi}:${lo}::1` },
    { form: '6to4 with subnet', address: `2002:${hi}:${lo}:12:34::5` },
    { form: 'NAT64 dotted', address: `64:ff9b::${ip}` },
    { form: 'NAT64 hex', address: `64:ff9b::${hi}:${lo}` },
    { form: 'Teredo (client)', address: `2001:0:4136:e378:8000:63bf:${teredo[0]}:${teredo[1]}` },
  ];
}

/** Addresses whose class does not come from an embedded IPv4 address. */
export const IPV6_CASES: ReadonlyArray<readonly [string, AddressKind]> = [
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::', 'reserved'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fd12:3456::1', 'private'],
  ['fc00::1', 'private'],
  ['ff02::1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2a00:1450:4001::200e', 'public'],
  ['2606:4700::1111', 'public'],
  // Local-use NAT64 (64:ff9b:1::/48): never public, the /96 reading decides when it is internal.
  ['64:ff9b:1::7f00:1', 'loopback'],
  ['64:ff9b:1::a9fe:a9fe', 'link-local'],
  ['64:ff9b:1::808:808', 'private'],
  ['not-an-address', 'reserved'],
];

/** The three addresses issue #12 found classed as public. */
export const ISSUE_CASES: ReadonlyArray<readonly [string, AddressKind]> = [
  ['::127.0.0.1', 'loopback'],
  ['::a9fe:a9fe', 'link-local'],
  ['2002:a9fe:a9fe::1', 'link-local'],
];

/**
 * URLs a hostile record may use to reach internal services on the test server's `port`
 * (loopback in every spelling) or the cloud metadata and private networks.
 */
export function internalUrls(port: number): string[] {
  return [
    `http://127.0.0.1:${port}/secret`,
    `http://localhost:${port}/secret`,
    `http://127.1:${port}/secret`,
    `http://2130706433:${port}/secret`,
    `http://0x7f.0.0.1:${port}/secret`,
    `http://[::1]:${port}/secret`,
    `http://[::127.0.0.1]:${port}/secret`,
    `http://[::ffff:127.0.0.1]:${port}/secret`,
    `http://[::ffff:0:127.0.0.1]:${port}/secret`,
    `http://[2002:7f00:1::1]:${port}/secret`,
    `http://[64:ff9b::127.0.0.1]:${port}/secret`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[::a9fe:a9fe]/latest/meta-data/',
    'http://[2002:a9fe:a9fe::1]/latest/meta-data/',
    'http://[fd00::1]/',
    'http://10.0.0.1/',
    'http://192.168.0.1/',
    'http://172.16.0.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
  ];
}
