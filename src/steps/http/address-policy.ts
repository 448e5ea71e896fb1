/**
 * Which network addresses a fetch may reach. Media processing, link checking and enrichment fetch
 * provider-controlled URLs, so a URL (or a redirect, or a DNS answer) pointing at loopback, a private
 * network or a link-local address (cloud metadata at 169.254.169.254) must be refused by default.
 *
 * IPv6 forms that carry an IPv4 address are judged by that address, whatever their notation
 * (`::127.0.0.1` and `::7f00:1` alike): IPv4-compatible `::a.b.c.d`, IPv4-mapped `::ffff:a.b.c.d`,
 * SIIT `::ffff:0:a.b.c.d`, 6to4 `2002:AABB:CCDD::/48`, NAT64 `64:ff9b::/96` and the local-use
 * `64:ff9b:1::/48`, and Teredo `2001::/32` (the client address, stored inverted in the last 32 bits).
 */
import { BlockList, isIP } from 'node:net';

/** The class of an IP address, as far as the fetch policy cares. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1 (and their IPv6 embeddings) only. Default false (tests turn it on to reach their local server). */
  allowLoopback?: boolean;
  /** Allow RFC 1918, carrier-grade NAT (100.64/10) and IPv6 unique-local (fc00::/7). Default false. */
  allowPrivate?: boolean;
  /** Allow 169.254/16 and fe80::/10. Default false. */
  allowLinkLocal?: boolean;
}

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, bits] = cidr.split('/');
    list.addSubnet(net, Number(bits), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, bits] = cidr.split('/');
    list.addSubnet(net, Number(bits), 'ipv6');
  }
  return list;
}

const LOOPBACK = blockList(['127.0.0.0/8'], ['::1/128']);
const PRIVATE = blockList(
  ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
  ['fc00::/7', 'fec0::/10'],
);
const LINK_LOCAL = blockList(['169.254.0.0/16'], ['fe80::/10']);
// Never useful for fetching and sometimes routed to local services: unspecified, "this network",
// IETF protocol assignments, documentation, benchmarking, multicast, reserved, broadcast; IPv6
// unspecified, multicast, discard, documentation and ORCHID ranges.
const RESERVED = blockList(
  [
    '0.0.0.0/8',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ],
  ['::/128', 'ff00::/8', '100::/64', '2001:db8::/32', '2001:10::/28', '2001:20::/28'],
);

/** The eight 16-bit groups of an IPv6 address (`isIP` already said it is one), dotted tail included. */
function ipv6Groups(ip: string): number[] {
  let text = ip.replace(/%.*$/, ''); // zone id
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
const zero = (groups: number[], from: number, to: number) => groups.slice(from, to).every((g) => g === 0);

/** The IPv4 address an IPv6 address carries (see the module comment), or undefined. */
export function embeddedIPv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  if (zero(g, 0, 5) && g[5] === 0xffff) return v4(g[6], g[7]); // IPv4-mapped ::ffff:a.b.c.d
  if (zero(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]); // SIIT ::ffff:0:a.b.c.d
  // IPv4-compatible ::a.b.c.d; :: and ::1 are IPv6's own unspecified and loopback addresses.
  if (zero(g, 0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 6to4 2002:AABB:CCDD::/48
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(g, 2, 6)) return v4(g[6], g[7]); // NAT64 64:ff9b::/96
  if (g[0] === 0x2001 && g[1] === 0) return v4(g[6] ^ 0xffff, g[7] ^ 0xffff); // Teredo client
  return undefined;
}

/** Classifies an IP address literal (v4, v6, bracketed v6). Anything unparsable is `reserved`. */
export function classifyAddress(address: string): AddressKind {
  const ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  if (family === 4) return classifyPlain(ip, 'ipv4');
  const inner = embeddedIPv4(ip);
  if (inner !== undefined) return classifyPlain(inner, 'ipv4');
  const g = ipv6Groups(ip);
  // Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the network's prefix length.
  // Judged by the /96 reading when that one is not public; else it is a local network (private).
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) {
    const kind = classifyPlain(v4(g[6], g[7]), 'ipv4');
    return kind === 'public' ? 'private' : kind;
  }
  return classifyPlain(ip, 'ipv6');
}

function classifyPlain(ip: string, type: 'ipv4' | 'ipv6'): AddressKind {
  if (LOOPBACK.check(ip, type)) return 'loopback';
  if (PRIVATE.check(ip, type)) return 'private';
  if (LINK_LOCAL.check(ip, type)) return 'link-local';
  if (RESERVED.check(ip, type)) return 'reserved';
  return 'public';
}

/**
 * True when the policy lets a connection go to this address. Each permission opens its own class
 * only: `allowLoopback` never opens private or link-local addresses.
 */
export function isAddressAllowed(address: string, policy: AddressPolicy): boolean {
  switch (classifyAddress(address)) {
    case 'public':
      return true;
    case 'loopback':
      return policy.allowLoopback === true;
    case 'private':
      return policy.allowPrivate === true;
    case 'link-local':
      return policy.allowLinkLocal === true;
    default:
      return false;
  }
}

/** Host-name pattern match: `example.org` exactly, or `*.example.org` for any sub-domain. */
export function hostMatches(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    return pattern.startsWith('*.') ? h.endsWith(pattern.slice(1)) : h === pattern;
  });
}
