// The window checks a port while the person types, and "Save and start" can come
// while that check still holds the port: the forward must not find it "in use" by
// Burrow's own probe (seen as "Local port N is already in use" in loaded test runs).
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, probePort } from '../../../electron/tunnels/listener';
import { freePort } from '../../support/sshd';

describe('a forward listening while a port check probes the same port', () => {
  it('waits for the probe instead of failing with PORT_IN_USE', async () => {
    const port = await freePort();
    // The probe listens at once and closes a moment later; the forward comes in between.
    const probing = probePort(port, '127.0.0.1');
    const server = net.createServer();
    try {
      await expect(listen(server, { host: '127.0.0.1', port })).resolves.toEqual({ host: '127.0.0.1', port });
      await expect(probing).resolves.toBeNull();
    } finally {
      server.close();
    }
  });

  it('a port really in use is still refused, with the usual message', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      await expect(listen(net.createServer(), { host: '127.0.0.1', port })).rejects.toThrow(`Local port ${port} is already in use`);
    } finally {
      holder.close();
    }
  });
});
