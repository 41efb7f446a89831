/**
 * The publish plan as JSON, the one view shared by `ipurl publish --json` (full: with `unchanged`
 * and every change record) and the admin publish routes (summary: the figures without the
 * records, which the response does not repeat).
 */
import type { ChangeCounts } from '../core/change-counts.js';
import type { PlanView } from './plan-text.js';

/** What the JSON view needs of a plan (service/publish.ts PublishPlan has these members). */
export interface PlanJsonView extends PlanView {
  readonly counts: ChangeCounts;
  readonly relaxedRules: readonly string[];
}

export function planJson(
  plan: PlanJsonView,
  detail: 'full' | 'summary' = 'full',
): Record<string, unknown> {
  const full = detail === 'full';
  return {
    instance: plan.instance,
    newInstance: plan.newInstance,
    previousVersion: plan.previousVersion,
    version: plan.version,
    effectiveDate: plan.effectiveDate,
    ...(full ? { unchanged: plan.unchanged } : {}),
    setCount: plan.setCount,
    previousSetCount: plan.previousSetCount,
    counts: plan.counts,
    relaxedRules: plan.relaxedRules,
    ...(full ? { changes: plan.changes } : {}),
  };
}
