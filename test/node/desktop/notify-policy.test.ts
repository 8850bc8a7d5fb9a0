import { describe, expect, it } from 'vitest';
import { NotifyPolicy, classify, type Clock, type DesktopNotification } from '../../../electron/desktop/notify-policy';
import type { ForwardState } from '../../../electron/tunnels/types';

function fakeClock() {
  let t = 1_000_000;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.push({ at: t + ms, fn, id });
      return id;
    },
    clearTimeout: (h) => {
      const i = timers.findIndex((x) => x.id === h);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    t += ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const due = timers[0];
      if (!due || due.at > t) break;
      timers.shift();
      due.fn();
    }
  };
  return { clock, advance, pending: () => timers.length };
}

const S = (state: ForwardState['state'], msg?: string): ForwardState => {
  const reason = { code: 'SSH_DISCONNECTED' as const, message: msg ?? 'The connection was lost.' };
  if (state === 'active') return { state, bound: { host: '127.0.0.1', port: 1100 }, destination: { status: 'untried' } };
  if (state === 'failed') return { state, reason };
  if (state === 'reconnecting') return msg ? { state, reason } : { state };
  return { state };
};

describe('notification policy', () => {
  it('classifies fail, drop and recover; nothing else', () => {
    expect(classify('active', S('reconnecting'))).toBe('dropped');
    expect(classify('reconnecting', S('active'))).toBe('recovered');
    expect(classify('connecting', S('failed'))).toBe('failed');
    expect(classify('reconnecting', S('failed'))).toBe('failed');
    expect(classify('stopped', S('connecting'))).toBeUndefined();
    expect(classify('connecting', S('active'))).toBeUndefined();
    expect(classify('active', S('stopped'))).toBeUndefined();
  });

  it('tells a drop and a recovery with the name and reason', () => {
    const sent: DesktopNotification[] = [];
    const { clock } = fakeClock();
    const p = new NotifyPolicy({ clock, perForwardMs: 0, send: (n) => sent.push(n), nameOf: (id) => `Mail (${id})` });
    p.onState('f1', S('connecting'));
    p.onState('f1', S('active'));
    p.onState('f1', S('reconnecting', 'Connection reset.'));
    p.onState('f1', S('active'));
    expect(sent.map((n) => [n.kind, n.title])).toEqual([
      ['dropped', 'Mail (f1) dropped'],
      ['recovered', 'Mail (f1) is back'],
    ]);
    expect(sent[0].body).toContain('Connection reset.');
  });

  it('a flapping link gives one notification per window and a summary of the final state', () => {
    const sent: DesktopNotification[] = [];
    const { clock, advance, pending } = fakeClock();
    const p = new NotifyPolicy({ clock, perForwardMs: 60_000, send: (n) => sent.push(n) });
    p.onState('f', S('active'));
    for (let i = 0; i < 20; i++) {
      p.onState('f', S('reconnecting'));
      advance(1000);
      p.onState('f', S('active'));
      advance(1000);
    }
    p.onState('f', S('reconnecting'));
    expect(sent).toHaveLength(1);
    expect(sent[0].kind).toBe('dropped');
    advance(60_000);
    // It ended down, and the person was last told "down": no new notification... until it differs.
    expect(sent).toHaveLength(1);
    expect(pending()).toBe(0);
    p.onState('f', S('active'));
    expect(sent.map((n) => n.kind)).toEqual(['dropped', 'recovered']);
  });

  it('summarises suppressed flaps when the state at the window end differs', () => {
    const sent: DesktopNotification[] = [];
    const { clock, advance } = fakeClock();
    const p = new NotifyPolicy({ clock, perForwardMs: 30_000, send: (n) => sent.push(n) });
    p.onState('f', S('active'));
    p.onState('f', S('reconnecting'));
    p.onState('f', S('active'));
    p.onState('f', S('reconnecting'));
    p.onState('f', S('active'));
    expect(sent).toHaveLength(1);
    advance(30_000);
    expect(sent).toHaveLength(2);
    expect(sent[1].kind).toBe('recovered');
    expect(sent[1].body).toMatch(/changed state \d+ times/);
  });

  it('a changed host key is a warning, not a routine failure', () => {
    const sent: DesktopNotification[] = [];
    const { clock } = fakeClock();
    const p = new NotifyPolicy({ clock, nameOf: (id) => `db (${id})`, send: (n) => sent.push(n) });
    p.onState('f', S('connecting'));
    p.onState('f', { state: 'failed', reason: { code: 'HOSTKEY_CHANGED', message: 'The host key for db.example.com has changed ...' } });
    expect(sent).toEqual([
      {
        forwardId: 'f',
        kind: 'failed',
        title: "Warning: db (f) refused, the server's host key has changed",
        body: 'This could be an attack (someone between you and the server), or the server was reinstalled. Nothing was sent. Open Burrow to see the keys and what to do.',
      },
    ]);
  });

  it('caps notifications across forwards when many drop at once', () => {
    const sent: DesktopNotification[] = [];
    const { clock } = fakeClock();
    const p = new NotifyPolicy({ clock, globalLimit: 3, globalWindowMs: 10_000, send: (n) => sent.push(n) });
    for (let i = 0; i < 10; i++) {
      p.onState(`f${i}`, S('active'));
      p.onState(`f${i}`, S('reconnecting'));
    }
    expect(sent).toHaveLength(3);
  });

  it('is silent when disabled, and a stop on purpose cancels pending summaries', () => {
    const sent: DesktopNotification[] = [];
    const { clock, advance, pending } = fakeClock();
    let on = false;
    const p = new NotifyPolicy({ clock, enabled: () => on, send: (n) => sent.push(n) });
    p.onState('f', S('active'));
    p.onState('f', S('failed'));
    expect(sent).toHaveLength(0);
    on = true;
    p.onState('g', S('active'));
    p.onState('g', S('reconnecting'));
    p.onState('g', S('active'));
    expect(pending()).toBe(1);
    p.onState('g', S('stopped'));
    expect(pending()).toBe(0);
    advance(120_000);
    expect(sent.map((n) => n.kind)).toEqual(['dropped']);
  });
});
