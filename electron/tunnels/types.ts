// The tunnel engine's public vocabulary. The app, the CLI and the tray consume these.
import type { ForwardSpec } from '../../shared/forward-spec';
import type { Asker, BoundAddress, ForwardState, ForwardStats, HostKeyAnswer, HostKeyQuestion, LogEntry, SecretQuestion } from '../../shared/tunnel-state';
import type { STRICT_HOST_KEY_CHECKING } from '../../shared/model';

export type {
  Asker,
  BoundAddress,
  DestinationStatus,
  ForwardReason,
  ForwardState,
  ForwardStateName,
  ForwardStats,
  HostKeyAnswer,
  HostKeyQuestion,
  LogEntry,
  LogLevel,
  SecretQuestion,
} from '../../shared/tunnel-state';

export type StrictHostKeyChecking = (typeof STRICT_HOST_KEY_CHECKING)[number];

/** Everything needed to open one SSH session (one hop). */
export interface HostConfig {
  /** What the person called it: an ssh_config alias or the hostname. */
  alias: string;
  hostname: string;
  port: number;
  user: string;
  /** Private key files to offer, in order. */
  identityFiles: string[];
  /** Only offer identityFiles, not the agent's other keys. */
  identitiesOnly: boolean;
  /** ssh-agent socket; undefined = SSH_AUTH_SOCK (or the Windows pipes), null = no agent. */
  agent?: string | null;
  password?: string;
  /**
   * The saved host whose stored password is offered (after `password`): fetched from
   * the engine's savedPassword source only when this hop's login gets to passwords,
   * so that no stored secret is read or held for forwards that are not starting.
   */
  savedPassword?: string;
  /** PasswordAuthentication: false never offers or asks for a password. */
  passwordAuthentication?: boolean;
  tryKeyboardInteractive?: boolean;
  knownHostsFiles: string[];
  /** System-wide known_hosts (GlobalKnownHostsFile), read after knownHostsFiles, never written; undefined = /etc/ssh/ssh_known_hosts and ssh_known_hosts2. */
  globalKnownHostsFiles?: string[];
  /** The name known_hosts is searched and written under instead of hostname (HostKeyAlias). */
  hostKeyAlias?: string;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Seconds between keepalives; 0 turns keepalive off. */
  serverAliveInterval: number;
  serverAliveCountMax: number;
  /** Seconds for the TCP connect and for each automatic handshake phase. */
  connectTimeout: number;
  ciphers?: string[];
  /** KexAlgorithms, MACs, HostKeyAlgorithms: plain lists ssh2 implements; undefined = ssh2's defaults. */
  kexAlgorithms?: string[];
  macs?: string[];
  hostKeyAlgorithms?: string[];
  /** HostKeyAlgorithms was given as a whole list (or ^list): keep its order instead of preferring the types known_hosts has for the host. */
  hostKeyAlgorithmsAsGiven?: boolean;
  /** Compression (-C). */
  compression?: boolean;
  /** AddressFamily (-4/-6) for the TCP connection to the first hop; undefined = any. */
  addressFamily?: 4 | 6;
  /** ExitOnForwardFailure: the command exits when one of its forwards cannot be set up. */
  exitOnForwardFailure?: boolean;
  /** Never ask a person anything: fail instead. */
  batchMode: boolean;
  /** Jump hosts, outermost first (ProxyJump / -J). */
  jump: HostConfig[];
}

export interface ForwardInfo {
  id: string;
  spec: ForwardSpec;
  host: HostConfig;
  state: ForwardState;
  stats: ForwardStats;
}

/** Asks a person. The CLI asks on the TTY; the app shows a dialog. */
/** Asks a person. `asker`, when known: the saved host whose login asks and the forwards waiting on it. */
export interface Prompter {
  hostKey(q: HostKeyQuestion, asker?: Asker): Promise<HostKeyAnswer>;
  /** Resolves null when the person cancels. */
  secret(q: SecretQuestion, asker?: Asker): Promise<string | null>;
}

export interface EngineEvents {
  state: [id: string, state: ForwardState];
  log: [entry: LogEntry];
  listening: [id: string, bound: BoundAddress];
}
