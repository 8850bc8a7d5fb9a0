// Telling a live process from a gone one by its pid, on this host: for the
// profile lock's holder and the running/ status files.
import { readFileSync } from 'node:fs';

/** An identity for the process that survives nothing else: its start time (Linux); undefined where unknown. */
export function processStartId(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may contain spaces) in parentheses; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a running process (a signal 0 probe; EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that was `pid` (with start id `startId`, when known) is still running. */
export function sameProcessAlive(pid: number, startId?: string): boolean {
  if (!pidAlive(pid)) return false;
  if (startId === undefined) return true;
  const current = processStartId(pid);
  return current === undefined || current === startId;
}
