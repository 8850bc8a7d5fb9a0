import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { coalesceWrites } from '../../../electron/tunnels/write-coalescer';
import { serve } from '../../support/tcp';

describe('write coalescing on the SSH socket', () => {
  it('holds one tick of writes back and sends them together, in order; end() flushes', async () => {
    let received = '';
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const srv = await serve((s) => {
      s.on('data', (d) => (received += d));
      s.on('end', ended);
    });
    const sock = coalesceWrites(net.connect({ port: srv.port, host: '127.0.0.1', noDelay: true }));
    await new Promise((r) => sock.once('connect', r));
    sock.write('length|');
    sock.write('payload|');
    sock.write('tag');
    expect(sock.writableCorked).toBe(1);
    await new Promise((r) => process.nextTick(r));
    expect(sock.writableCorked).toBe(0);
    sock.write('|more');
    sock.end();
    await done;
    expect(received).toBe('length|payload|tag|more');
    await srv.close();
  });
});
