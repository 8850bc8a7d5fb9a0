import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type os from 'node:os';
import { networkSignature, pollingNetworkWatcher, wireReconnectTriggers, type PowerEvents } from '../../../electron/desktop/reconnect-triggers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iface = (address: string, internal = false) =>
  ({ address, internal, family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null }) as os.NetworkInterfaceInfo;

describe('reconnect on resume and network change', () => {
  it('calls reconnectAll once for a burst of resume/unlock events, and stops listening when disposed', async () => {
    const power = new EventEmitter() as EventEmitter & PowerEvents;
    let calls = 0;
    const logs: string[] = [];
    const dispose = wireReconnectTriggers({ power, reconnectAll: () => calls++, debounceMs: 30, log: (m) => logs.push(m) });
    power.emit('resume');
    power.emit('unlock-screen');
    await sleep(80);
    expect(calls).toBe(1);
    expect(logs[0]).toBe('Reconnecting every session (resumed from sleep, screen unlocked).');
    power.emit('resume');
    await sleep(80);
    expect(calls).toBe(2);
    dispose();
    power.emit('resume');
    await sleep(80);
    expect(calls).toBe(2);
    expect(power.listenerCount('resume')).toBe(0);
  });

  it('reconnects when the network comes back, not when it goes away', async () => {
    let addrs: NodeJS.Dict<os.NetworkInterfaceInfo[]> = { lo: [iface('127.0.0.1', true)], eth0: [iface('192.0.2.10')] };
    const network = pollingNetworkWatcher({ intervalMs: 10, read: () => addrs });
    let calls = 0;
    const logs: string[] = [];
    const dispose = wireReconnectTriggers({ network, reconnectAll: () => calls++, debounceMs: 10, log: (m) => logs.push(m) });
    await sleep(50);
    expect(calls).toBe(0);
    addrs = { lo: [iface('127.0.0.1', true)] };
    await sleep(60);
    expect(calls).toBe(0);
    expect(logs).toContain('The network went away; tunnels reconnect when it is back.');
    addrs = { lo: [iface('127.0.0.1', true)], wlan0: [iface('198.51.100.7')] };
    await sleep(60);
    expect(calls).toBe(1);
    dispose();
  });

  it('the network signature ignores loopback and order', () => {
    expect(networkSignature(() => ({ lo: [iface('127.0.0.1', true)], b: [iface('2')], a: [iface('1')] }))).toBe('a/1,b/2');
    expect(networkSignature(() => ({ lo: [iface('127.0.0.1', true)] }))).toBe('');
  });
});
