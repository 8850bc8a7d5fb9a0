// Types of build-cli.mjs, for the TypeScript that imports it (tests, benchmark).
import type { BuildResult } from 'esbuild';
export const CLI_OUT: string;
export function buildCli(opts?: { quiet?: boolean; write?: boolean }): Promise<BuildResult<{ metafile: true }>>;
