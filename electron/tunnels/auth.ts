// Authentication: identity files (with format checks and passphrases), the agent,
// passwords and keyboard-interactive, offered to ssh2 through its authHandler.
import { readdirSync, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AnyAuthMethod, type AuthenticationType, type KeyboardInteractiveCallback, type Prompt } from 'ssh2';
import { BurrowError } from '../../shared/errors';
import type { HostConfig, Prompter } from './types';
import { FileTooLarge, readBounded } from './bounded-read';

// ssh2 is CommonJS: take its exports from the default import (named ESM imports fail).
const { utils } = ssh2;
type ParsedKey = Exclude<ReturnType<typeof utils.parseKey>, Error | Error[]>;

/**
 * What a person answered for one hop of one session (decrypted keys by file, the
 * password), kept in memory only, so that automatic reconnects need nobody. The
 * session drops it when it closes; an answer the server refuses is dropped at once.
 */
export interface AuthMemo {
  keys: Map<string, ParsedKey>;
  password?: string;
}

/** The most a private key file may hold: an OpenSSH RSA key of 16384 bits takes about 12 KiB. */
export const KEY_FILE_MAX_BYTES = 64 * 1024;

/** A key file (private, or its .pub), read within KEY_FILE_MAX_BYTES (bounded-read.ts). */
export function readKeyFile(file: string): Buffer {
  return readBounded(file, KEY_FILE_MAX_BYTES);
}

export const DEFAULT_IDENTITY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(homedir(), '.ssh', n));

/** Reads an identity file and refuses, with what to do, files ssh2 cannot use or ssh would not use. Exported for tests. */
export function readIdentity(file: string): Buffer {
  let data: Buffer;
  try {
    data = readKeyFile(file);
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'it does not exist'
        : e instanceof FileTooLarge
          ? `${e.message}, more than any private key`
          : (e as Error).message;
    throw new BurrowError('KEY_UNREADABLE', `Cannot read identity file ${file}: ${why}. Check the path given with -i or IdentityFile.`);
  }
  checkKeyFormat(file, data.toString('latin1'));
  parseKeyFile(file, data);
  checkKeyPermissions(file);
  return data;
}

/** The key parsed without a passphrase; null when it is encrypted. Anything else that does not parse is refused. */
function parseKeyFile(file: string, data: Buffer, passphrase?: string): ParsedKey | null {
  let parsed = utils.parseKey(data, passphrase);
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (!(parsed instanceof Error)) return parsed;
  if (isEncryptedError(parsed) || passphrase !== undefined) return null;
  throw new BurrowError('KEY_UNSUPPORTED', `Identity file ${file} could not be read as a private key (${parsed.message}). Use an OpenSSH or PEM private key.`);
}

/**
 * As OpenSSH: a private key file of ours that other users may read or write is
 * not used (ssh: "Permissions 0644 ... are too open"). Windows modes mean nothing.
 */
export function checkKeyPermissions(file: string): void {
  if (process.platform === 'win32') return;
  const st = statSync(file);
  if (st.uid !== process.getuid?.() || (st.mode & 0o077) === 0) return;
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  throw new KeySkipped(
    'KEY_UNREADABLE',
    `Permissions ${mode} for identity file ${file} are too open: other users of this machine may read it, so Burrow does not use it (as ssh). Make it private with: chmod 600 ${file}`,
  );
}

export function checkKeyFormat(file: string, text: string): void {
  const unsupported = (what: string, todo: string) => new BurrowError('KEY_UNSUPPORTED', `Identity file ${file} is ${what}, which Burrow cannot read. ${todo}`);
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw unsupported('a PKCS#8 key ("BEGIN PRIVATE KEY")', `Convert it to the OpenSSH format in place with: ssh-keygen -p -f ${file}`);
  }
  if (/^PuTTY-User-Key-File-3:/m.test(text)) {
    throw unsupported(
      'a PuTTY PPK version 3 key',
      `Export it in the OpenSSH format with: puttygen ${file} -O private-openssh -o ${file.replace(/\.ppk$/i, '')}`,
    );
  }
  if (/^(ssh-|ecdsa-|sk-)\S+ AAAA/.test(text.trim())) {
    const cert = /-cert-v01@openssh\.com/.test(text);
    throw unsupported(
      cert ? 'an SSH certificate' : 'a public key',
      cert ? 'Certificates are not supported yet; use the private key itself.' : `Pass the private key instead (usually the same name without .pub).`,
    );
  }
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text);
  if (m) {
    const blob = Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('latin1');
    if (blob.includes('sk-ssh-ed25519@openssh.com') || blob.includes('sk-ecdsa-sha2-nistp256@openssh.com')) {
      throw unsupported(
        'a FIDO security-key (sk-*) key',
        'ssh2, the SSH library Burrow is built on, supports no security-key type, not even through ssh-agent. Use a regular key for this host (ssh-keygen -t ed25519) and add its .pub to authorized_keys on the server.',
      );
    }
  }
}

