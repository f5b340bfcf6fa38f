#!/usr/bin/env node
// The README's examples, run against the built package (dist/, from `npm run build`) and compared
// with what the README shows. test/readme.test.ts checks them; this script also rewrites them:
//
//   node scripts/readme-examples.mjs            run the examples of README.md and docs/*.md, print what
//                                               differs, exit 1 if anything does
//   node scripts/readme-examples.mjs --update   rewrite their example output from a real run
//                                               (npm run readme:update)
//   --readme FILE                               one Markdown file only
//
// Everything runs in a fresh temporary directory, never in the repository.
//
// What is checked:
// - The command-line walk-through: the ``` block whose first line starts with `$ wasmlp`. Each
//   `$ command` line runs in order, in one temporary directory, through /bin/sh with stdout and
//   stderr merged (as a terminal shows them), `wasmlp` being dist/bin/wasmlp.js. The lines after a
//   command, up to the next `$`, are its expected output. Before comparing, both sides get:
//     - durations (`14 ms`, `1.2 s`, `4 m 05 s`), rates (`125,879 samples/s`), `ETA 0:00`, thread
//       counts (`2 threads`: the default is the machine's cores), and in JSON output the numbers of
//       keys ending in `Ms` or `PerSecond` (`"timeMs": 43.2`) and of `"threads"` replaced by
//       placeholders, since they depend on the machine;
//     - trailing spaces removed.
//   A line that is only `…` stands for one or more output lines left out. The update writes a run
//   of three or more progress lines (`epoch N/M …`) as its first line, `…`, and its last line.
// - The JavaScript examples: every ```js block runs as a file of its own (a .cjs file when it
//   calls `require(` or its first line is a `// CommonJS` comment, an .mjs file otherwise), with
//   `wasmlp` resolving to this repository's package. It must exit 0. Each `console.log(…); // value`
//   line must print exactly `value` (whitespace aside); text after two spaces is a remark (kept,
//   not compared). `// ≈ value` means: each number printed, rounded to as many decimals as the
//   corresponding number of `value` shows, equals it (so `≈ [[0], [1], [0]]` accepts 9.7e-13).
//   A ```js block whose first line is a `// In a page` comment is not run here: it needs a browser
//   (IndexedDB), and test/platform/readme-browser.test.ts runs it in Chromium by the same rules.
//
// The update keeps what is already right: a line whose only differences are durations and rates
// stays as it is, so running it twice changes nothing the second time. It then runs the examples
// again against the rewritten text and writes the README (atomically) only if they all agree; a
// block that throws, or output that differs from run to run, is reported instead (exit 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const README = join(REPO, 'README.md');
/** The pages the README links: their examples are checked the same way (they need no walk-through). */
export const DOCS = join(REPO, 'docs');

/** The docs pages, by path. */
export function docPages() {
  return readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort().map((f) => join(DOCS, f));
}
export const CLI = join(REPO, 'dist', 'bin', 'wasmlp.js');

const ELLIPSIS = '…';
const PROGRESS = /^epoch \d+\/\d+\s/;

/** A line with what depends on the machine's speed replaced by placeholders, trailing spaces removed. */
export function normalizeLine(line) {
  return line
    .replace(/\b\d+ h \d{2} m\b/g, '<time>')
    .replace(/\b\d+ m \d{2} s\b/g, '<time>')
    .replace(/\b\d+(?:\.\d+)? m?s\b/g, '<time>')
    .replace(/\b\d[\d,]*(?:\.\d+)? samples\/s\b/g, '<rate> samples/s')
    .replace(/\bETA \S+/g, 'ETA <eta>')
    .replace(/\b\d+ threads?\b/g, '<n> threads')
    .replace(/("threads"\s*:\s*)\d+/g, '$1<n>')
    .replace(/("\w*(?:Ms|PerSecond)"\s*:\s*)-?[\d.]+(?:e[-+]?\d+)?/g, '$1<n>')
    .trimEnd();
}

