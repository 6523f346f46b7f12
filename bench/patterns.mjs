// `npm run bench:patterns`: user patterns on RE2 (regsweep) against JavaScript's backtracking RegExp,
// in one process on the same inputs. For each pattern of issue 12 it times JavaScript at growing input
// lengths (stopping once one match takes over BENCH_JS_LIMIT_MS, default 2000) and RE2 at the same and
// far longer lengths. Printed per length: ms per match; the last line per pattern is the ratio of
// JavaScript's time to RE2's at the longest length both ran. Times are medians of BENCH_RUNS (5).
import { checkTagGlob, compileLinearRegex, tagGlobMatcher } from '@regsweep/core/internal';
import { Minimatch } from 'minimatch';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const jsLimitMs = Number(process.env.BENCH_JS_LIMIT_MS ?? 2000);

function median(fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function compiled(source) {
  const r = compileLinearRegex(source, 'whole');
  if ('error' in r) throw new Error(r.error);
  return r;
}

const cases = [
  { name: 'branch /(a+)+$/', js: /^(?:(a+)+$)$/, ours: compiled('(a+)+$'), input: (n) => `${'a'.repeat(n)}!` },
  { name: 'tagPatterns /(?<sha>([0-9a-f]+)+)-z/', js: /^(?:(?<sha>([0-9a-f]+)+)-z)$/, ours: compiled('(?<sha>([0-9a-f]+)+)-z'), input: (n) => `${'a'.repeat(n)}y` },
  {
    name: 'glob +(a|aa)+(a|aa)+(a|aa)+(a|aa)b',
    js: new Minimatch('+(a|aa)+(a|aa)+(a|aa)+(a|aa)b', { dot: true }).makeRe(),
    // regsweep refuses the extglob; the nearest glob it accepts, with as many wildcards:
    ours: { test: tagGlobMatcher(['*a*a*a*a*b']) }, input: (n) => 'a'.repeat(n),
    note: `regsweep: ${checkTagGlob('+(a|aa)+(a|aa)+(a|aa)+(a|aa)b')}`,
  },
];

for (const c of cases) {
  console.log(`\n${c.name}${c.note ? `\n  ${c.note}` : ''}`);
  let lastBoth;
  for (let n = 16; n <= 40; n += 2) {
    const input = c.input(n);
    const js = median(() => c.js.test(input));
    const ours = median(() => c.ours.test(input));
    console.log(`  n=${String(n).padStart(4)}  javascript ${js.toFixed(3).padStart(10)} ms   re2 ${ours.toFixed(3).padStart(8)} ms`);
    lastBoth = { n, js, ours };
    if (js > jsLimitMs) break;
  }
  for (const n of [400, 4000]) {
    const input = c.input(n);
    console.log(`  n=${String(n).padStart(4)}  javascript   (not run)   re2 ${median(() => c.ours.test(input)).toFixed(3).padStart(8)} ms`);
  }
  console.log(`ratio javascript/re2 at n=${lastBoth.n}: ${(lastBoth.js / Math.max(lastBoth.ours, 0.001)).toFixed(0)}`);
}
