// The engine's Prompter for the desktop app and the browser mode: each question
// becomes a 'prompt' event, and the answer arrives later as a 'prompt.answer'
// request. Unanswered questions time out (host key: reject; secret: cancel).
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { BurrowError } from '../../shared/errors';
import type { Events, PromptAnswer, PromptRequest } from '../../shared/contract';
import type { Asker, HostKeyAnswer, HostKeyQuestion, Prompter, SecretQuestion } from '../tunnels/types';

interface Pending {
  request: PromptRequest;
  resolve: (answer: PromptAnswer | null) => void;
  timer: NodeJS.Timeout;
}

export interface PromptBrokerEvents {
  prompt: [PromptRequest];
  closed: [Events['prompt.closed']];
}

export class PromptBroker extends EventEmitter<PromptBrokerEvents> implements Prompter {
  private pendingById = new Map<string, Pending>();
  private readonly timeoutMs: number;

  constructor(opts: { timeoutMs?: number } = {}) {
    super();
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  }

  hostKey(question: HostKeyQuestion, asker?: Asker): Promise<HostKeyAnswer> {
    return this.ask({ type: 'hostKey', question, ...(asker && { asker }) }).then((a) => (a?.type === 'hostKey' ? a.decision : 'reject'));
  }

  secret(question: SecretQuestion, asker?: Asker): Promise<string | null> {
    return this.ask({ type: 'secret', question, ...(asker && { asker }) }).then((a) => (a?.type === 'secret' ? a.value : null));
  }

  private ask(
    q: { type: 'hostKey'; question: HostKeyQuestion; asker?: Asker } | { type: 'secret'; question: SecretQuestion; asker?: Asker },
  ): Promise<PromptAnswer | null> {
    const id = randomUUID();
    const createdAt = Date.now();
    const request = { id, createdAt, expiresAt: createdAt + this.timeoutMs, ...q } as PromptRequest;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.close(id, null, 'timeout'), this.timeoutMs);
      timer.unref?.();
      this.pendingById.set(id, { request, resolve, timer });
      this.emit('prompt', structuredClone(request));
    });
  }

  /** The person's answer; validated against the kind of question asked. */
  answer(id: string, answer: PromptAnswer): { accepted: boolean } {
    const p = this.pendingById.get(id);
    if (!p) throw new BurrowError('NOT_FOUND', 'This question was already answered, cancelled or has expired.');
    if (p.request.type !== answer.type) {
      throw new BurrowError(
        'VALIDATION',
        `This question asks for a ${p.request.type === 'hostKey' ? 'host key decision' : 'secret'}, not a ${answer.type === 'hostKey' ? 'host key decision' : 'secret'}.`,
      );
    }
    this.close(id, answer, 'answered');
    return { accepted: true };
  }

  pending(): PromptRequest[] {
    return [...this.pendingById.values()].map((p) => structuredClone(p.request));
  }

  /** Cancels every open question (quit, shutdown). */
  cancelAll(): void {
    for (const id of [...this.pendingById.keys()]) this.close(id, null, 'cancelled');
  }

  private close(id: string, answer: PromptAnswer | null, reason: Events['prompt.closed']['reason']) {
    const p = this.pendingById.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pendingById.delete(id);
    p.resolve(answer);
    this.emit('closed', { id, reason });
  }
}
