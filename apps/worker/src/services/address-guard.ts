import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

/** Resolves a host name to every address it has (like `dns.lookup(name, {all: true})`). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** Whether a download may not connect to this address. */
export type AddressPolicy = (address: string, family: 4 | 6) => boolean;

/** How downloads reach the network; a test provides its own to play a DNS server. */
export interface DownloadNetwork {
  resolve: Resolver;
  isBlocked: AddressPolicy;
}

/** The token under which a `DownloadNetwork` replaces the system resolver and the private-address policy. */
export const DOWNLOAD_NETWORK = Symbol('DOWNLOAD_NETWORK');

/** Addresses a URL download may not reach unless DOWNLOAD_ALLOW_PRIVATE is set. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::ffff:0:0', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Loopback, private, link-local, carrier-grade NAT and unspecified addresses, IPv4 and IPv6. */
export const isPrivateAddress: AddressPolicy = (address, family) =>
  PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** A download refused because the host is, or resolved to, an address the policy blocks. */
export class BlockedAddressError extends Error {
  constructor(hostname: string, address: string) {
    super(
      `url: ${hostname} is a private or loopback address (${address}; set DOWNLOAD_ALLOW_PRIVATE=true to allow)`,
    );
    this.name = 'BlockedAddressError';
  }
}

/** Refuses a literal IP host the policy blocks (a socket does not look literals up, so no lookup hook sees them). */
export function checkLiteralHost(hostname: string, isBlocked: AddressPolicy): void {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family !== 0 && isBlocked(host, family as 4 | 6)) throw new BlockedAddressError(hostname, host);
}

/**
 * A socket `lookup` hook: the name is resolved once, at connect time, and the socket connects only to the
 * addresses checked here. Checking first and letting the HTTP client resolve again would let a name that
 * answers a public address first and a private one next (DNS rebinding) through.
 */
export function guardedLookup({ resolve, isBlocked }: DownloadNetwork): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const blocked = addresses.find((a) => isBlocked(a.address, a.family as 4 | 6));
        if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', 0);
        if (addresses.length === 0) {
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        }
        // net asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one
        if (options.all)
          return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
}

/** An HTTP agent whose every connection, redirects' included, goes through `guardedLookup`. */
export function guardedAgent(network: DownloadNetwork): Agent {
  return new Agent({ connect: { lookup: guardedLookup(network) } });
}
