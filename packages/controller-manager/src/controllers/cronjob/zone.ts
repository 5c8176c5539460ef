// Wall-clock arithmetic in an IANA time zone, the way Go's time package does it (robfig/cron
// walks schedules with time.Date, AddDate and Add in the schedule's location), built on the ICU
// data Node carries through Intl.

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

/** The zone the process runs in (Go's time.Local). */
export function localZoneName(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `name` loads as a location (time.LoadLocation); "" and "UTC" are UTC, "Local" the process zone. */
export function isValidZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export class Zone {
  readonly name: string;
  private readonly fmt: Intl.DateTimeFormat | undefined;

  constructor(name: string) {
    const n = name === '' ? 'UTC' : name === 'Local' ? localZoneName() : name;
    this.name = n;
    this.fmt = n === 'UTC' || n === 'Etc/UTC' ? undefined : new Intl.DateTimeFormat('en-US', {
      timeZone: n, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
  }

  /** Milliseconds to add to an instant to get its wall clock read as UTC. */
  offsetMs(instant: number): number {
    if (!this.fmt) return 0;
    const sec = Math.floor(instant / 1000) * 1000;
    const p: Record<string, string> = {};
    for (const part of this.fmt.formatToParts(new Date(sec))) p[part.type] = part.value;
    let year = Number(p.year);
    if (p.era === 'BC' || p.era === 'B') year = 1 - year;
    const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return wall - sec;
  }

  /** The wall clock of `instant` in this zone. */
  wall(instant: number): WallTime {
    const d = new Date(instant + this.offsetMs(instant));
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay(),
    };
  }

  /**
   * time.Date(year, month, day, hour, min, sec, 0, loc): out-of-range values normalize (Jan 32 is
   * Feb 1); a wall time that a transition skips or repeats resolves as Go resolves it, by the
   * offset in force at (wall - offset at wall).
   */
  date(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, 0);
    const wall = d.getTime();
    if (!this.fmt) return wall;
    return wall - this.offsetMs(wall - this.offsetMs(wall));
  }

  /** RFC 3339 with this zone's offset (Go's Format(time.RFC3339)): "2016-05-19T12:00:00+02:00" or "...Z". */
  rfc3339(instant: number): string {
    const off = this.offsetMs(instant);
    const d = new Date(Math.floor(instant / 1000) * 1000 + off);
    const base = d.toISOString().replace(/\.\d+Z$/, '');
    if (off === 0) return `${base}Z`;
    const m = Math.abs(off) / 60000;
    const pad = (n: number): string => String(Math.floor(n)).padStart(2, '0');
    return `${base}${off < 0 ? '-' : '+'}${pad(m / 60)}:${pad(m % 60)}`;
  }
}
