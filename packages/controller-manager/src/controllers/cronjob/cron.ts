// Cron schedules as the CronJob controller reads them: robfig/cron v3's ParseStandard (five
// fields: minute hour day-of-month month day-of-week, names, ranges, lists, steps, "?" and
// descriptors, an optional TZ=/CRON_TZ= prefix) and SpecSchedule.Next, which walks the wall clock
// of the schedule's zone so daylight-saving gaps are skipped and repeated hours run twice.
import { isValidZone, Zone } from './zone.js';
import { parseDuration } from '@kube-ts/client';
/** Go's time.ParseDuration in ms (kept under its old name for callers). */
export { parseDuration as parseGoDuration } from '@kube-ts/client';

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (ms since epoch), or undefined if none within five years. */
  next(afterMs: number): number | undefined;
}

interface Bounds { min: number; max: number; names?: Record<string, number> }

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: MONTH_NAMES };
const DOW: Bounds = { min: 0, max: 6, names: DOW_NAMES };

/** A field's allowed values; `star` marks "*" or "?" (it changes how day-of-month and day-of-week combine). */
interface Field { bits: boolean[]; star: boolean }

function all(b: Bounds): Field { return { bits: range(b.min, b.max, 1), star: true }; }
function one(v: number): Field { const bits: boolean[] = []; bits[v] = true; return { bits, star: false }; }
function range(lo: number, hi: number, step: number): boolean[] {
  const bits: boolean[] = [];
  for (let i = lo; i <= hi; i += step) bits[i] = true;
  return bits;
}

function mustParseInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** getRange: one comma-separated part of a field ("*", "5", "1-5", "*\/10", "3/15", "mon-fri"). */
function getRange(expr: string, b: Bounds, into: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min; end = b.max; star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b.names);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) into.bits[i] = true;
  if (star) into.star = true;
}

function getField(field: string, b: Bounds): Field {
  const f: Field = { bits: [], star: false };
  for (const part of field.split(',')) getRange(part, b, f);
  return f;
}

export class SpecSchedule implements CronSchedule {
  readonly zone: Zone;
  constructor(
    readonly minute: Field, readonly hour: Field, readonly dom: Field, readonly month: Field, readonly dow: Field,
    zoneName: string,
  ) {
    this.zone = new Zone(zoneName);
  }

  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = !!this.dom.bits[day];
    const dowMatch = !!this.dow.bits[weekday];
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(afterMs: number): number | undefined {
    const z = this.zone;
    // Start at the upcoming second; the (implicit) seconds field is always 0.
    let t = Math.floor(afterMs / 1000) * 1000 + 1000;
    let added = false;
    let w = z.wall(t);
    const yearLimit = w.year + 5;
    wrap: for (;;) {
      w = z.wall(t);
      if (w.year > yearLimit) return undefined;
      while (!this.month.bits[w.month]) {
        if (!added) { added = true; t = z.date(w.year, w.month, 1, 0, 0, 0); w = z.wall(t); }
        t = z.date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = z.wall(t);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w.day, w.weekday)) {
        if (!added) { added = true; t = z.date(w.year, w.month, w.day, 0, 0, 0); w = z.wall(t); }
        t = z.date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = z.wall(t);
        // Midnight may not exist on a DST day: get back to it (robfig/cron#157).
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3600_000;
          w = z.wall(t);
        }
        if (w.day === 1) continue wrap;
      }
      while (!this.hour.bits[w.hour]) {
        if (!added) { added = true; t = z.date(w.year, w.month, w.day, w.hour, 0, 0); }
        t += 3600_000;
        w = z.wall(t);
        if (w.hour === 0) continue wrap;
      }
      while (!this.minute.bits[w.minute]) {
        if (!added) { added = true; t = Math.floor(t / 60_000) * 60_000; }
        t += 60_000;
        w = z.wall(t);
        if (w.minute === 0) continue wrap;
      }
      while (w.second !== 0) {
        if (!added) { added = true; t = Math.floor(t / 1000) * 1000; }
        t += 1000;
        w = z.wall(t);
        if (w.second === 0) continue wrap;
      }
      return t;
    }
  }
}

/** robfig's ConstantDelaySchedule (@every): whole seconds, at least one. */
export class ConstantDelaySchedule implements CronSchedule {
  readonly delayMs: number;
  constructor(durationMs: number) {
    const d = durationMs < 1000 ? 1000 : durationMs;
    this.delayMs = d - (d % 1000);
  }
  next(afterMs: number): number { return Math.floor(afterMs / 1000) * 1000 + this.delayMs; }
}


function parseDescriptor(d: string, zone: string): CronSchedule {
  const z = one(0);
  switch (d) {
    case '@yearly': case '@annually':
      return new SpecSchedule(z, one(0), one(1), one(1), all(DOW), zone);
    case '@monthly':
      return new SpecSchedule(z, one(0), one(1), all(MONTHS), all(DOW), zone);
    case '@weekly':
      return new SpecSchedule(z, one(0), all(DOM), all(MONTHS), one(0), zone);
    case '@daily': case '@midnight':
      return new SpecSchedule(z, one(0), all(DOM), all(MONTHS), all(DOW), zone);
    case '@hourly':
      return new SpecSchedule(z, all(HOURS), all(DOM), all(MONTHS), all(DOW), zone);
    default:
  }
  if (d.startsWith('@every ')) {
    let ms: number;
    try { ms = parseDuration(d.slice('@every '.length)); } catch (e) { throw new Error(`failed to parse duration ${d}: ${(e as Error).message}`); }
    return new ConstantDelaySchedule(ms);
  }
  throw new Error(`unrecognized descriptor: ${d}`);
}

/**
 * cron.ParseStandard. Without a TZ= prefix the schedule runs in `defaultZone` (Go's time.Local,
 * the controller's own zone). Throws robfig's error messages.
 */
export function parseStandard(spec: string, defaultZone = 'Local'): CronSchedule {
  if (spec.length === 0) throw new Error('empty spec string');
  let zone = defaultZone;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = spec.slice(eq + 1, i < 0 ? undefined : i);
    if (!isValidZone(name)) throw new Error(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = i < 0 ? '' : spec.slice(i).trim();
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, zone);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return new SpecSchedule(
    getField(fields[0]!, MINUTES), getField(fields[1]!, HOURS), getField(fields[2]!, DOM),
    getField(fields[3]!, MONTHS), getField(fields[4]!, DOW), zone,
  );
}
