/**
 * `npm run bench`: every speed and memory target of the issues, measured and printed as tables.
 * BENCH_ONLY=api,connect,lifecycle,reels,integrations (a comma list) runs only those parts.
 */
import { benchApi } from './api';
import { benchConnect } from './connect';
import { benchIntegrations } from './integrations';
import { benchLifecycle } from './lifecycle';
import { benchReels } from './reels';

interface Section {
  key: string;
  title: string;
  run: () => Promise<object[]>;
}

async function main(): Promise<void> {
  const sections: Section[] = [
    {
      key: 'api',
      title: 'The API under load: authenticated routes, status p99, RSS (issues 4 and 15)',
      run: () => benchApi(),
    },
    { key: 'connect', title: 'Connect callback (issue 4)', run: () => benchConnect() },
    { key: 'lifecycle', title: 'Keeping connections alive (issue 5)', run: () => benchLifecycle() },
    {
      key: 'reels',
      title: 'Publishing Reels: throughput, none twice, worker RSS, a large upload (issue 12)',
      run: () => benchReels(),
    },
    {
      key: 'integrations',
      title: 'Integrations: API-key reads, outbound webhook deliveries (issue 14)',
      run: () => benchIntegrations(),
    },
  ];
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((k) => !sections.some((s) => s.key === k));
  if (unknown.length) {
    console.error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; known: ${sections.map((s) => s.key).join(', ')}`);
    process.exit(2);
  }
  for (const s of sections) {
    if (only.length && !only.includes(s.key)) continue;
    console.log(`\n## ${s.title}`);
    console.table(await s.run());
  }
  process.exit(0);
}

void main();
