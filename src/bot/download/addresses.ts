import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether an IP address is on the public Internet, so the bot may connect to it. Everything else
 * is refused: loopback, private (RFC 1918), carrier-grade NAT, link-local (and with it the cloud
 * metadata service at 169.254.169.254), Azure's wire server, multicast, documentation and reserved
 * ranges. IPv6 is allowed only inside global unicast (2000::/3), which leaves out ::, ::1,
 * IPv4-mapped and NAT64 addresses (they would smuggle an IPv4 address past the IPv4 rules), unique
 * local fc00::/7 (AWS's metadata at fd00:ec2::254 among them) and link-local fe80::/10.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(bare)) return isPublicV4(bare.split('.').map(Number));
  const bytes = ipv6Bytes(bare);
  return bytes !== undefined && isPublicV6(bytes);
}

/** Loopback, as a connector stand-in on this machine uses it (local mode only). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(bare)) return bare.startsWith('127.');
  const bytes = ipv6Bytes(bare);
  return bytes !== undefined && bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}

type Range = [number[], number];

const BLOCKED_V4: Range[] = [
  [[0, 0, 0, 0], 8], // "this network", 0.0.0.0
  [[10, 0, 0, 0], 8], // RFC 1918
  [[100, 64, 0, 0], 10], // carrier-grade NAT (RFC 6598)
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, cloud metadata (169.254.169.254)
  [[172, 16, 0, 0], 12], // RFC 1918
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay
  [[192, 168, 0, 0], 16], // RFC 1918
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
  [[168, 63, 129, 16], 32], // Azure wire server (host agent, DHCP, DNS): reachable from every Azure VM
];

/** Inside 2000::/3 but not the Internet: documentation, Teredo, ORCHID, 6to4 (embeds an IPv4 address). */
const BLOCKED_V6: Range[] = [
  [[0x20, 0x01, 0x0d, 0xb8], 32],
  [[0x20, 0x01, 0x00, 0x00], 32],
  [[0x20, 0x01, 0x00, 0x10], 28],
  [[0x20, 0x01, 0x00, 0x20], 28],
  [[0x20, 0x02], 16],
  [[0x3f, 0xff, 0x00], 20],
];

function isPublicV4(bytes: number[]): boolean {
  return !BLOCKED_V4.some((range) => inRange(bytes, range));
}

function isPublicV6(bytes: number[]): boolean {
  if ((bytes[0]! & 0xe0) !== 0x20) return false; // outside global unicast 2000::/3
  return !BLOCKED_V6.some((range) => inRange(bytes, range));
}

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const mask = bits - i * 8 >= 8 ? 0xff : (0xff << (8 - (bits - i * 8))) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (a zone such as %eth0 is dropped), or undefined if it is not one. */
export function ipv6Bytes(text: string): number[] | undefined {
  const address = text.split('%')[0]!;
  if (!isIPv6(address)) return undefined;
  let groups: string[];
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  let v4: number[] = [];
  let head = address;
  if (isIPv4(tail)) {
    v4 = tail.split('.').map(Number);
    head = address.slice(0, lastColon + 1) + '0:0'; // two placeholder groups, replaced below
  }
  const [left, right] = head.split('::') as [string, string | undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  groups = right === undefined ? leftGroups : [...leftGroups, ...Array<string>(missing).fill('0'), ...rightGroups];
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
  if (v4.length === 4) bytes.splice(12, 4, ...v4);
  return bytes.length === 16 ? bytes : undefined;
}
