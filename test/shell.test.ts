import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../bin/opsbot.js');

/** Runs `opsbot` as a person would, with no Slack credentials, in a fresh data folder. */
function runOpsbot(args: string[], stdin?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-shell-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, OPSBOT_DATA_DIR: dataDir, TZ: 'UTC', ...extraEnv };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: dataDir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, dataDir }));
    child.stdin.end(stdin ?? '');
  });
}

describe('local chat shell', () => {
  it('answers -c lines through the same commands as Slack and exits 0', async () => {
    const { code, stdout, stderr } = await runOpsbot(['shell', '-c', 'host web-01', '-c', '@opsbot role shop:web', '-c', 'hots']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/opsbot> .*web-01/);
    expect(stdout).toMatch(/hosts in shop:web/);
    expect(stdout).not.toMatch(/\*\S/); // bold marks are removed when piped
    expect(stdout).toMatch(/Did you mean `host` or `hosts`\?/);
  });

  it('reads piped stdin, keeps going after a bad line, and saves graphs as files', async () => {
    const { code, stdout, dataDir } = await runOpsbot(['shell'], 'help\nforecast no-such-host\ngraph web-01 disk\nalerts\nexit\nhost web-01\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(/What I can do/);
    expect(stdout).toMatch(/no-such-host/);
    expect(stdout).toMatch(/image saved to `.*\.png`/);
    expect(stdout).toMatch(/open alert/);
    expect(stdout).not.toMatch(/shop web 1/); // nothing after "exit" ran
    const graphs = readdirSync(join(dataDir, 'graphs'));
    expect(graphs.some((f) => f.endsWith('.png'))).toBe(true);
  });

  it('replays an alert fixture offline', async () => {
    const { code, stdout } = await runOpsbot(['shell', '-c', 'alert replay db-01-disk-critical']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/CRITICAL/);
    expect(stdout).toMatch(/^opsbot> replayed `?db-01-disk-critical/im);
  });

  it('runs `npm start`-style with no arguments on piped stdin', async () => {
    const { code, stdout, dataDir } = await runOpsbot([], 'services\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(/shop/);
    expect(existsSync(join(dataDir, 'data'))).toBe(false); // the data folder is OPSBOT_DATA_DIR, not ./data
  });

  it('relays a local file to the local upload folder, once, and lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-shell-file-'));
    const report = join(dir, 'report 2026.pdf');
    writeFileSync(report, 'quarterly numbers');
    const { code, stdout, dataDir } = await runOpsbot([
      'shell',
      '-c',
      `upload "${report}" !fileupload`,
      '-c',
      `upload "${report}" !fileupload`,
      '-c',
      `upload "${report}" just sharing`,
      '-c',
      'upload ./missing.pdf !fileupload',
      '-c',
      'uploads',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/stored at `.*report 2026\.pdf`/);
    expect(stdout).toMatch(/was already stored/);
    expect(stdout).toMatch(/Cannot upload `\.\/missing\.pdf`/);
    expect(stdout).toContain(createHash('sha256').update('quarterly numbers').digest('hex'));
    const stored = readdirSync(join(dataDir, 'uploads'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('report 2026.pdf'));
    expect(stored).toHaveLength(1);
    expect(readFileSync(join(dataDir, 'uploads', stored[0]!), 'utf8')).toBe('quarterly numbers');
  });

  it('rejects a bad argument with a usage error', async () => {
    const { code, stderr } = await runOpsbot(['shell', '-c']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/-c needs a line/);
  });

  it('speaks Japanese with OPSBOT_LANGUAGE=ja, every line in the gutter, without ANSI when piped', async () => {
    const { code, stdout, stderr } = await runOpsbot(['shell', '-c', 'host web-01', '-c', 'upload ./missing.pdf !fileupload', '-c', `host ${'x'.repeat(40_001)}`], undefined, {
      OPSBOT_LANGUAGE: 'ja',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain('\x1b');
    const lines = stdout.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^(opsbot> | {8})/);
    // The host answer: its name, and its labels in Japanese.
    expect(stdout).toMatch(/^opsbot> .*web-01/m);
    expect(stdout).toMatch(/^ {8}.*[\p{Script=Katakana}\p{Script=Han}]/mu);
    expect(stdout).toContain('opsbot> `./missing.pdf` をアップロードできません: ファイルが見つかりません。');
    expect(stdout).toContain('opsbot> この行は無視しました。40,006文字あり、上限（Slack と同じ）の40,000文字を超えています。');
  });

  // `script` (util-linux) gives the shell a terminal for stdin and stdout, as a person at a keyboard has.
  it.skipIf(!existsSync('/usr/bin/script'))('greets a terminal in Japanese with ANSI styles, prompts in the gutter and says goodbye', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-shell-tty-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, OPSBOT_DATA_DIR: dataDir, TZ: 'UTC', OPSBOT_LANGUAGE: 'ja', TERM: 'xterm' };
    const child = spawn('/usr/bin/script', ['-qfec', `${process.execPath} ${BIN} shell`, '/dev/null'], { env, cwd: dataDir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      // Answer the first prompt once it is shown.
      if (!sent && stdout.includes('あなた>')) {
        sent = true;
        child.stdin.write('exit\r');
      }
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(stdout).toContain('\x1b[1mopsbot>\x1b[22m \x1b[1mopsbot\x1b[22m ローカルシェル: 入力した各行を');
    expect(stdout).toContain('コマンド一覧は \x1b[36mhelp\x1b[39m、終了は \x1b[36mexit\x1b[39m と入力してください。');
    expect(stdout).toContain('\x1b[1mあなた>\x1b[22m ');
    expect(stdout).toContain('\x1b[1mopsbot>\x1b[22m 終了します。');
  });

  it('prints its usage in the team language', async () => {
    const ja = await runOpsbot(['help'], undefined, { OPSBOT_LANGUAGE: 'ja' });
    expect(ja.code).toBe(0);
    expect(ja.stdout).toMatch(/^使い方: opsbot <コマンド>\n\n {2}start {18}ボットを起動します/);
    expect(ja.stdout).toMatch(/^ {2}forecast ファイル\.\.\. {3}メトリックのファイルごとに/m);
    const unknown = await runOpsbot(['bogus'], undefined, { OPSBOT_LANGUAGE: 'ja' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^opsbot: 不明なコマンドです: "bogus"\n\n使い方/);
    const en = await runOpsbot(['help']);
    expect(en.stdout).toMatch(/^usage: opsbot <command>\n/);
  });
});
