import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { coalesceWrites } from '../../electron/tunnels/write-coalescer';
import { serve } from '../support/tcp';

describe('write coalescing on the SSH socket', () => {
  it('holds one tick of writes back and sends them together, in order; end() flushes', async () => {
    let received = '';
    const done = new Promise<void>((resolve) => {
      void serve((s) => {
        s.on('data', (d) => (received += d));
        s.on('end', () => resolve());
      }).then((srv) => {
        const sock = coalesceWrites(net.connect({ port: srv.port, host: '127.0.0.1', noDelay: true }));
        sock.on('connect', () => {
          sock.write('length|');
          sock.write('payload|');
          expect(sock.writableCorked).toBe(1);
          sock.write('tag');
          process.nextTick(() => {
            expect(sock.writableCorked).toBe(0);
            sock.write('|more');
            sock.end();
          });
        });
      });
    });
    await done;
    expect(received).toBe('length|payload|tag|more');
  });
});
