// Memory the process still holds, not what the garbage collector has yet to
// reclaim: a loaded machine collects later, so raw figures grow with the load.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Bytes of ArrayBuffers (Node Buffers) still reachable, after a full collection. */
export function liveArrayBuffers(): number {
  gc();
  return process.memoryUsage().arrayBuffers;
}
