// Types of build-cli.mjs, for the TypeScript that imports it (tests, benchmark).
import type { Metafile } from 'esbuild';
export const CLI_OUT: string;
export function buildCli(opts?: { quiet?: boolean; write?: boolean; warm?: boolean }): Promise<{ metafile: Metafile }>;
