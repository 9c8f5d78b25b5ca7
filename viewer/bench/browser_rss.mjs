// Shared by the viewer benchmarks (viewer/bench/viewer_load.mjs, tests/rerun_viewer/load.mjs).
import { readdirSync, readFileSync } from 'node:fs';

/** Sum of VmRSS over the Chromium processes this script started and their descendants. */
export function browserRss() {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  const comm = (p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8');
    } catch {
      return '';
    }
  };
  let total = 0;
  const stack = (children.get(process.pid) ?? []).filter((p) => /chrom/i.test(comm(p)));
  while (stack.length) {
    const p = stack.pop();
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // exited meanwhile
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
