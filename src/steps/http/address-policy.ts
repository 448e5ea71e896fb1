/**
 * Which network addresses a fetch may reach. Media processing, link checking and enrichment fetch
 * provider-controlled URLs, so a URL (or a redirect, or a DNS answer) pointing at loopback, a private
 * network or a link-local address (cloud metadata at 169.254.169.254) must be refused by default.
 */
import { BlockList, isIP } from 'node:net';

/** The class of an IP address, as far as the fetch policy cares. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1. Default false (tests turn it on to reach their local server). */
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
const PRIVATE = blockList(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'], ['fc00::/7']);
const LINK_LOCAL = blockList(['169.254.0.0/16'], ['fe80::/10']);
// Never useful for fetching and sometimes routed to local services: unspecified, "this network",
// IETF protocol assignments, benchmarking, multicast, reserved, broadcast; IPv6 unspecified,
// multicast, discard and documentation ranges.
const RESERVED = blockList(
  ['0.0.0.0/8', '192.0.0.0/24', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4'],
  ['::/128', 'ff00::/8', '100::/64', '2001:db8::/32', '64:ff9b::/96'],
);

/** Classifies an IP address literal (v4, v6, or IPv4-mapped v6). Anything unparsable is `reserved`. */
export function classifyAddress(address: string): AddressKind {
  let ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1];
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // NAT64 (64:ff9b::/96) embeds an IPv4 address; judge the embedded one.
  const nat64 = family === 6 ? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/i.exec(ip) : null;
  if (nat64) return classifyAddress(nat64[1]);
  if (LOOPBACK.check(ip, type)) return 'loopback';
  if (PRIVATE.check(ip, type)) return 'private';
  if (LINK_LOCAL.check(ip, type)) return 'link-local';
  if (RESERVED.check(ip, type)) return 'reserved';
  return 'public';
}

/** True when the policy lets a connection go to this address. */
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
