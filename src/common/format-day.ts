/** Built once: constructing an Intl formatter per call (toLocaleDateString with options) costs ~1 ms. */
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "26 Jan 2027": the one way dates appear in messages to users (alerts, refresh results, e-mails). */
export function formatDay(d: Date): string {
  return DAY_FORMAT.format(d);
}
