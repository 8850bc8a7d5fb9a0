// Asking on the terminal: host keys (yes/no/once) and hidden secrets.
import type { HostKeyAnswer, HostKeyQuestion, Prompter, SecretQuestion } from '../tunnels/types';
import type { CliIO } from './io';

/** Questions being asked per terminal: while one is, what is typed is its answer (not "retry now"). */
const asking = new WeakMap<CliIO, number>();

/** True while a question is waiting for its answer on this terminal. */
export function isPrompting(io: CliIO): boolean {
  return (asking.get(io) ?? 0) > 0;
}

function readLine(io: CliIO, hidden: boolean): Promise<string | null> {
  const { stdin } = io;
  asking.set(io, (asking.get(io) ?? 0) + 1);
  return new Promise((resolve) => {
    let buf = '';
    const raw = hidden && typeof stdin.setRawMode === 'function';
    if (raw) stdin.setRawMode!(true);
    stdin.resume();
    const finish = () => {
      asking.set(io, (asking.get(io) ?? 1) - 1);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      if (raw) stdin.setRawMode!(false);
      stdin.pause();
      if (hidden) io.stderr.write('\n');
    };
    const done = (v: string | null) => {
      finish();
      resolve(v);
    };
    const onEnd = () => done(buf.length ? buf : null);
    const onData = (d: Buffer) => {
      const chars = [...d.toString('utf8')];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i];
        if (ch === '\u0003' && io.interrupt) {
          // Ctrl-C stops the command, as the SIGINT a terminal not in raw mode sends: the question
          // stays unanswered (an answer would go on to the next key or method meanwhile).
          finish();
          return io.interrupt();
        }
        const end = ch === '\r' || ch === '\n' ? buf : ch === '\u0003' || ch === '\u0004' ? null : undefined; // Ctrl-C, Ctrl-D
        if (end !== undefined) {
          // What was typed (or pasted) past the end of this line answers the next question.
          const rest = chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join('');
          done(end);
          if (rest) stdin.unshift(Buffer.from(rest, 'utf8'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
  });
}

export function ttyPrompter(io: CliIO): Prompter | undefined {
  if (!io.stdin.isTTY) return undefined;
  let queue = Promise.resolve();
  // One question at a time: two hops may ask at once.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  };
  return {
    hostKey: (q: HostKeyQuestion) =>
      serial(async (): Promise<HostKeyAnswer> => {
        const name = q.port === 22 ? q.host : `[${q.host}]:${q.port}`;
        io.stderr.write(
          `The authenticity of host '${name}' can't be established.\n` +
            (q.otherKnownTypes.length ? `Keys of other types (${q.otherKnownTypes.join(', ')}) are known for this host.\n` : '') +
            `${q.keyType} key fingerprint is ${q.fingerprint}.\n`,
        );
        for (;;) {
          io.stderr.write('Trust it and save it to known_hosts (yes), trust it this once (once), or refuse (no)? ');
          const a = (await readLine(io, false))?.trim().toLowerCase();
          if (a === null || a === undefined || a === 'no') return 'reject';
          // As ssh: only the whole word (or the fingerprint) saves a key; 'y' is asked again.
          if (a === 'yes' || a === q.fingerprint.toLowerCase()) return 'save';
          if (a === 'once') return 'once';
        }
      }),
    secret: (q: SecretQuestion) =>
      serial(async () => {
        // As ssh: "Permission denied, please try again." on its own line, then the same question.
        if (q.retry) io.stderr.write(`${q.retry}\n`);
        io.stderr.write(q.prompt.endsWith(' ') ? q.prompt : `${q.prompt} `);
        return readLine(io, !q.echo);
      }),
  };
}
