// Quitting: ask first when forwards are running, then stop every forward cleanly
// (bounded in time), then let the app exit. Electron's before-quit handler calls
// request(); a second request while one is in progress is the same request.
export interface QuitDeps {
  /** How many forwards hold a port or are connecting. */
  runningCount(): number;
  /** Asks the person; true = quit. Not called when nothing is running. */
  confirm(running: number): Promise<boolean>;
  /** Stops every forward and closes every session. */
  shutdown(): Promise<void>;
  /** Really exits (app.quit / app.exit after the flow allowed it). */
  exit(): void;
  /** Gives up waiting for a clean stop after this long (ms). */
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface QuitFlow {
  /** Resolves true when the app is exiting, false when the person said no. */
  request(): Promise<boolean>;
  /** True once shutdown finished and exit() was called: before-quit must then let it through. */
  readonly allowed: boolean;
  readonly inProgress: boolean;
}

export function createQuitFlow(deps: QuitDeps): QuitFlow {
  let pending: Promise<boolean> | undefined;
  let allowed = false;
  const run = async (): Promise<boolean> => {
    const running = deps.runningCount();
    if (running > 0 && !(await deps.confirm(running))) return false;
    const timeoutMs = deps.timeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([
      deps.shutdown().then(
        () => 'done' as const,
        (err: Error) => err,
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (result === 'timeout') deps.log?.(`Stopping forwards took longer than ${timeoutMs} ms; quitting anyway.`);
    else if (result instanceof Error) deps.log?.(`Stopping forwards failed: ${result.message}; quitting anyway.`);
    else deps.log?.('Every forward stopped; quitting.');
    allowed = true;
    deps.exit();
    return true;
  };
  return {
    request() {
      if (allowed) return Promise.resolve(true);
      pending ??= run().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    get allowed() {
      return allowed;
    },
    get inProgress() {
      return pending !== undefined;
    },
  };
}
