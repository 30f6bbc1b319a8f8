import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a client is limited by. With `trustedHops` proxies in front, X-Forwarded-For's
 * entry that many places from the right is the one our own proxies vouch for; anything left of it
 * was written by the client and is ignored. Without trusted proxies the header is ignored.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return addressKey(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const vouched = forwarded[forwarded.length - trustedHops];
  return addressKey(vouched !== undefined && isIP(stripZone(vouched)) ? vouched : peer);
}

/**
 * IPv4 (also when mapped into IPv6) is one client; IPv6 is grouped by its /64, the smallest
 * block an ISP hands out, or one host could pick a new address per connection.
 */
export function addressKey(address: string): string {
  const plain = stripZone(address);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1];
  if (isIP(plain) !== 6) return plain;
  return `${ipv6Groups(plain).slice(0, 4).join(':')}::/64`;
}

function stripZone(address: string): string {
  const zone = address.indexOf('%');
  return zone === -1 ? address : address.slice(0, zone);
}

/** The eight groups of a valid IPv6 address, `::` expanded (an embedded IPv4 counts as two). */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.split('::');
  const parts = (text: string | undefined) => (text ? text.split(':') : []);
  const width = (list: string[]) => list.reduce((n, part) => n + (part.includes('.') ? 2 : 1), 0);
  const left = parts(head);
  const right = parts(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(left) - width(right)).fill('0');
  return [...left, ...zeros, ...right].map((group) => (group.includes('.') ? group : parseInt(group, 16).toString(16)));
}