function isEncryptedError(err: Error): boolean {
  return /no passphrase given/i.test(err.message);
}

/** As OpenSSH's NumberOfPasswordPrompts: a mistyped passphrase or password is asked again, three times in all. */
export const PROMPT_TRIES = 3;

/** Why a key file was passed over: the login goes on with the next key or method, as ssh does. */
export class KeySkipped extends BurrowError {}

/**
 * Parses a key, asking for its passphrase when it is encrypted: a wrong one is
 * asked again (PROMPT_TRIES in all); an empty one skips the key (KeySkipped), as
 * ssh does; cancelling throws KEY_PASSPHRASE (nothing more is asked).
 */
export async function loadIdentity(file: string, prompter: Prompter | undefined, batchMode: boolean): Promise<ParsedKey> {
  const data = readIdentity(file);
  const plain = parseKeyFile(file, data);
  if (plain) return plain;
  if (batchMode || !prompter) throw noOneToAsk(file);
  return askPassphrase(file, data, prompter);
}

function noOneToAsk(file: string): KeySkipped {
  return new KeySkipped(
    'KEY_PASSPHRASE',
    `Identity file ${file} is protected by a passphrase and no one can be asked for it (BatchMode). Add the key to ssh-agent (ssh-add ${file}) instead.`,
  );
}

async function askPassphrase(file: string, data: Buffer, prompter: Prompter): Promise<ParsedKey> {
  for (let i = 0; i < PROMPT_TRIES; i++) {
    const passphrase = await prompter.secret({
      kind: 'passphrase',
      subject: file,
      prompt: `Enter passphrase for key '${file}': `,
      ...(i > 0 && { retry: 'Wrong passphrase, try again.' }),
    });
    if (passphrase === null) throw new BurrowError('KEY_PASSPHRASE', `No passphrase given for ${file}: the login was cancelled.`);
    if (passphrase === '') throw new KeySkipped('KEY_PASSPHRASE', `No passphrase given for ${file}, so the key was skipped.`);
    const key = parseKeyFile(file, data, passphrase);
    if (key) return key;
  }
  throw new KeySkipped(
    'KEY_PASSPHRASE',
    `Wrong passphrase for identity file ${file} (asked ${PROMPT_TRIES} times), so the key was skipped. Check the passphrase (ssh-keygen -y -f ${file} tests it).`,
  );
}

/**
 * Offers an encrypted key by its public half, as an agent would, and decrypts it
 * (asking for the passphrase) only when ssh2 signs with it, which it does after
 * the server said it would accept the key (USERAUTH_PK_OK): a key the server
 * would refuse is never asked for.
 */
class LockedKeyAgent extends ssh2.BaseAgent<ParsedKey> {
  /** A signature went to the server: its answer may have changed what it still accepts. */
  signed = false;
  constructor(
    private publicKey: ParsedKey,
    private unlock: () => Promise<ParsedKey>,
  ) {
    super();
  }
  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    cb(undefined, [this.publicKey]);
  }
  sign(_pub: ParsedKey, data: Buffer, options: unknown, cb?: unknown): void {
    const done = (typeof options === 'function' ? options : cb) as (err: Error | undefined, sig?: Buffer) => void;
    const hash = typeof options === 'object' && options ? (options as { hash?: string }).hash : undefined;
    this.unlock().then(
      (key) => {
        const sig = key.sign(data, hash as never);
        if (sig instanceof Error) return done(sig);
        this.signed = true;
        done(undefined, sig);
      },
      (e: Error) => done(e),
    );
  }
}

/**
 * The public half of an identity file, without asking for a passphrase: from
 * file.pub, else from the key itself (unencrypted, or the OpenSSH format, whose
 * public key is stored in the clear). Undefined when it cannot be known.
 */
