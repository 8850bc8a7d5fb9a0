// A changed host key, as the window warns about it: the verifier's typed
// details (BurrowError.details, carried in the forward's reason) plus the
// command that removes the old key. Pure: no Node, no DOM.
import type { HostKeyChangedDetails } from './errors';

export interface ChangedHostKey extends Omit<HostKeyChangedDetails, 'kind'> {
  /** `ssh-keygen -R HOST -f FILE`: removes the old line, to run only once the new key is confirmed. */
  removeCommand?: string;
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that removes the old key of `host` from `file` (what OpenSSH's own warning suggests). */
export function removeKeyCommand(host: string, file: string): string {
  return `ssh-keygen -R ${shellWord(host)} -f ${shellWord(file)}`;
}

/** The warning for a changed key: a removal command only for a file Burrow's user may change. */
export function changedHostKeyWarning(details: HostKeyChangedDetails): ChangedHostKey {
  const { kind: _kind, ...facts } = details;
  return facts.file && !facts.systemWide ? { ...facts, removeCommand: removeKeyCommand(facts.host, facts.file) } : facts;
}
