import { isIPv4, isIPv6 } from 'node:net';

/**
 * True when an address cannot be reached from the internet: RFC 1918 (10/8, 172.16/12, 192.168/16),
 * shared CGNAT space (100.64/10), IPv6 unique-local (fc00::/7), and also loopback and link-local, which
 * are no more public. An interface VPC endpoint resolves to private addresses; the public AWS endpoints
 * do not, so this tells whether a name points at an endpoint inside the VPC.
 */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return isPrivateAddress(mapped[1]);
  if (isIPv4(address)) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return (
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a === 127 ||
      (a === 169 && b === 254)
    );
  }
  if (isIPv6(address)) {
    const lower = address.toLowerCase();
    if (lower === '::1') return true;
    const first = parseInt(lower.split(':')[0] || '0', 16);
    // fc00::/7 (unique local) and fe80::/10 (link local)
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}
