// The cron parser and next-activation walk against robfig/cron v3's spec_test.go cases (the
// six-field ones with a zero seconds field, written here as five fields), parse errors as
// robfig words them, and time zones through Intl.
import { describe, expect, it } from 'vitest';
import { ConstantDelaySchedule, parseGoDuration, parseStandard } from '../../src/controllers/cronjob/cron.js';
import { Zone } from '../../src/controllers/cronjob/zone.js';

const NY = 'America/New_York';

/** "Mon Jul 9 14:45 2012" (UTC) or "2012-03-11T00:00:00-0500". */
function t(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-]\d\d)(\d\d)$/.exec(s);
  if (m) return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}:${m[8]}`);
  const ms = Date.parse(`${s} UTC`);
  if (Number.isNaN(ms)) throw new Error(`bad time ${s}`);
  return ms;
}

describe('SpecSchedule.next (robfig TestNext)', () => {
  const cases: Array<[string, string, string]> = [
    ['Mon Jul 9 14:45 2012', '0/15 * * * *', 'Mon Jul 9 15:00 2012'],
    ['Mon Jul 9 14:59 2012', '0/15 * * * *', 'Mon Jul 9 15:00 2012'],
    ['Mon Jul 9 14:59:59 2012', '0/15 * * * *', 'Mon Jul 9 15:00 2012'],
    ['Mon Jul 9 15:45 2012', '20-35/15 * * * *', 'Mon Jul 9 16:20 2012'],
    ['Mon Jul 9 23:46 2012', '*/15 * * * *', 'Tue Jul 10 00:00 2012'],
    ['Mon Jul 9 23:45 2012', '20-35/15 * * * *', 'Tue Jul 10 00:20 2012'],
    ['Mon Jul 9 23:35 2012', '0 0 9 Apr-Oct ?', 'Thu Aug 9 00:00 2012'],
    ['Mon Jul 9 23:35 2012', '0 0 */5 Apr,Aug,Oct Mon', 'Tue Aug 1 00:00 2012'],
    ['Mon Jul 9 23:35 2012', '0 0 */5 Oct Mon', 'Mon Oct 1 00:00 2012'],
    ['Mon Jul 9 23:35 2012', '0 0 * Feb Mon', 'Mon Feb 4 00:00 2013'],
    ['Mon Jul 9 23:35 2012', '0 0 * Feb Mon/2', 'Fri Feb 1 00:00 2013'],
    ['Mon Dec 31 23:59:45 2012', '* * * * *', 'Tue Jan 1 00:00:00 2013'],
    ['Mon Jul 9 23:35 2012', '0 0 29 Feb ?', 'Mon Feb 29 00:00 2016'],
    // Daylight saving time 2am EST (-5) -> 3am EDT (-4)
    ['2012-03-11T00:00:00-0500', `TZ=${NY} 30 2 11 Mar ?`, '2013-03-11T02:30:00-0400'],
    ['2012-03-11T00:00:00-0500', `TZ=${NY} 0 * * * ?`, '2012-03-11T01:00:00-0500'],
    ['2012-03-11T01:00:00-0500', `TZ=${NY} 0 * * * ?`, '2012-03-11T03:00:00-0400'],
    ['2012-03-11T03:00:00-0400', `TZ=${NY} 0 * * * ?`, '2012-03-11T04:00:00-0400'],
    ['2012-03-11T04:00:00-0400', `TZ=${NY} 0 * * * ?`, '2012-03-11T05:00:00-0400'],
    ['2012-03-11T01:00:00-0500', `CRON_TZ=${NY} 0 * * * ?`, '2012-03-11T03:00:00-0400'],
    ['2012-03-11T00:00:00-0500', `TZ=${NY} 0 1 * * ?`, '2012-03-11T01:00:00-0500'],
    ['2012-03-11T01:00:00-0500', `TZ=${NY} 0 1 * * ?`, '2012-03-12T01:00:00-0400'],
    // 2am nightly job is skipped on the spring-forward day
    ['2012-03-11T00:00:00-0500', `TZ=${NY} 0 2 * * ?`, '2012-03-12T02:00:00-0400'],
    // 2am EDT (-4) => 1am EST (-5)
    ['2012-11-04T00:00:00-0400', `TZ=${NY} 30 2 04 Nov ?`, '2012-11-04T02:30:00-0500'],
    ['2012-11-04T01:45:00-0400', `TZ=${NY} 30 1 04 Nov ?`, '2012-11-04T01:30:00-0500'],
    ['2012-11-04T00:00:00-0400', `TZ=${NY} 0 * * * ?`, '2012-11-04T01:00:00-0400'],
    ['2012-11-04T01:00:00-0400', `TZ=${NY} 0 * * * ?`, '2012-11-04T01:00:00-0500'],
    ['2012-11-04T01:00:00-0500', `TZ=${NY} 0 * * * ?`, '2012-11-04T02:00:00-0500'],
    // 1am nightly job runs twice on the fall-back day
    ['2012-11-04T00:00:00-0400', `TZ=${NY} 0 1 * * ?`, '2012-11-04T01:00:00-0400'],
    ['2012-11-04T01:00:00-0400', `TZ=${NY} 0 1 * * ?`, '2012-11-04T01:00:00-0500'],
    ['2012-11-04T01:00:00-0500', `TZ=${NY} 0 1 * * ?`, '2012-11-05T01:00:00-0500'],
    ['2012-11-04T00:00:00-0400', `TZ=${NY} 0 2 * * ?`, '2012-11-04T02:00:00-0500'],
    ['2012-11-04T02:00:00-0500', `TZ=${NY} 0 2 * * ?`, '2012-11-05T02:00:00-0500'],
    ['2012-11-04T00:00:00-0400', `TZ=${NY} 0 3 * * ?`, '2012-11-04T03:00:00-0500'],
    ['2012-11-04T03:00:00-0500', `TZ=${NY} 0 3 * * ?`, '2012-11-05T03:00:00-0500'],
    ['2012-11-04T00:00:00-0400', `TZ=${NY} 0 3 3 * ?`, '2012-12-03T03:00:00-0500'],
    // Midnight does not exist on a Sao Paulo DST day (robfig/cron#157)
    ['2018-10-17T05:00:00-0400', 'TZ=America/Sao_Paulo 0 9 10 * ?', '2018-11-10T06:00:00-0500'],
    ['2018-02-14T05:00:00-0500', 'TZ=America/Sao_Paulo 0 9 22 * ?', '2018-02-22T07:00:00-0500'],
  ];
  it.each(cases)('after %s, %s -> %s', (from, spec, want) => {
    const s = parseStandard(spec, 'UTC');
    expect(new Date(s.next(t(from))!).toISOString()).toBe(new Date(t(want)).toISOString());
  });

  it.each([['0 0 30 Feb ?'], ['0 0 31 Apr ?'], ['59 23 31 2 *']])('unsatisfiable %s has no next time', (spec) => {
    expect(parseStandard(spec, 'UTC').next(t('Mon Jul 9 23:35 2012'))).toBeUndefined();
  });
});

describe('activation (robfig TestActivation)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['Mon Jul 9 15:00 2012', '0/15 * * * *', true],
    ['Mon Jul 9 15:45 2012', '0/15 * * * *', true],
    ['Mon Jul 9 15:40 2012', '0/15 * * * *', false],
    ['Mon Jul 9 15:05 2012', '5/15 * * * *', true],
    ['Mon Jul 9 15:50 2012', '5/15 * * * *', true],
    ['Sun Jul 15 15:00 2012', '0/15 * * Jul *', true],
    ['Sun Jul 15 15:00 2012', '0/15 * * Jun *', false],
    ['Sun Jul 15 08:30 2012', '30 08 ? Jul Sun', true],
    ['Sun Jul 15 08:30 2012', '30 08 15 Jul ?', true],
    ['Mon Jul 16 08:30 2012', '30 08 ? Jul Sun', false],
    ['Mon Jul 16 08:30 2012', '30 08 15 Jul ?', false],
    ['Mon Jul 9 15:00 2012', '@hourly', true],
    ['Mon Jul 9 15:04 2012', '@hourly', false],
    ['Mon Jul 9 15:00 2012', '@daily', false],
    ['Mon Jul 9 00:00 2012', '@daily', true],
    ['Mon Jul 9 00:00 2012', '@midnight', true],
    ['Mon Jul 9 00:00 2012', '@weekly', false],
    ['Sun Jul 8 00:00 2012', '@weekly', true],
    ['Sun Jul 8 01:00 2012', '@weekly', false],
    ['Sun Jul 8 00:00 2012', '@monthly', false],
    ['Sun Jul 1 00:00 2012', '@monthly', true],
    ['Tue Jan 1 00:00 2013', '@yearly', true],
    ['Tue Jan 1 00:00 2013', '@annually', true],
    ['Fri Feb 1 00:00 2013', '@yearly', false],
    // Day-of-month and day-of-week: either matches unless one is a star.
    ['Sun Jul 15 00:00 2012', '* * 1,15 * Sun', true],
    ['Fri Jun 15 00:00 2012', '* * 1,15 * Sun', true],
    ['Wed Aug 1 00:00 2012', '* * 1,15 * Sun', true],
    ['Sun Jul 15 00:00 2012', '* * * * Mon', false],
    ['Sun Jul 15 00:00 2012', '* * */10 * Sun', true], // a stepped star is no star (robfig#70)
    ['Mon Jul 9 00:00 2012', '* * 1,15 * *', false],
    ['Sun Jul 15 00:00 2012', '* * 1,15 * *', true],
    ['Sun Jul 15 00:00 2012', '* * */2 * Sun', true],
    ['Mon Jul 16 00:00 2012', '0 0 * JAN-DEC MON-FRI', true],
    ['Sat Jul 14 00:00 2012', '0 0 * * mon-fri', false],
  ];
  it.each(cases)('%s matches %s: %s', (at, spec, want) => {
    const s = parseStandard(spec, 'UTC');
    expect(s.next(t(at) - 1000) === t(at)).toBe(want);
  });
});

describe('parse errors (robfig messages)', () => {
  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * * FOO *', 'failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['TZ=Mars/Olympus * * * * *', 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus'],
  ])('%j -> %s', (spec, msg) => {
    expect(() => parseStandard(spec)).toThrow(msg);
  });
});

describe('@every and Go durations', () => {
  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5400_000);
    expect(parseGoDuration('1.5h')).toBe(5400_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(() => parseGoDuration('10')).toThrow('missing unit');
    expect(() => parseGoDuration('abc')).toThrow('invalid duration');
  });
  it('rounds the delay down to whole seconds, at least one', () => {
    expect(new ConstantDelaySchedule(1500).delayMs).toBe(1000);
    expect(new ConstantDelaySchedule(10).delayMs).toBe(1000);
    const s = parseStandard('@every 1h');
    expect(s.next(Date.UTC(2020, 0, 1, 0, 0, 0, 500))).toBe(Date.UTC(2020, 0, 1, 1));
  });
});

describe('Zone', () => {
  it('formats RFC 3339 with the zone offset as Go does', () => {
    const at = Date.UTC(2016, 4, 19, 10);
    expect(new Zone('UTC').rfc3339(at)).toBe('2016-05-19T10:00:00Z');
    expect(new Zone('Europe/Rome').rfc3339(at)).toBe('2016-05-19T12:00:00+02:00');
    expect(new Zone('America/New_York').rfc3339(at)).toBe('2016-05-19T06:00:00-04:00');
    expect(new Zone('Asia/Kolkata').rfc3339(at)).toBe('2016-05-19T15:30:00+05:30');
  });
  it('resolves a skipped wall time as Go time.Date does (offset in force before the gap)', () => {
    // 02:30 does not exist in New York on 2012-03-11; Go yields 01:30 EST (06:30Z).
    expect(new Date(new Zone(NY).date(2012, 3, 11, 2, 30, 0)).toISOString()).toBe('2012-03-11T06:30:00.000Z');
  });
  it('runs schedules in a zone given as a default (spec.timeZone)', () => {
    const s = parseStandard('0 9 * * *', 'Asia/Tokyo');
    expect(new Date(s.next(Date.UTC(2024, 0, 1, 0, 30))!).toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });
});
