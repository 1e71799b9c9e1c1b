/** "26 Jan 2027": the one way dates appear in messages to users (alerts, refresh results, e-mails). */
export function formatDay(d: Date): string {
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
