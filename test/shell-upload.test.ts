import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, readWord, ShellLineError, splitWords } from '../src/shell/parse-shell-line.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { describePathProblem, identifyLocalFile, type LocalFile, type PathProblem } from '../src/shell/run-shell.ts';

const BIN = resolve(import.meta.dirname, '../bin/opsbot.js');

/** `opsbot shell` as a person runs it, from `cwd`, with its own data folder. */
function runShell(cwd: string, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-shell-data-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, OPSBOT_DATA_DIR: dataDir, TZ: 'UTC' };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'shell', ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, dataDir }));
    child.stdin.end(stdin);
  });
}

function storedFiles(dataDir: string): string[] {
  return readdirSync(join(dataDir, 'uploads'), { recursive: true })
    .map(String)
    .filter((f) => /\.log$/.test(f))
    .sort();
}

/** A folder whose path is long, so any id built from a prefix of the path would collide. */
/** `identifyLocalFile` in a child process run as `nobody` (through runuser), for checks root would pass. */
async function identifyAsNobody(cwd: string, path: string): Promise<unknown> {
  for (let d = cwd; d !== '/' && d !== tmpdir(); d = resolve(d, '..')) chmodSync(d, 0o755);
  const module = resolve(import.meta.dirname, '../src/shell/run-shell.ts');
  const script = `const { identifyLocalFile } = await import(${JSON.stringify(module)}); process.stdout.write(JSON.stringify(await identifyLocalFile(${JSON.stringify(cwd)}, ${JSON.stringify(path)})));`;
  const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`runuser failed (${code}): ${err}`);
  return JSON.parse(out) as unknown;
}

function deepFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'opsbot-shell-file-')), 'a-very-long-folder-name-shared-by-every-file-in-it', 'and-another-level');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function identity(cwd: string, path: string): Promise<LocalFile> {
  const file = await identifyLocalFile(cwd, path);
  if ('problem' in file) throw new Error(`expected a file, got: ${file.problem}`);
  return file;
}

describe('local file identity', () => {
  it('differs for two files of one folder, whatever their common prefix, and is 128 bits of a digest', async () => {
    const dir = deepFolder();
    writeFileSync(join(dir, 'server-2026-01-01-a.log'), 'same bytes');
    writeFileSync(join(dir, 'server-2026-01-01-b.log'), 'same bytes');
    utimesSync(join(dir, 'server-2026-01-01-a.log'), 1_700_000_000, 1_700_000_000);
    utimesSync(join(dir, 'server-2026-01-01-b.log'), 1_700_000_000, 1_700_000_000);
    const a = await identity(dir, './server-2026-01-01-a.log');
    const b = await identity(dir, './server-2026-01-01-b.log');
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^FLOCAL[0-9A-F]{32}$/);
    expect(b.id).toMatch(/^FLOCAL[0-9A-F]{32}$/);
  });

  it('is the same for the same unchanged file, by any path to it', async () => {
    const dir = deepFolder();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'hello');
    symlinkSync(file, join(dir, 'link.log'));
    const first = await identity(dir, 'app.log');
    expect((await identity('/', file)).id).toBe(first.id);
    mkdirSync(join(dir, 'sub'));
    expect((await identity(dir, './sub/../app.log')).id).toBe(first.id);
    expect((await identity(dir, 'link.log')).id).toBe(first.id);
    expect(first).toMatchObject({ name: 'app.log', size: 5 });
  });

  it('changes when the file is modified: new size, or the same size with a new modification time', async () => {
    const dir = deepFolder();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'hello');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const before = await identity(dir, 'app.log');
    writeFileSync(file, 'HELLO');
    utimesSync(file, 1_700_000_001, 1_700_000_001);
    const sameSize = await identity(dir, 'app.log');
    writeFileSync(file, 'hello, world');
    utimesSync(file, 1_700_000_001, 1_700_000_001);
    const grown = await identity(dir, 'app.log');
    expect(new Set([before.id, sameSize.id, grown.id]).size).toBe(3);
  });

  it.each<[string, (dir: string) => string, PathProblem]>([
    ['a missing file', () => 'missing.log', 'missing'],
    ['a folder', (dir) => dir, 'folder'],
    ['a device', () => '/dev/null', 'special'],
    ['a NUL in the path', () => 'a\0b.log', 'nul'],
    ['a file used as a folder', (dir) => (writeFileSync(join(dir, 'plain'), ''), 'plain/inner.log'), 'notFolder'],
    ['an overlong path', () => `${'x'.repeat(5000)}.log`, 'tooLong'],
    ['a symbolic link loop', (dir) => (symlinkSync(join(dir, 'loop'), join(dir, 'loop')), 'loop'), 'loop'],
  ])('says why not for %s', async (_what, pathIn, problem) => {
    const dir = deepFolder();
    const result = await identifyLocalFile(dir, pathIn(dir));
    expect(result).toEqual({ problem });
  });

  it('words each problem in both languages', () => {
    const en = createPresenter({ language: 'en', timeZone: 'UTC' });
    const ja = createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo' });
    expect(describePathProblem({ problem: 'missing' }, en).text).toBe('no such file');
    expect(describePathProblem({ problem: 'missing' }, ja).text).toBe('ファイルが見つかりません');
    expect(describePathProblem({ problem: 'other', errno: 'EIO' }, en).text).toBe('the file cannot be read (`EIO`)');
    expect(describePathProblem({ problem: 'other' }, ja).text).toBe('ファイルを読み取れません（`?`）');
  });

  it('says why not for an unreadable file', async () => {
    const dir = deepFolder();
    writeFileSync(join(dir, 'secret.log'), 'x');
    chmodSync(join(dir, 'secret.log'), 0o000);
    // Root reads any file: there (CI runs as root) the check runs as the unprivileged user `nobody`.
    const asRoot = process.getuid?.() === 0;
    const result = asRoot ? await identifyAsNobody(dir, 'secret.log') : await identifyLocalFile(dir, 'secret.log');
    expect(result).toEqual({ problem: 'denied' });
  });
});

