// What buttons do: calls to the main process with errors turned into notices
// that say what to do, with one-click fixes where there is one.
import type { ErrorCode } from '../../shared/errors';
import type { ForwardReason } from '../../shared/contract';
import { ApiError, call, errorMessage, invoke } from './api';
import { dismissAbout, notify, type NoticeAction } from './notices';
import { store } from './store';
import { refresh } from './sync';
import type { Ui } from './ui';
import { destinationText, isRunning } from './forward-meta';

const HOST_PROBLEMS: ErrorCode[] = [
  'AUTH_FAILED',
  'KEY_UNREADABLE',
  'KEY_UNSUPPORTED',
  'KEY_PASSPHRASE',
  'HOSTKEY_UNKNOWN',
  'HOSTKEY_REJECTED',
  'SSH_CONNECT_FAILED',
  'SSH_TIMEOUT',
];
const RETRYABLE: ErrorCode[] = [
  'SSH_CONNECT_FAILED',
  'SSH_TIMEOUT',
  'SSH_DISCONNECTED',
  'DEST_REFUSED',
  'DEST_UNRESOLVED',
  'DEST_TIMEOUT',
  'DEST_FAILED',
  'HOSTKEY_REJECTED',
  'AUTH_FAILED',
  'KEY_PASSPHRASE',
];

/** The one-click fixes for a forward's failure. HOSTKEY_CHANGED has none on purpose. */
export function fixesFor(name: string, reason: ForwardReason | undefined, ui: Ui): NoticeAction[] {
  if (!reason) return [];
  const out: NoticeAction[] = [];
  const view = store.forward(name);
  if (reason.code === 'PORT_IN_USE' || reason.code === 'PORT_PRIVILEGED') {
    out.push({ label: 'Pick another port', run: () => pickAnotherPort(name) });
  }
  if (RETRYABLE.includes(reason.code)) {
    // Reconnecting: try at once. Active (the destination failed): check the destination again. Otherwise start it again.
    const running = isRunning(store.getLive(name)?.state.state);
    out.push({ label: 'Retry now', run: () => (running ? runAction(name, 'forward.retryNow') : startForward(name, ui)) });
  }
  if (view && HOST_PROBLEMS.includes(reason.code)) out.push({ label: 'Edit host', run: () => ui.open({ type: 'hosts', edit: view.forward.host }) });
  if (reason.code.startsWith('DEST_')) out.push({ label: 'Edit forward', run: () => ui.open({ type: 'forward', name }) });
  return out;
}

/** Moves a forward to the next free local port (port + 1000 first for privileged ones) and starts it. */
export async function pickAnotherPort(name: string) {
  const view = store.forward(name);
  if (!view) return;
  const f = view.forward;
  if ('path' in f.listen) return;
  const listen = f.listen;
  const from = listen.port < 1024 ? listen.port + 1000 : listen.port;
  try {
    const check = await call('port.check', { port: from, bindAddress: listen.host });
    const port = check.free ? from : check.suggestion;
    if (!port) throw new Error(`No free port from ${from} up; edit the forward and pick one.`);
    const updated = await call('forward.update', { name, forward: { ...f, listen: { ...listen, port } } });
    store.mergeView(updated);
    // The notice that offered this fix (from the start that failed) is done with.
    dismissAbout(name);
    notify({ tone: 'info', text: `${name} now listens on port ${port}.` });
    await startForward(name);
  } catch (e) {
    notify({ tone: 'error', text: `Could not move ${name} to another port: ${errorMessage(e)}` });
  }
}

/**
 * A forward was saved but did not start (its state says failed, with the
 * reason): tell it once the list knows the forward, with the one-click fixes.
 */
export async function reportStartFailure(name: string, error: ForwardReason, ui: Ui) {
  // A changed host key has its own loud warning (HostKeyAlarms), raised by the state.
  if (error.code === 'HOSTKEY_CHANGED') return;
  if (!store.forward(name)) await refresh();
  notify({ tone: 'error', text: `${name} was saved, but did not start: ${error.message}`, actions: fixesFor(name, error, ui), forward: name });
}

export async function startForward(name: string, ui?: Ui) {
  try {
    store.mergeView(await call('forward.start', { name }));
  } catch (e) {
    // The row shows the reason too; the notice carries the fixes. A changed host key has its own loud warning.
    const reason = e instanceof ApiError ? { code: e.code, message: e.message } : undefined;
    if (reason?.code === 'HOSTKEY_CHANGED') return;
    notify({ tone: 'error', text: `${name} did not start: ${errorMessage(e)}`, actions: ui ? fixesFor(name, reason, ui) : [], forward: name });
  }
}

export async function stopForward(name: string) {
  try {
    store.mergeView(await call('forward.stop', { name }));
  } catch (e) {
    notify({ tone: 'error', text: `${name} did not stop: ${errorMessage(e)}` });
  }
}

export async function runAction(name: string, channel: 'forward.restart' | 'forward.retryNow') {
  try {
    const view = await call(channel, { name });
    store.mergeView(view);
    // A retry on an active forward checked its destination again: say what it found.
    const s = view.state;
    if (channel === 'forward.retryNow' && s.state === 'active') {
      const dest = destinationText(view.forward);
      if (s.destination.status === 'failing') {
        notify({ tone: 'error', text: `${name}: the SSH tunnel is up, but ${dest} still fails. ${s.destination.reason.message}` });
      } else if (s.destination.status === 'reachable') notify({ tone: 'info', text: `${name}: ${dest} answers now.` });
    }
  } catch (e) {
    notify({ tone: 'error', text: `${name}: ${errorMessage(e)}`, forward: name });
  }
}

export async function groupAction(group: string, names: string[], start: boolean, byGroup: boolean) {
  try {
    let failed: { name: string; message?: string }[];
    if (byGroup) {
      const r = await call(start ? 'group.start' : 'group.stop', { group });
      failed = r.results.filter((x) => !x.ok);
    } else {
      const rs = await Promise.all(names.map(async (n) => ({ name: n, r: await invoke(start ? 'forward.start' : 'forward.stop', { name: n }) })));
      failed = rs.filter((x) => !x.r.ok).map((x) => ({ name: x.name, message: x.r.ok ? undefined : x.r.message }));
    }
    if (failed.length)
      notify({
        tone: 'error',
        text: `${failed.length} of ${names.length} did not ${start ? 'start' : 'stop'}: ${failed.map((f) => `${f.name} (${f.message ?? 'failed'})`).join('; ')}`,
      });
  } catch (e) {
    notify({ tone: 'error', text: errorMessage(e) });
  }
  await refresh();
}

export async function copyText(text: string, what: string) {
  try {
    await navigator.clipboard.writeText(text);
    notify({ tone: 'info', text: `Copied ${what}.` });
  } catch {
    notify({ tone: 'error', text: `Could not copy ${what}: the clipboard is not available here. Select the text and copy it by hand.` });
  }
}
