/** Jest global setup for e2e: nothing shared is started here; each spec boots what it needs. */
export default function globalSetup(): void {
  process.env.ENVIRONMENT = process.env.ENVIRONMENT ?? 'test';
}
