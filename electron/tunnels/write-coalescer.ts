// ssh2 writes every SSH packet to the socket on its own, and with Node's AES-GCM
// even each part of one (length, payload, tag). With TCP_NODELAY each of those is
// a syscall and a segment. Corking the socket until the end of the current tick
// sends all that one tick wrote in a single writev, and delays nothing past it,
// so latency stays what NODELAY gives. Only for sockets whose owner ends them
// with end() (which flushes): destroy() drops what is still corked.
import type net from 'node:net';

export function coalesceWrites(sock: net.Socket): net.Socket {
  const write = sock.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    sock.uncork();
  };
  sock.write = function (this: net.Socket, ...args: Parameters<net.Socket['write']>) {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as net.Socket['write'];
  return sock;
}
