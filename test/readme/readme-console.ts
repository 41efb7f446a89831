/**
 * README.md's ```console blocks as data: each `$ command` (with `\` continuation lines) and the
 * output shown under it, and the matcher that compares a real run with the shown output.
 *
 * Shown output conventions (README authors: keep to these, the README test enforces them):
 * - a line that is only `…` stands for any number of lines (zero included);
 * - `…` inside a line stands for any text on that line;
 * - volatile values are masked on both sides before comparing: ISO timestamps, "N s ago",
 *   version ids and dates from 2026 on (made by a publish today), GUIDs, temp paths, ports.
 */

export interface ConsoleCommand {
  /** 1-based line of the `$` in README.md. */
  readonly line: number;
  /** The command as typed (continuations joined with their backslash-newlines). */
  readonly command: string;
  /** The shown output lines (trailing blank lines dropped). */
  readonly expected: readonly string[];
  /** Where the output lines sit in README.md: [first, end) 0-based line indexes. */
  readonly outputRange: readonly [number, number];
}

export function parseConsoleBlocks(markdown: string): ConsoleCommand[] {
  const lines = markdown.split('\n');
  const commands: ConsoleCommand[] = [];
  let inBlock = false;
  let current: { line: number; command: string; start: number; output: string[] } | undefined;
  const finish = (end: number): void => {
    if (current === undefined) return;
    const output = [...current.output];
    while (output.length > 0 && output.at(-1)!.trim() === '') output.pop();
    commands.push({
      line: current.line,
      command: current.command,
      expected: output,
      outputRange: [current.start, current.start + output.length],
    });
    void end;
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (!inBlock) {
      if (/^```console\s*$/.test(text)) inBlock = true;
      continue;
    }
    if (/^```\s*$/.test(text)) {
      finish(i);
      inBlock = false;
      continue;
    }
    if (text.startsWith('$ ')) {
      finish(i);
      let command = text.slice(2);
      const line = i + 1;
      while (command.endsWith('\\') && i + 1 < lines.length) {
        i += 1;
        command += `\n${lines[i]!}`;
      }
      current = { line, command, start: i + 1, output: [] };
      continue;
    }
    current?.output.push(text);
  }
  return commands;
}

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Mask what differs from run to run; applied to shown and real output alike. */
export function maskVolatile(line: string): string {
  return line
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b/g, '<TIME>')
    .replace(/\b\d+ (s|min|h|days) ago\b/g, '<AGO>')
    .replace(GUID, '<GUID>')
    .replace(/\b20(2[6-9]|[3-9]\d)(0[1-9]|1[0-2])([0-2]\d|3[01])(\d\d)?\b/g, '<DATE>');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function linePattern(expected: string): RegExp {
  const masked = maskVolatile(expected).trimEnd();
  return new RegExp(`^${masked.split('…').map(escapeRegex).join('.*')}$`);
}

/**
 * Does the real output match the shown lines? Returns undefined when it does, else the first
 * shown line that could not be matched (0-based) for the failure message.
 */
export function matchOutput(
  expected: readonly string[],
  actual: readonly string[],
): number | undefined {
  const patterns = expected.map((e) => (e.trim() === '…' ? null : linePattern(e)));
  const real = actual.map((a) => maskVolatile(a).trimEnd());
  while (real.length > 0 && real.at(-1) === '') real.pop();
  let deepest = 0;
  const memo = new Set<string>();
  const walk = (e: number, a: number): boolean => {
    const key = `${e}:${a}`;
    if (memo.has(key)) return false;
    deepest = Math.max(deepest, e);
    if (e === patterns.length) return a === real.length;
    const pattern = patterns[e];
    let ok: boolean;
    if (pattern === null) {
      ok = walk(e + 1, a) || (a < real.length && walk(e, a + 1));
    } else {
      ok = a < real.length && pattern!.test(real[a]!) && walk(e + 1, a + 1);
    }
    if (!ok) memo.add(key);
    return ok;
  };
  return walk(0, 0) ? undefined : deepest;
}
