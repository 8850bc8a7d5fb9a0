// Collects the benchmark's rows and prints them as aligned tables.
import { fmtRatio } from './stats';

/** A progress line on stderr while the benchmark runs (the report goes to stdout). */
export const progress = (msg: string) => process.stderr.write(`  .. ${msg}\n`);

export interface Row {
  metric: string;
  burrow: string;
  openssh: string;
  /** Burrow / OpenSSH, NaN when it makes no sense. */
  ratio: number;
  target?: string;
  /** undefined: no target for this row. */
  pass?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
  notes: string[];
}

export class Report {
  readonly sections: Section[] = [];

  section(title: string): Section {
    const s: Section = { title, rows: [], notes: [] };
    this.sections.push(s);
    return s;
  }

  render(): string {
    const out: string[] = [];
    for (const s of this.sections) {
      out.push('', `## ${s.title}`, '');
      if (s.rows.length > 0) {
        const head = ['metric', 'Burrow', 'OpenSSH', 'Burrow/OpenSSH', 'target', ''];
        const cells = s.rows.map((r) => [
          r.metric,
          r.burrow,
          r.openssh,
          fmtRatio(r.ratio),
          r.target ?? '',
          r.pass === undefined ? '' : r.pass ? 'MET' : 'NOT MET',
        ]);
        const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
        const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
        out.push(line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line));
      }
      for (const n of s.notes) out.push(`  ${n}`);
    }
    return out.join('\n');
  }

  /** Every row with a target, and whether it was met. */
  targets(): Array<{ section: string; row: Row }> {
    return this.sections.flatMap((s) => s.rows.filter((r) => r.pass !== undefined).map((row) => ({ section: s.title, row })));
  }
}