describe('shell words', () => {
  it.each<[string, string[]]>([
    ['upload "./my report.pdf" !fileupload', ['upload', './my report.pdf', '!fileupload']],
    ["upload './it\"s.pdf'", ['upload', './it"s.pdf']],
    ['upload "./say \\"hi\\".txt"', ['upload', './say "hi".txt']],
    ['upload ./my\\ report.pdf', ['upload', './my report.pdf']],
    ['upload "./a b"c', ['upload', './a bc']],
    ['upload ""', ['upload', '']],
    ['  spaced \t words  ', ['spaced', 'words']],
  ])('%s', (line, words) => {
    expect(splitWords(line)).toEqual(words);
  });

  it.each(['upload "./unclosed.pdf', "upload './unclosed.pdf", 'upload ./trailing\\', "upload ./it's.pdf"])('rejects %s with a ShellLineError', (line) => {
    expect(() => splitWords(line)).toThrow(ShellLineError);
  });

  it('says which quote is open and where, or that a backslash ends the line', () => {
    const problem = (line: string) => {
      try {
        splitWords(line);
      } catch (error) {
        return (error as ShellLineError).problem;
      }
      return undefined;
    };
    expect(problem('upload "./unclosed.pdf')).toEqual({ kind: 'unclosed_quote', quote: '"', column: 8 });
    expect(problem("upload ./it's.pdf")).toEqual({ kind: 'unclosed_quote', quote: "'", column: 12 });
    expect(problem('upload ./trailing\\')).toEqual({ kind: 'trailing_backslash' });
  });

  it('reads one word and says where the rest begins', () => {
    expect(readWord('  "./a b.log" !fileupload it\'s here')).toEqual({ word: './a b.log', end: 13 });
    expect(readWord('   ')).toBeUndefined();
  });
});

