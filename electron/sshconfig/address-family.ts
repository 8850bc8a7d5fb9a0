// AddressFamily (-4/-6) for the connection to the first hop. The session dials
// the host name itself, so the name is resolved here, in the asked-for family,
// and the hop is given the address; known_hosts keeps using the name (HostKeyAlias).
import { lookup as dnsLookup } from 'node:dns/promises';
import net from 'node:net';
import { BurrowError } from '../../shared/errors';
import type { HostConfig } from '../tunnels/types';

type Lookup = (host: string, opts: { family: 4 | 6 }) => Promise<{ address: string }>;

/** A literal address of the other family is bad input (exit 2): say so before anything starts. */
export function checkAddressFamily(host: HostConfig): void {
  const hop = host.jump[0] ?? host;
  const family = hop.addressFamily;
  const literal = net.isIP(hop.hostname);
  if (family && literal && literal !== family) {
    throw new BurrowError(
      'USAGE',
      `-${family} (AddressFamily ${family === 4 ? 'inet' : 'inet6'}) asks for IPv${family}, but ${hop.hostname} is an IPv${literal} address. Leave out -${family}, or give an IPv${family} address.`,
    );
  }
}

/** The host with its first hop pinned to an address of its AddressFamily (unchanged without one). */
export async function pinAddressFamily(host: HostConfig, lookup: Lookup = dnsLookup as Lookup): Promise<HostConfig> {
  checkAddressFamily(host);
  const hop = host.jump[0] ?? host;
  const family = hop.addressFamily;
  if (!family || net.isIP(hop.hostname)) return host;
  let address: string;
  try {
    ({ address } = await lookup(hop.hostname, { family }));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new BurrowError(
      'SSH_CONNECT_FAILED',
      `${hop.hostname} has no IPv${family} address (${code}), and -${family} (AddressFamily ${family === 4 ? 'inet' : 'inet6'}) allows no other. Leave out -${family} to use any address.`,
    );
  }
  const pinned: HostConfig = { ...hop, hostname: address, hostKeyAlias: hop.hostKeyAlias ?? hop.hostname };
  return host.jump.length ? { ...host, jump: [pinned, ...host.jump.slice(1)] } : pinned;
}
