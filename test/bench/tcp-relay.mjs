// A bare TCP relay in plain Node (no SSH, no crypto): one listener per destination,
// each connection piped to a new connection to it. bulk-probe.ts --relay runs it as
// a third contestant, to show what Node's own per-connection work costs (two
// sockets and two pipes), the floor under any Node forwarder.
// Usage (forked, with an IPC channel): node tcp-relay.mjs PORT... ; replies with the listening ports.
import net from 'node:net';

const targets = process.argv.slice(2).map(Number);
const servers = targets.map((port) =>
  net.createServer({ noDelay: true, allowHalfOpen: true, pauseOnConnect: true }, (near) => {
    const far = net.connect({ port, host: '127.0.0.1', noDelay: true, allowHalfOpen: true });
    near.pipe(far);
    far.pipe(near);
    near.resume();
    near.on('error', () => far.destroy());
    far.on('error', () => near.destroy());
    near.on('close', () => far.destroy());
    far.on('close', () => near.destroy());
  }),
);
await Promise.all(servers.map((s) => new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))));
process.send(servers.map((s) => s.address().port));
process.on('disconnect', () => process.exit(0));
