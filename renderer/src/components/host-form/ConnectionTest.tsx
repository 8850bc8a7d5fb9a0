// "Test connection": logs in with the host as the form has it (and the secret
// typed), and says how long it took or why it failed.
import { useState } from 'react';
import type { HostTestResult } from '../../../../shared/contract';
import type { HostInput } from '../../../../shared/model';
import { call, errorMessage } from '../../api';

export function useConnectionTest() {
  const [test, setTest] = useState<HostTestResult | 'running' | null>(null);
  const run = async (host: HostInput, secret: string) => {
    setTest('running');
    try {
      setTest(await call('host.test', { host, secret: secret || undefined }));
    } catch (e) {
      setTest({ ok: false, error: { code: 'INTERNAL', message: errorMessage(e) } });
    }
  };
  return { test, run };
}

export function ConnectionTestResult({ test }: { test: ReturnType<typeof useConnectionTest>['test'] }) {
  return (
    <div className="test-result" role="status" aria-live="polite">
      {test === 'running' && <span className="muted">Connecting…</span>}
      {test &&
        test !== 'running' &&
        (test.ok ? (
          <span className="ok">Connected in {test.elapsedMs} ms.</span>
        ) : (
          <span className="error-text">Connection failed: {test.error?.message}</span>
        ))}
    </div>
  );
}