export function identityPublicKey(file: string): Buffer | undefined {
  const fromText = (text: Buffer | string) => {
    let k = utils.parseKey(text);
    if (Array.isArray(k)) k = k[0];
    return k instanceof Error ? undefined : k.getPublicSSH();
  };
  try {
    if (existsSync(`${file}.pub`)) {
      const pub = fromText(readKeyFile(`${file}.pub`));
      if (pub) return pub;
    }
    const text = readKeyFile(file).toString('latin1');
    const plain = fromText(text);
    if (plain) return plain;
    // openssh-key-v1: magic, cipher, kdf, kdf options, key count, then the first public key blob.
    const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text);
    if (!m) return undefined;
    const blob = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
    const magic = 'openssh-key-v1\0';
    if (blob.toString('latin1', 0, magic.length) !== magic) return undefined;
    let at = magic.length;
    const skip = () => {
      const len = blob.readUInt32BE(at);
      at += 4 + len;
      return blob.subarray(at - len, at);
    };
    skip();
    skip();
    skip();
    at += 4;
    return skip();
  } catch {
    return undefined;
  }
}

/** An agent that offers only one of another agent's keys (IdentitiesOnly with a key the agent holds). */
class OneKeyAgent extends ssh2.BaseAgent<ParsedKey> {
  constructor(
    private inner: ssh2.BaseAgent,
    private key: ParsedKey,
  ) {
    super();
  }
  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    cb(undefined, [this.key]);
  }
  sign(pubKey: ParsedKey, data: Buffer, options: unknown, cb?: unknown): void {
    (this.inner.sign as (...a: unknown[]) => void)(pubKey, data, options, cb);
  }
}

/** The agent's keys, fetched once per connection attempt; none when the agent cannot be reached. */
function agentKeys(agentPath: string): () => Promise<{ agent: ssh2.BaseAgent; keys: ParsedKey[] }> {
  let pending: Promise<{ agent: ssh2.BaseAgent; keys: ParsedKey[] }> | undefined;
  return () =>
    (pending ??= new Promise((resolve) => {
      let agent: ssh2.BaseAgent;
      try {
        agent = ssh2.createAgent(agentPath);
      } catch {
        return resolve({ agent: undefined as never, keys: [] });
      }
      const timer = setTimeout(() => resolve({ agent, keys: [] }), 5000);
      agent.getIdentities((err, keys) => {
        clearTimeout(timer);
        const parsed: ParsedKey[] = [];
        for (const k of err ? [] : (keys ?? [])) {
          let p = utils.parseKey(k as never);
          if (Array.isArray(p)) p = p[0];
          if (!(p instanceof Error)) parsed.push(p);
        }
        resolve({ agent, keys: parsed });
      });
    }));
}

export const OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

function listWindowsPipes(): string[] {
  return readdirSync('\\\\.\\pipe\\');
}

/**
 * Where the agent is: SSH_AUTH_SOCK; on Windows the OpenSSH agent's named pipe,
 * else Pageant's named pipe (Pageant 0.75+: \\.\pipe\pageant.<user>.<sha256 hex>,
 * which speaks the agent protocol), else 'pageant' (ssh2's helper for older
 * Pageant, which only answers window messages). The probes are parameters for tests.
 */
export function discoverAgent(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (p: string) => boolean = existsSync,
  listPipes: () => string[] = listWindowsPipes,
): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  if (platform !== 'win32') return undefined;
  if (exists(OPENSSH_AGENT_PIPE)) return OPENSSH_AGENT_PIPE;
  let pipes: string[] = [];
  try {
    pipes = listPipes();
  } catch {
    // Listing pipes failed: fall through to the window-message route.
  }
  const user = env.USERNAME?.toLowerCase();
  const pageant = pipes.find((n) => {
    const m = /^pageant\.(.+)\.[0-9a-f]{64}$/i.exec(n);
    return m && (!user || m[1].toLowerCase() === user);
  });
  if (pageant) return `\\\\.\\pipe\\${pageant}`;
  return 'pageant';
}

const KBD_TRIES = 3;

