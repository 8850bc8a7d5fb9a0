// AddressFamily (-4/-6) for the connection to the first hop: bad input is told
// before anything starts; the session dials in the family (session.ts).
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

/**
 * Fails with what to do when the first hop's name has no address in its
 * AddressFamily. Nothing is pinned: the session dials in the family itself, so a
 * reconnect after a DNS change finds the new address.
 */
export async function checkAddressFamilyResolves(host: HostConfig, lookup: Lookup = dnsLookup as Lookup): Promise<void> {
  checkAddressFamily(host);
  const hop = host.jump[0] ?? host;
  const family = hop.addressFamily;
  if (!family || net.isIP(hop.hostname)) return;
  try {
    await lookup(hop.hostname, { family });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new BurrowError(
      'SSH_CONNECT_FAILED',
      `${hop.hostname} has no IPv${family} address (${code}), and -${family} (AddressFamily ${family === 4 ? 'inet' : 'inet6'}) allows no other. Leave out -${family} to use any address.`,
    );
  }
}