describe('upload in the local shell', () => {
  it('stores two files of one folder as two files, and the same unchanged file once', async () => {
    const dir = deepFolder();
    writeFileSync(join(dir, 'a.log'), 'first file');
    writeFileSync(join(dir, 'b.log'), 'second file');
    const { code, stdout, stderr, dataDir } = await runShell(dir, ['-c', 'upload ./a.log !fileupload', '-c', 'upload ./b.log !fileupload', '-c', `upload ${join(dir, 'a.log')} !fileupload`]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/stored at `[^`]*\/a\.log`/);
    expect(stdout).toMatch(/stored at `[^`]*\/b\.log`/);
    expect(stdout).not.toMatch(/b\.log.*already stored/);
    expect(stdout.match(/already stored/g)).toHaveLength(1); // the third line: a.log again
    const stored = storedFiles(dataDir);
    expect(stored).toHaveLength(2);
    expect(stored.map((f) => readFileSync(join(dataDir, 'uploads', f), 'utf8')).sort()).toEqual(['first file', 'second file']);
  });

  it('stores a modified file again', async () => {
    const dir = deepFolder();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'version 1');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const first = await runShell(dir, [], 'upload app.log !fileupload\n');
    expect(first.stdout).toMatch(/stored at/);
    // The same data folder: the relay remembers what it stored.
    writeFileSync(file, 'version 2');
    utimesSync(file, 1_700_000_100, 1_700_000_100);
    const second = await new Promise<{ stdout: string }>((done, fail) => {
      const child = spawn(process.execPath, [BIN, 'shell', '-c', 'upload app.log !fileupload', '-c', 'upload app.log !fileupload'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, OPSBOT_DATA_DIR: first.dataDir, TZ: 'UTC' },
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('error', fail);
      child.on('close', () => done({ stdout }));
    });
    expect(second.stdout.match(/already stored/g)).toHaveLength(1);
    const stored = storedFiles(first.dataDir);
    expect(stored).toHaveLength(2);
    expect(stored.map((f) => readFileSync(join(first.dataDir, 'uploads', f), 'utf8')).sort()).toEqual(['version 1', 'version 2']);
  });

  it('answers bad lines with a clear message and keeps going', async () => {
    const dir = deepFolder();
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, "it's here.log"), 'quoted name');
    const lines = [
      'upload "./unclosed.log !fileupload',
      "upload ./it's here.log !fileupload",
      `upload "./it's here.log" !fileupload it's a comment`,
      'upload ./folder !fileupload',
      'upload ./missing.log !fileupload',
      'upload /dev/null !fileupload',
      'upload',
      'upload ""',
      'host web\0-01',
      `host ${'x'.repeat(MAX_LINE_CHARS + 1)}`,
      "search it's",
      'help',
    ];
    const { code, stdout, stderr, dataDir } = await runShell(dir, [], `${lines.join('\n')}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/opsbot> Cannot upload: the `"` quote at column 8 is never closed\. Put a path with spaces or quotes in double quotes/);
    expect(stdout).toMatch(/opsbot> Cannot upload: the `'` quote at column 12 is never closed/);
    expect(stdout).toMatch(/stored at `[^`]*it's here\.log`/);
    expect(stdout).toMatch(/opsbot> Cannot upload `\.\/folder`: it is a folder/);
    expect(stdout).toMatch(/opsbot> Cannot upload `\.\/missing\.log`: no such file\.\n/);
    expect(stdout).toMatch(/opsbot> Cannot upload `\/dev\/null`: not a regular file/);
    expect(stdout.match(/opsbot> Usage: `upload PATH/g)).toHaveLength(2);
    expect(stdout).toMatch(/opsbot> Line ignored: it contains a NUL character/);
    const n = (x: number) => x.toLocaleString('en-US');
    expect(stdout).toContain(`opsbot> Line ignored: it is ${n(MAX_LINE_CHARS + 6)} characters long, and the limit is ${n(MAX_LINE_CHARS)}`);
    expect(stdout).not.toMatch(/error:/i);
    // Every line the bot writes is in its gutter: "opsbot> ", or as many spaces.
    for (const line of stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^(opsbot> | {8})/);
    expect(stdout).toMatch(/What I can do/); // the last line still ran
    expect(readFileSync(join(dataDir, 'uploads', storedFiles(dataDir)[0]!), 'utf8')).toBe('quoted name');
  });
});
