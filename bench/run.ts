/** `npm run bench`: every speed and memory target of the issues, measured and printed as tables. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchApi } from './api';
import { benchConnect } from './connect';

interface Section {
  title: string;
  run: () => Promise<object[]>;
}

async function main(): Promise<void> {
  const sections: Section[] = [
    { title: 'The API under load: authenticated routes, status p99, RSS (issues 4 and 15)', run: () => benchApi() },
    { title: 'Connect callback (issue 4)', run: () => benchConnect() },
  ];
  if (existsSync(join(__dirname, 'lifecycle.ts'))) {
    const lifecycle = require('./lifecycle') as { benchLifecycle: () => Promise<object[]> };
    sections.push({ title: 'Keeping connections alive (issue 5)', run: () => lifecycle.benchLifecycle() });
  }
  for (const s of sections) {
    console.log(`\n## ${s.title}`);
    console.table(await s.run());
  }
  process.exit(0);
}

void main();
