/**
 * How the validators of endpoint sets and change records report a problem: by the path of the
 * member under its item (`[3].ips[0]`), the value received and why, so that every problem of a
 * document is reported at once.
 */
import { describeValue, type Issue } from './errors.js';

/** Collects the issues of one item; `setId` is attached once the item's set id is known valid. */
export class MemberIssues {
  setId: number | undefined;
  constructor(
    private readonly all: Issue[],
    private readonly prefix: string,
  ) {}

  /** `member` is a path below the item; '' is the item itself. */
  add(member: string, value: unknown, reason: string): void {
    const path = member === '' ? this.prefix : `${this.prefix}.${member}`;
    const issue: Issue = { path, value: describeValue(value), reason };
    this.all.push(this.setId === undefined ? issue : { ...issue, setId: this.setId });
  }
}

/** The JSON kind of a received value, as a reason names it: "null", "an array", "a string"… */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
