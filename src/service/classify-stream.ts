/** Feeding a log to the Classifier (classify.ts) from lines or from a byte stream. */
import { Classifier, type ClassifierOptions, type ClassifyReport } from './classify.js';

/** Classify every line of an async source (a file or stdin read line by line). */
export async function classifyLines(
  lines: AsyncIterable<string>,
  options: ClassifierOptions,
  onLine?: () => void,
): Promise<ClassifyReport> {
  const classifier = new Classifier(options);
  for await (const line of lines) {
    classifier.add(line);
    onLine?.();
  }
  return classifier.report();
}

/**
 * Classify a byte stream (a file or stdin) line by line. Splits chunks itself, which costs about a
 * third of `readline` on a million-line log; `onProgress` gets the bytes consumed so far.
 */
export async function classifyStream(
  input: AsyncIterable<Buffer | string>,
  options: ClassifierOptions,
  onProgress?: (bytes: number, lines: number) => void,
): Promise<ClassifyReport> {
  const classifier = new Classifier(options);
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let bytes = 0;
  let lines = 0;
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline !== -1 && rest !== '') {
      classifier.add(trimCr(rest + text.slice(0, newline)));
      lines += 1;
      rest = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline !== -1) {
      classifier.add(trimCr(text.slice(start, newline)));
      lines += 1;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    rest += text.slice(start);
    onProgress?.(bytes, lines);
  }
  rest += decoder.decode();
  if (rest !== '') classifier.add(trimCr(rest));
  return classifier.report();
}

function trimCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
