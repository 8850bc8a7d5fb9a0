// Whether a local port is free, asked of the main process a moment after the
// person stops typing (and never for a port the forward already holds).
import { useEffect, useState } from 'react';
import { call } from '../api';

export function usePortCheck(port: number | undefined, bindAddress: string, skip: boolean) {
  const [result, setResult] = useState<{ port: number; free: boolean; suggestion?: number } | null>(null);
  useEffect(() => {
    setResult(null);
    if (skip || port === undefined || port < 1 || port > 65535) return;
    let live = true;
    const t = setTimeout(() => {
      call('port.check', { port, bindAddress: bindAddress.trim() || undefined })
        .then((r) => live && setResult(r))
        .catch(() => undefined);
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [port, bindAddress, skip]);
  return result;
}
