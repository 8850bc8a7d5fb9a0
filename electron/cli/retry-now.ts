// "Retry now" from the command line, for `burrow connect` and `burrow up`: while a
// forward counts down to its next reconnect attempt, Enter on the terminal (or
// SIGUSR1 from anywhere) skips the wait, as the app's Retry now button does.
import type { TunnelEngine } from '../tunnels/engine';
import type { CliIO } from './io';
import { isPrompting } from './prompter';
import type { Reporter } from './reporter';

export const RETRY_HINT = 'press Enter to retry now';

/** Asks every reconnecting forward among ids to try again at once; returns those it asked. */
export function retryReconnecting(engine: TunnelEngine, ids: string[]): string[] {
  const retried = ids.filter((id) => engine.has(id) && engine.get(id).state.state === 'reconnecting');
  for (const id of retried) void engine.retryNow(id);
  return retried;
}

/**
 * Listens for "retry now": SIGUSR1 always (io.onRetrySignal), and Enter on a
 * terminal while some forward is reconnecting (stdin is read only then, and never
 * while a question such as a password waits for its answer). Returns the cleanup.
 */
export function listenForRetryNow(engine: TunnelEngine, ids: string[], io: CliIO, reporter: Reporter): () => void {
  const retry = (trigger: 'enter' | 'SIGUSR1') => {
    const retried = retryReconnecting(engine, ids);
    const by = trigger === 'enter' ? 'Enter' : 'SIGUSR1';
    if (retried.length) reporter.event('retry', { trigger, forwards: retried }, `${by}: retrying now (${retried.join(', ')})`);
    else if (trigger === 'SIGUSR1') reporter.event('retry', { trigger, forwards: [] }, `${by}: nothing is reconnecting`);
  };
  const offSignal = io.onRetrySignal?.(() => retry('SIGUSR1'));

  const { stdin } = io;
  let reading = false;
  const onData = (d: Buffer | string) => {
    if (isPrompting(io)) return;
    if (/[\r\n]/.test(d.toString())) retry('enter');
  };
  const sync = () => {
    const want = !!stdin.isTTY && !isPrompting(io) && ids.some((id) => engine.has(id) && engine.get(id).state.state === 'reconnecting');
    if (want && !reading) {
      reading = true;
      stdin.on('data', onData);
      stdin.resume();
    } else if (want) {
      // A question asked meanwhile pauses stdin when it is answered.
      if (stdin.isPaused()) stdin.resume();
    } else if (!want && reading) {
      reading = false;
      stdin.off('data', onData);
      if (!isPrompting(io)) stdin.pause();
    }
  };
  engine.on('state', sync);
  // Forwards already reconnecting when this starts listen for Enter too.
  sync();
  return () => {
    engine.off('state', sync);
    offSignal?.();
    if (reading) {
      reading = false;
      stdin.off('data', onData);
      stdin.pause();
    }
  };
}