/** The fenced blocks of a Markdown text: info string, and the line indexes of their content. */
export function fencedBlocks(lines) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S*)/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end].trimEnd() !== open[1]) end++;
    if (end === lines.length) throw new Error(`README line ${i + 1}: the ${open[1]} fence is never closed`);
    blocks.push({ info: open[2], start: i + 1, end });
    i = end;
  }
  return blocks;
}

/** The command-line walk-through: commands and the output the README shows for each. */
export function sessionOf(lines, required = true) {
  const block = fencedBlocks(lines).find((b) => b.info === '' && b.end > b.start && lines[b.start].startsWith('$ wasmlp'));
  if (!block && !required) return { block: null, steps: [] };
  if (!block) throw new Error('README: no ``` block starting with "$ wasmlp" (the command-line walk-through)');
  const steps = [];
  for (let i = block.start; i < block.end; i++) {
    if (lines[i].startsWith('$ ')) steps.push({ command: lines[i].slice(2), expected: [] });
    else steps[steps.length - 1].expected.push(lines[i]);
  }
  return { block, steps };
}

/** A ```js block whose first line is this comment runs in a browser page (test/platform/readme-browser.test.ts), not here. */
const IN_A_PAGE = /^\/\/\s*In a page\b/;

/** The ```js blocks run in Node, each with its console.log lines that carry a `// value` comment. */
export function scriptsOf(lines) {
  return jsBlocks(lines).filter((script) => !IN_A_PAGE.test(script.code[0] ?? ''));
}

/** The ```js blocks that run in a browser page (first line `// In a page…`), as scriptsOf gives them. */
export function pageScriptsOf(lines) {
  return jsBlocks(lines).filter((script) => IN_A_PAGE.test(script.code[0] ?? ''));
}

