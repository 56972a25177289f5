// Live progress of a sync on a terminal: one bar per resource, redrawn in place. (Into a log,
// start-sync prints plain lines instead.)
import type { ResourceProgress } from '../domain/types';

const BAR = 20;

/** One line per resource: a bar of the parts read (windows, years), pages and rows so far. */
export function progressLines(names: string[], states: Map<string, ResourceProgress>): string[] {
  const width = Math.max(...names.map((n) => n.length));
  return names.map((name) => {
    const p = states.get(name);
    if (!p) return `${name.padEnd(width)} [${' '.repeat(BAR)}] waiting`;
    const filled = p.parts > 0 ? Math.round((BAR * p.partsDone) / p.parts) : 0;
    const bar = '#'.repeat(filled) + '.'.repeat(BAR - filled);
    return `${name.padEnd(width)} [${bar}] ${p.partsDone}/${p.parts} parts, ${p.pages} pages, ${p.rows} written, ${p.unchanged} unchanged`;
  });
}

/** Redraws the lines in place: up to where they began, then each line cleared and written again. */
export class TerminalBars {
  private drawn = 0;
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly names: string[],
  ) {}

  update(states: Map<string, ResourceProgress>): void {
    const lines = progressLines(this.names, states);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }
}
