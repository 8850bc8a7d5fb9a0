// The event fan-out: engine, prompt broker and profile changes become the
// contract's events, delivered to every subscribed transport (Electron windows,
// WebSocket clients, tests). Stats go out once per interval, and not at all
// while no window is visible.
import type { EventName, Events } from '../../shared/contract';
import type { ProfileRepository } from '../profiles/repository';
import type { TunnelEngine } from '../tunnels/engine';
import type { PromptBroker } from './prompt-broker';

export type EventSink = <E extends EventName>(event: E, payload: Events[E]) => void;

export class EventHub {
  private sinks = new Set<EventSink>();

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const sink of [...this.sinks]) {
      try {
        sink(event, payload);
      } catch {
        /* one broken transport must not stop the others */
      }
    }
  }

  get size(): number {
    return this.sinks.size;
  }
}

export function wireEvents(hub: EventHub, sources: { engine: TunnelEngine; broker: PromptBroker; repo: ProfileRepository }): () => void {
  const { engine, broker, repo } = sources;
  const onState = (name: string, state: Events['state']['state']) => hub.emit('state', { name, state });
  const onLog = (entry: Events['log']) => hub.emit('log', entry);
  const onPrompt = (p: Events['prompt']) => hub.emit('prompt', p);
  const onClosed = (c: Events['prompt.closed']) => hub.emit('prompt.closed', c);
  engine.on('state', onState);
  engine.on('log', onLog);
  broker.on('prompt', onPrompt);
  broker.on('closed', onClosed);
  const offRepo = repo.subscribe((change) => hub.emit('profiles', { source: change.source }));
  return () => {
    engine.off('state', onState);
    engine.off('log', onLog);
    broker.off('prompt', onPrompt);
    broker.off('closed', onClosed);
    offRepo();
  };
}

/** Sends one stats snapshot for all forwards every intervalMs while isVisible() says a window is visible. */
export function startStatsTicker(hub: EventHub, engine: TunnelEngine, isVisible: () => boolean, intervalMs = 1000): () => void {
  const t = setInterval(() => {
    if (!isVisible()) return;
    hub.emit('stats', { time: Date.now(), stats: engine.stats() });
  }, intervalMs);
  t.unref?.();
  return () => clearInterval(t);
}