function jsBlocks(lines) {
  return fencedBlocks(lines)
    .filter((b) => b.info === 'js' || b.info === 'javascript')
    .map((b) => {
      const code = lines.slice(b.start, b.end);
      const commonjs = code.some((l) => /\brequire\(/.test(l)) || /^\/\/\s*CommonJS\b/.test(code[0] ?? '');
      const checks = [];
      code.forEach((text, k) => {
        const m = /^(.*\bconsole\.log\(.*\);)(\s*)\/\/ (.*)$/.exec(text);
        if (!m) return;
        const approximate = m[3].startsWith('≈ ');
        const body = approximate ? m[3].slice(2) : m[3];
        const split = /\s{2,}/.exec(body);
        const value = split ? body.slice(0, split.index) : body;
        const remark = split ? body.slice(split.index) : '';
        checks.push({ line: b.start + k, fileLine: k + 1, code: m[1], gap: m[2], approximate, value, remark });
      });
      return { block: b, code, commonjs, checks };
    });
}

/** A temporary directory where `wasmlp` (the command, and the package by name) is this repository's build. */
export function sandbox() {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'wasmlp-readme-'));
  mkdirSync(join(dir, '.bin'));
  symlinkSync(CLI, join(dir, '.bin', 'wasmlp'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'wasmlp'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function cleanEnv(dir) {
  const env = { ...process.env, PATH: `${join(dir, '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs the walk-through's commands in order in `dir`; each step gets `actual` (its output lines) and `status`. */
export function runSession(steps, dir) {
  return steps.map((step) => {
    const result = spawnSync('/bin/sh', ['-c', `{ ${step.command}\n} 2>&1`], { cwd: dir, env: cleanEnv(dir), encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw result.error;
    const actual = result.stdout.split('\n');
    if (actual[actual.length - 1] === '') actual.pop();
    return { ...step, actual, status: result.status };
  });
}

/** Whether `actual` lines match the `expected` ones (normalized; a `…` line stands for one or more lines). */
export function matches(expected, actual) {
  const e = expected.map(normalizeLine);
  const a = actual.map(normalizeLine);
  const memo = new Map();
  const at = (i, j) => {
    const key = i * (a.length + 1) + j;
    if (memo.has(key)) return memo.get(key);
    let ok;
    if (i === e.length) ok = j === a.length;
    else if (e[i] === ELLIPSIS) {
      ok = false;
      for (let k = j + 1; k <= a.length && !ok; k++) ok = at(i + 1, k);
    } else ok = j < a.length && e[i] === a[j] && at(i + 1, j + 1);
    memo.set(key, ok);
    return ok;
  };
  return at(0, 0);
}

/** What the README shows for an output: runs of three or more progress lines as first, `…`, last. */
export function elide(actual) {
  const out = [];
  let i = 0;
  while (i < actual.length) {
    let j = i;
    while (j < actual.length && PROGRESS.test(actual[j])) j++;
    if (j - i >= 3) out.push(actual[i], ELLIPSIS, actual[j - 1]);
    else if (j > i) out.push(...actual.slice(i, j));
    else out.push(actual[j++]);
    i = j;
  }
  return out;
}

/** The new expected lines: the elided output, keeping each old line that differs only in times and rates. */
export function updatedOutput(expected, actual) {
  const fresh = elide(actual).map((l) => l.trimEnd());
  if (fresh.length !== expected.length) return fresh;
  return fresh.map((line, i) => (normalizeLine(line) === normalizeLine(expected[i]) ? expected[i] : line));
}

const CAPTURE = `import { appendFileSync } from 'node:fs';
import { format } from 'node:util';
console.log = (...args) => {
  const frame = (new Error().stack ?? '').split('\\n').find((l) => l.includes(process.env.README_EXAMPLE_FILE));
  const line = frame ? Number(/:(\\d+):\\d+\\)?$/.exec(frame)?.[1]) : 0;
  appendFileSync(process.env.README_CAPTURE, JSON.stringify({ line, text: format(...args) }) + '\\n');
};
`;

/**
 * Runs one ```js block in `dir`; returns { status, stderr, printed: Map(fileLine → [text]) }, where
 * printed holds what each console.log line printed.
 */
export function runScript(script, index, dir) {
  const name = `readme-example-${index + 1}.${script.commonjs ? 'cjs' : 'mjs'}`;
  const capture = join(dir, `${name}.log`);
  writeFileSync(join(dir, 'readme-capture.mjs'), CAPTURE);
  writeFileSync(join(dir, name), `${script.code.join('\n')}\n`);
  writeFileSync(capture, '');
  const result = spawnSync(process.execPath, ['--import', './readme-capture.mjs', name], {
    cwd: dir,
    env: { ...cleanEnv(dir), README_EXAMPLE_FILE: name, README_CAPTURE: capture },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  const printed = new Map();
  for (const line of readFileSync(capture, 'utf8').split('\n').filter(Boolean)) {
    const { line: at, text } = JSON.parse(line);
    printed.set(at, [...(printed.get(at) ?? []), text]);
  }
  return { status: result.status, stderr: result.stderr, printed };
}

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;
const decimals = (token) => (/\.(\d+)/.exec(token.split(/e/i)[0])?.[1].length ?? 0);

/** Whether what a console.log printed agrees with its `// value` comment (see the header). */
export function agrees(check, text) {
  if (!check.approximate) return text.replace(/\s+/g, '') === check.value.replace(/\s+/g, '');
  const want = check.value.match(NUMBER) ?? [];
  const got = text.match(NUMBER) ?? [];
  return want.length === got.length && want.every((w, i) => Number(Number(got[i]).toFixed(decimals(w))) === Number(w));
}

/** The comment value a console.log's output calls for (approximate ones keep their template and decimals). */
export function updatedValue(check, text) {
  if (agrees(check, text)) return check.value;
  if (!check.approximate) return text.replace(/\s*\n\s*/g, ' ').trim();
  const got = text.match(NUMBER) ?? [];
  const want = check.value.match(NUMBER) ?? [];
  if (got.length !== want.length) throw new Error(`README line ${check.line + 1}: prints ${got.length} numbers where "≈ ${check.value}" shows ${want.length}: edit it by hand`);
  let k = 0;
  return check.value.replace(NUMBER, (w) => Number(got[k++]).toFixed(decimals(w)).replace(/^-(?=[0.]+$)/, ''));
}

/**
 * Runs every example of the README text; returns the problems found (strings) and the README text
 * as it should be (equal to the input when nothing differs).
 */
export function checkReadme(text, { requireSession = true } = {}) {
  const lines = text.split('\n');
  const problems = [];
  const box = sandbox();
  try {
    const { steps, block: session } = sessionOf(lines, requireSession);
    const ran = runSession(steps, box.dir);
    const rewritten = [];
    for (const step of ran) {
      const same = matches(step.expected, step.actual);
      if (!same) {
        problems.push(
          `$ ${step.command} (exit ${step.status}) printed:\n${step.actual.map((l) => `  | ${l}`).join('\n')}\n` +
            `where the README shows:\n${step.expected.map((l) => `  | ${l}`).join('\n')}`,
        );
      }
      rewritten.push(`$ ${step.command}`, ...(same ? step.expected : updatedOutput(step.expected, step.actual)));
    }

    const edits = [];
    scriptsOf(lines).forEach((script, index) => {
      const result = runScript(script, index, box.dir);
      if (result.status !== 0) {
        problems.push(`the js block at README line ${script.block.start} exited with ${result.status}:\n${result.stderr}`);
        return;
      }
      for (const check of script.checks) {
        const printed = result.printed.get(check.fileLine) ?? [];
        if (printed.length !== 1) {
          problems.push(`README line ${check.line + 1}: the console.log ran ${printed.length} times; a checked one must run once`);
          continue;
        }
        if (!agrees(check, printed[0])) {
          problems.push(`README line ${check.line + 1}: ${check.code} printed ${JSON.stringify(printed[0])}, the comment says ${check.approximate ? '≈ ' : ''}${JSON.stringify(check.value)}`);
        }
        const value = updatedValue(check, printed[0]);
        edits.push({ line: check.line, text: `${check.code}${check.gap}// ${check.approximate ? '≈ ' : ''}${value}${check.remark}` });
      }
    });

    const next = lines.slice();
    for (const edit of edits) next[edit.line] = edit.text;
    if (session !== null) next.splice(session.start, session.end - session.start, ...rewritten);
    return { problems, updated: next.join('\n') };
  } finally {
    box.remove();
  }
}

function writeAtomically(path, text) {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** Checks one Markdown file (rewriting its examples with `update`); returns false when something differs. */
function checkFile(file, update) {
  const text = readFileSync(file, 'utf8');
  const options = { requireSession: file === README };
  const { problems, updated } = checkReadme(text, options);
  if (!update) {
    for (const problem of problems) console.log(`${problem}\n`);
    console.log(problems.length === 0 ? `${file}: the examples print what it shows` : `${file}: ${problems.length} example(s) differ (npm run readme:update rewrites them)`);
    return problems.length === 0;
  }
  if (updated === text) {
    for (const problem of problems) console.log(`${problem}\n`);
    console.log(problems.length === 0 ? `${file}: the examples are up to date` : `${file}: ${problems.length} example(s) differ and cannot be rewritten`);
    return problems.length === 0;
  }
  // a second run must find nothing left to change: what the update cannot fix (a block that
  // throws, output that differs from run to run) is reported, and the file is left as it was
  const again = checkReadme(updated, options);
  if (again.problems.length > 0) {
    for (const problem of again.problems) console.log(`${problem}\n`);
    console.log(`${file}: not rewritten: ${again.problems.length} example(s) still differ after the update`);
    return false;
  }
  writeAtomically(file, updated);
  console.log(`${file}: rewrote the examples (${problems.length} difference${problems.length === 1 ? '' : 's'})`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const update = args.includes('--update');
  const fileAt = args.indexOf('--readme');
  const files = fileAt >= 0 ? [resolve(args[fileAt + 1])] : [README, ...docPages()];
  let ok = true;
  for (const file of files) ok = checkFile(file, update) && ok;
  process.exitCode = ok ? 0 : 1;
}