interface Attempt {
  method: AuthenticationType;
  label: string;
  make(): Promise<AnyAuthMethod | null>;
  /** Set by make() when it offered a remembered answer: called if the server refuses it. */
  forget?: () => void;
  /** The offer was the agent's keys (ssh2 goes through them itself), or a locked key offered as one. */
  agent?: true | LockedKeyAgent;
}

/**
 * Builds ssh2's authHandler: tries each method the server still allows, in the
 * order OpenSSH uses (agent keys, identity files, keyboard-interactive, password).
 * Records what was tried, for the "authentication failed" message.
 */
export function createAuth(
  host: HostConfig,
  prompter: Prompter | undefined,
  defaultsOnly: boolean,
  memo?: AuthMemo,
  warn?: (message: string, code: BurrowError['code']) => void,
  /** The host's stored password, fetched when the login gets to passwords. */
  savedPassword?: () => Promise<string | null>,
) {
  const tried: string[] = [];
  const attempts: Attempt[] = [];
  const username = host.user;
  const subject = `${host.user}@${host.hostname}`;
  let fatal: BurrowError | undefined;

  const agent = host.agent === null ? undefined : (host.agent ?? discoverAgent());
  if (agent && !host.identitiesOnly) {
    attempts.push({ method: 'publickey', label: 'agent', make: async () => ({ type: 'agent' as const, username, agent }) });
  }
  // IdentitiesOnly still uses the agent's copy of a listed key, as OpenSSH does
  // (no passphrase asked), and never the agent's other keys.
  const fromAgent = agent && host.identitiesOnly ? agentKeys(agent) : undefined;
  const canAsk = !!prompter && !host.batchMode;
  // The passphrase question of a key offered by its public half was cancelled: the login stops.
  let unlockCancelled = false;
  // Keys passed over (a passphrase not given or wrong, a file others may read): said if the login fails.
  const skipped: KeySkipped[] = [];
  const skip = (e: KeySkipped) => {
    skipped.push(e);
    warn?.(e.message, e.code);
  };
  const files = host.identityFiles.length > 0 ? host.identityFiles : DEFAULT_IDENTITY_FILES.filter((f) => existsSync(f));
  for (const file of files) {
    if (defaultsOnly && !existsSync(file)) continue;
    const a: Attempt = {
      method: 'publickey',
      label: `publickey (${file})`,
      make: async () => {
        a.forget = undefined;
        if (fromAgent) {
          const pub = identityPublicKey(file);
          const { agent: inner, keys } = pub ? await fromAgent() : { agent: undefined, keys: [] };
          const held = pub && keys.find((k) => k.getPublicSSH().equals(pub));
          if (inner && held) {
            a.label = `publickey (${file}, from the agent)`;
            return { type: 'agent' as const, username, agent: new OneKeyAgent(inner, held) };
          }
        }
        const remembered = memo?.keys.get(file);
        if (remembered) {
          a.forget = () => memo!.keys.delete(file);
          return { type: 'publickey', username, key: remembered as never };
        }
        const data = readIdentity(file);
        const plain = parseKeyFile(file, data);
        if (plain) return { type: 'publickey', username, key: plain as never };
        if (!canAsk) throw noOneToAsk(file);
        const unlock = async () => {
          try {
            const key = await askPassphrase(file, data, prompter!);
            // Only what a person was asked for is kept: a plain key file is simply read again.
            memo?.keys.set(file, key);
            return key;
          } catch (e) {
            if (e instanceof KeySkipped) skip(e);
            else {
              fatal ??= e as BurrowError;
              unlockCancelled = true;
            }
            throw e;
          }
        };
        const pub = identityPublicKey(file);
        let parsedPub = pub && utils.parseKey(pub);
        if (Array.isArray(parsedPub)) parsedPub = parsedPub[0];
        if (parsedPub && !(parsedPub instanceof Error)) return { type: 'agent' as const, username, agent: new LockedKeyAgent(parsedPub, unlock) };
        // No public half to offer first (a PEM key without its .pub): ask now, as ssh does.
        return { type: 'publickey', username, key: (await unlock()) as never };
      },
    };
    attempts.push(a);
  }
  // Three tries, as OpenSSH's NumberOfPasswordPrompts: a mistyped one-time code is asked again.
  let kbdCancelled = false;
  let passwordCancelled = false;
  let passwordRefusals = 0;
  // A remembered password answers the server's hidden "Password:" question once per
  // login (PAM servers ask it through keyboard-interactive), so reconnects need nobody;
  // one-time codes are always asked.
  let kbdRememberedUsed = false;
  for (let i = 0; i < KBD_TRIES && host.tryKeyboardInteractive !== false && canAsk; i++) {
    const a: Attempt = {
      method: 'keyboard-interactive',
      label: 'keyboard-interactive',
      make: async () =>
        kbdCancelled
          ? null
          : {
              type: 'keyboard-interactive',
              username,
              prompt: (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
                (async () => {
                  // As OpenSSH does: the server's name and instructions ("Two-factor login") come before the prompts.
                  const header = [name, instructions].filter((x) => x && x.trim()).join('\n');
                  const answers: string[] = [];
                  for (const p of prompts) {
                    const isPassword = !p.echo && /password/i.test(p.prompt);
                    if (isPassword && memo?.password !== undefined && !kbdRememberedUsed) {
                      kbdRememberedUsed = true;
                      answers.push(memo.password);
                      continue;
                    }
                    const answer = await prompter!.secret({
                      kind: /password/i.test(p.prompt) ? 'password' : 'otp',
                      subject,
                      prompt: header && answers.length === 0 ? `${header}\n${p.prompt}` : p.prompt,
                      echo: p.echo,
                    });
                    if (answer === null) {
                      kbdCancelled = true;
                      return finish([]);
                    }
                    if (isPassword && memo) memo.password = answer;
                    answers.push(answer);
                  }
                  // Refused: the password may be what was wrong, so it is asked next time.
                  if (memo && prompts.some((p) => !p.echo && /password/i.test(p.prompt))) a.forget = () => (memo.password = undefined);
                  finish(answers);
                })().catch(() => finish([]));
              },
            },
    };
    attempts.push(a);
  }
  if (host.passwordAuthentication !== false && (host.password !== undefined || savedPassword !== undefined || canAsk)) {
    // The saved or remembered password first; one the server refuses is dropped, and
    // the person is asked (again), PROMPT_TRIES times at most, as ssh does.
    let asked = 0;
    const refused = () => {
      passwordRefusals++;
      if (memo) memo.password = undefined;
    };
    const ask = async (): Promise<AnyAuthMethod | null> => {
      asked++;
      const password = await prompter!.secret({
        kind: 'password',
        subject,
        prompt: `${subject}'s password: `,
        ...(passwordRefusals > 0 && { retry: 'Permission denied, please try again.' }),
      });
      if (password === null) {
        passwordCancelled = true;
        return null;
      }
      if (memo) memo.password = password;
      return { type: 'password', username, password };
    };
    const first: Attempt = {
      method: 'password',
      label: 'password',
      forget: refused,
      make: async () => {
        if (host.password !== undefined) return { type: 'password', username, password: host.password };
        if (memo?.password !== undefined) return { type: 'password', username, password: memo.password };
        const stored = savedPassword ? await savedPassword().catch(() => null) : null;
        if (stored !== null) return { type: 'password', username, password: stored };
        return canAsk ? ask() : null;
      },
    };
    attempts.push(first);
    for (let i = 0; i < PROMPT_TRIES; i++) {
      attempts.push({
        method: 'password',
        label: 'password',
        forget: refused,
        make: async () => (passwordRefusals > 0 && canAsk && !passwordCancelled && asked < PROMPT_TRIES ? ask() : null),
      });
    }
  }

  // Attempts are used once each, in order, but one the server does not accept yet is
  // only passed over, not spent: with AuthenticationMethods "password,publickey" the
  // keys are refused until the password has been given (a partial success), then wanted.
  const used = new Set<Attempt>();
  // The server has answered a login request: a disconnect from now on is its refusal.
  let began = false;
  // What the server said it still accepts, for the failure message.
  let serverMethods: AuthenticationType[] = [];
  // The attempt last offered: called again without a partial success means the server refused it.
  let offered: Attempt | undefined;
  const handler = (methodsLeft: AuthenticationType[] | null, partial: boolean | null, cb: (next: AnyAuthMethod | false) => void) => {
    // As OpenSSH does, ask with "none" first: the server answers with the methods it
    // takes, so nothing is offered (or asked of a person) that it would refuse anyway.
    if (methodsLeft === null) return cb({ type: 'none', username });
    began = true;
    // ssh2 tries an agent's keys itself and, when they are done, calls back with the
    // methods and partial flag of the request before (it drops those of the agent's
    // answers): after "publickey,password" accepted an agent key, the stale list would
    // hide the password. Ask with "none" once more for the current list.
    // A locked key that never signed was refused before any signature (or skipped): the
    // list cannot have changed, and each "none" costs one of the server's MaxAuthTries.
    if (offered?.agent && (offered.agent === true || offered.agent.signed)) {
      offered = undefined;
      return cb({ type: 'none', username });
    }
    if (offered && !partial) offered.forget?.();
    offered = undefined;
    serverMethods = methodsLeft;
    const step = async (): Promise<AnyAuthMethod | false> => {
      if (unlockCancelled) return false;
      for (const a of attempts) {
        if (used.has(a) || (methodsLeft && !methodsLeft.includes(a.method))) continue;
        used.add(a);
        try {
          const made = await a.make();
          if (!made) continue;
          tried.push(a.label);
          offered = made.type === 'agent' ? { ...a, agent: made.agent instanceof LockedKeyAgent ? made.agent : true } : a;
          return made;
        } catch (e) {
          if (e instanceof KeySkipped) {
            if (!skipped.includes(e)) skip(e);
            continue;
          }
          if (e instanceof BurrowError) {
            fatal ??= e;
            tried.push(`${a.label}: ${e.message}`);
            // A wrong passphrase or an unusable key stops here, as OpenSSH does for -i.
            if (e.code === 'KEY_PASSPHRASE' || e.code === 'KEY_UNREADABLE' || e.code === 'KEY_UNSUPPORTED') return false;
            continue;
          }
          throw e;
        }
      }
      return false;
    };
    step().then(cb, () => cb(false));
  };

  return {
    handler,
    /** True once the server has answered a login request. */
    began: () => began,
    /** What the failure message says; `hungUp`: why the server closed the connection during the login. */
    failure(hungUp?: string): BurrowError {
      if (!hungUp) return reason();
      // Hanging up is the server's answer to what was offered last.
      offered?.forget?.();
      offered = undefined;
      const err = reason();
      return new BurrowError(err.code, `${err.message} The server then closed the connection (${hungUp.replace(/\.$/, '')}).`);
    },
  };

  function reason(): BurrowError {
    if (fatal) return fatal;
    if (kbdCancelled || passwordCancelled) {
      return new BurrowError(
        'AUTH_FAILED',
        `Login to ${subject} was cancelled: the ${kbdCancelled ? 'question from the server' : 'password'} was not answered, so nothing was sent. Start the forward again to be asked again.`,
      );
    }
    const list = tried.length ? [...new Set(tried)].join(', ') : 'none (no agent, no identity file, no password, and no one to ask)';
    // The server wants a person (a one-time code, a password) and nobody may be asked: say so.
    const wanted = (m: AuthenticationType) =>
      (m === 'keyboard-interactive' && host.tryKeyboardInteractive !== false) || (m === 'password' && host.passwordAuthentication !== false);
    const needsPerson = serverMethods.filter((m) => wanted(m) && !tried.includes(m));
    const why = needsPerson.length
      ? ` The server also accepts ${needsPerson.join(' and ')} (e.g. a one-time code), which needs a person to answer, but ${host.batchMode ? 'BatchMode=yes forbids asking' : 'no one can be asked here'}. Run without BatchMode on a terminal, or use a key the server accepts.`
      : ' Check the user name, pass the right key with -i, or load it into ssh-agent.';
    if (passwordRefusals > 0 && !needsPerson.length) {
      return new BurrowError(
        'AUTH_FAILED',
        `Permission denied: the server refused the password for ${subject}${passwordRefusals > 1 ? ` (${passwordRefusals} times)` : ''}. Check the user name and the password${host.password !== undefined ? ' (the saved password may be out of date: save the new one)' : ''}. Methods tried: ${list}.`,
      );
    }
    if (skipped.length) {
      const keys = skipped.map((e) => e.message).join(' ');
      return new BurrowError(skipped[0].code, `${keys} Authentication failed for ${subject}.${tried.length ? ` Methods tried: ${list}.` : ''}${why}`);
    }
    return new BurrowError('AUTH_FAILED', `Authentication failed for ${subject}. Methods tried: ${list}.${why}`);
  }
}
