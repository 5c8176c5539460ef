// setConditionInList (horizontal.go): conditions keep their place; lastTransitionTime moves only
// when the status changes.
import type { HorizontalPodAutoscaler, HPACondition } from './types.js';

export function setHPACondition(hpa: HorizontalPodAutoscaler, type: HPACondition['type'], status: HPACondition['status'], reason: string, message: string, now: string): void {
  hpa.status ??= {};
  const list = (hpa.status.conditions ??= []);
  let c = list.find((x) => x.type === type);
  if (!c) { c = { type, status }; list.push(c); c.lastTransitionTime = now; }
  else if (c.status !== status) c.lastTransitionTime = now;
  c.status = status;
  c.reason = reason;
  c.message = message;
}
