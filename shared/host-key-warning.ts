// A changed host key, as the window warns about it: the parts of the engine's
// HOSTKEY_CHANGED message (electron/tunnels/host-verifier.ts) a person needs
// side by side: which server, the new fingerprint, the file and line of the
// old key, and the command that removes it. test/node/app-host-key-warning.test.ts
// pins the parsing to the messages the verifier really writes.
// Pure: no Node, no DOM.

export interface ChangedHostKey {
  /** As known_hosts names it: "example.com" or "[127.0.0.1]:2222". */
  host: string;
  /** "ssh-ed25519", "ssh-rsa", ...; absent when the message does not say. */
  keyType?: string;
  /** The key the server presents now ("SHA256:..."). */
  fingerprint?: string;
  /** Where the old key is. */
  file?: string;
  line?: number;
  /** The old key is in a system-wide known_hosts file, which Burrow never changes. */
  systemWide: boolean;
  /** The key changed while the session was up (on rekey), not against known_hosts. */
  duringSession: boolean;
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

/** The parts of a HOSTKEY_CHANGED message, or null when it is not one. */
export function parseChangedHostKey(message: string): ChangedHostKey | null {
  const during = /host key of (\S+) changed during the session/.exec(message);
  if (during) return { host: during[1], systemWide: false, duringSession: true };
  const changed = /the (\S+) host key of (\S+) has changed(?: \(now (SHA256:[A-Za-z0-9+/=]+)\))?/.exec(message);
  if (!changed) return null;
  const out: ChangedHostKey = { host: changed[2], keyType: changed[1], systemWide: /system-wide known_hosts/.test(message), duringSession: false };
  if (changed[3]) out.fingerprint = changed[3];
  const where = /The old key is in (.+?) line (\d+)\./.exec(message);
  if (where) {
    out.file = where[1];
    out.line = Number(where[2]);
    if (!out.systemWide) out.removeCommand = removeKeyCommand(out.host, out.file);
  }
  return out;
}
