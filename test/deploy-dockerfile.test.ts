import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { signSlackBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './helpers/start-test-bot.ts';

/**
 * The container image, as far as it can be checked without Docker: the Dockerfile is read and
 * checked statically, and its exact CMD is run from the repository (the image's WORKDIR holds
 * the same files) with the image's environment, as a plain process and, where the kernel allows
 * unprivileged PID namespaces, as PID 1 of its own namespace like in a container. SIGTERM from
 * outside must make it drain the work in flight and exit 0.
 */

const ROOT = resolve(import.meta.dirname, '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

// --- A small Dockerfile reader ----------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with line continuations joined and comment lines dropped (as Docker does). */
function readDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined: string[] = [];
  let current = '';
  for (const line of lines) {
    if (/\\\s*$/.test(line)) current += `${line.replace(/\\\s*$/, '')} `;
    else {
      current += line;
      if (current.trim()) joined.push(current.trim().replace(/\s+/g, ' '));
      current = '';
    }
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of joined) {
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = op!.toUpperCase();
    if (upper === 'FROM') {
      const [image, as, name] = args!.split(' ');
      const from = image!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => globalArgs[a ?? b] ?? '');
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else if (!stages.length) {
      expect(upper, 'only ARG may come before the first FROM').toBe('ARG');
      const [k, v] = args!.split('=');
      globalArgs[k!] = v ?? '';
    } else stages.at(-1)!.instructions.push({ op: upper, args: args! });
  }
  return { globalArgs, stages };
}

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const { stages: STAGES } = readDockerfile(DOCKERFILE);
const FINAL = STAGES.at(-1)!;
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

/** ENV of the final stage (KEY=value pairs). */
const IMAGE_ENV: Record<string, string> = Object.fromEntries(
  all(FINAL, 'ENV').flatMap((i) =>
    i.args.split(' ').map((pair) => {
      expect(pair, 'ENV in KEY=value form').toMatch(/^[A-Z_][A-Z0-9_]*=\S*$/);
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
);
const CMD = JSON.parse(all(FINAL, 'CMD').at(-1)!.args) as string[];

describe('Dockerfile (static)', () => {
  it('is multi-stage on the official node:24-bookworm-slim, the Node major that npm ci installs for development', () => {
    expect(STAGES.length).toBeGreaterThanOrEqual(2);
    for (const stage of STAGES) expect(stage.from).toBe('node:24-bookworm-slim');
    const devNodeMajor = /(\d+)/.exec(PKG.devDependencies.node!)![1];
    expect(STAGES[0]!.from).toBe(`node:${devNodeMajor}-bookworm-slim`);
  });

  it('installs production dependencies with npm ci from the lockfile, copied before it', () => {
    const deps = STAGES.find((s) => all(s, 'RUN').some((r) => /\bnpm ci\b/.test(r.args)))!;
    expect(deps).toBeDefined();
    const ci = deps.instructions.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
    const copyLock = deps.instructions.findIndex((i) => i.op === 'COPY' && /\bpackage-lock\.json\b/.test(i.args));
    expect(copyLock).toBeGreaterThanOrEqual(0);
    expect(copyLock).toBeLessThan(ci);
    expect(deps.instructions[ci]!.args).toMatch(/--omit=dev/);
    expect(DOCKERFILE).not.toMatch(/npm (install|i)\b/);
    expect(existsSync(join(ROOT, 'package-lock.json'))).toBe(true);
    // The final stage takes node_modules from that stage rather than installing again.
    expect(all(FINAL, 'COPY').some((c) => c.args.startsWith(`--from=${deps.name} `) && /node_modules/.test(c.args))).toBe(true);
  });

  it('the final stage runs as the non-root node user', () => {
    const user = all(FINAL, 'USER').at(-1)?.args;
    expect(user).toBe('node');
    // Nothing after USER switches back (RUN as root after it would need another USER).
    const lastUser = FINAL.instructions.findLastIndex((i) => i.op === 'USER');
    expect(FINAL.instructions.slice(lastUser + 1).map((i) => i.op)).not.toContain('RUN');
  });

  it('CMD is exec form with node first (node is PID 1), the same command as npm start, and no ENTRYPOINT', () => {
    expect(all(FINAL, 'ENTRYPOINT')).toEqual([]);
    expect(CMD[0]).toBe('node');
    const npmStart = PKG.scripts.start!.split(' ');
    expect(npmStart[0]).toBe('exec');
    expect(CMD).toEqual(npmStart.slice(1));
  });

  it('declares the data folder as a volume owned by the bot, the port, and no secrets', () => {
    expect(IMAGE_ENV.OPSBOT_DATA_DIR).toBe('/data');
    expect(
      all(FINAL, 'VOLUME')
        .map((v) => v.args)
        .join(' '),
    ).toContain('/data');
    expect(all(FINAL, 'RUN').some((r) => /chown node:node \/data/.test(r.args))).toBe(true);
    expect(all(FINAL, 'EXPOSE').map((e) => e.args)).toEqual([IMAGE_ENV.PORT]);
    for (const stage of STAGES) {
      for (const i of stage.instructions.filter((x) => x.op === 'ENV' || x.op === 'ARG')) {
        expect(i.args, `${i.op} ${i.args}`).not.toMatch(/TOKEN|SECRET|APIKEY|API_KEY|PASSWORD|DATABASE_URL|ACCESS_KEY/i);
      }
    }
  });

  it('copies everything the bot reads at run time, and the build context keeps secrets and state out', () => {
    const copied = all(FINAL, 'COPY')
      .filter((c) => !c.args.startsWith('--from='))
      .flatMap((c) => c.args.split(' ').slice(0, -1));
    // package.json carries "type": "module", which Node needs to load src/*.ts as ES modules.
    for (const needed of ['package.json', 'bin', 'src', 'assets', 'demo']) expect(copied, needed).toContain(needed);
    for (const source of copied) expect(existsSync(join(ROOT, source)), source).toBe(true);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['.env', 'node_modules', 'data', '.git']) expect(ignored, entry).toContain(entry);
    for (const source of copied) expect(ignored, `${source} must reach the build`).not.toContain(source);
  });
});

describe('what npm ci --omit=dev leaves is enough to run', () => {
  /** Bare module specifiers imported by the runtime code (bin/, src/). */
  function runtimeImports(): Set<string> {
    const files = [
      join(ROOT, 'bin/opsbot.js'),
      ...readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && /\.[cm]?[jt]s$/.test(d.name))
        .map((d) => join(d.parentPath, d.name)),
    ];
    const found = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // Static imports and re-exports (at the start of a statement), side-effect imports, import().
      const statements = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
      for (const m of text.matchAll(statements)) {
        const spec = (m[1] ?? m[2] ?? m[3])!;
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        expect(spec, `${file}: an import of a package name`).toMatch(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/\S*)?$/);
        found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    return found;
  }

  it('every package the runtime code imports is a production dependency', () => {
    const imports = runtimeImports();
    expect(imports.size).toBeGreaterThan(5);
    for (const name of imports) expect(Object.keys(PKG.dependencies), `${name} (imported by src/ or bin/)`).toContain(name);
  });

  it('TypeScript needs no build step: the type-stripping Node of the image runs src/*.ts as they are', () => {
    const tsconfig = readFileSync(join(ROOT, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"erasableSyntaxOnly":\s*true/);
    expect(tsconfig).toMatch(/"noEmit":\s*true/);
    expect(readFileSync(join(ROOT, 'bin/opsbot.js'), 'utf8')).toMatch(/import\('\.\.\/src\/cli\/main\.ts'\)/);
  });

  it("@napi-rs/canvas's Linux glibc binaries are optional packages of a production dependency, and no production package needs install scripts", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; hasInstallScript?: boolean; libc?: string[] }>;
    };
    expect(PKG.dependencies['@napi-rs/canvas']).toBeDefined();
    for (const arch of ['x64', 'arm64']) {
      const entry = lock.packages[`node_modules/@napi-rs/canvas-linux-${arch}-gnu`];
      expect(entry, arch).toBeDefined();
      expect(entry!.dev, arch).toBeUndefined();
      expect(entry!.optional, arch).toBe(true);
      expect(entry!.libc).toEqual(['glibc']);
    }
    // --ignore-scripts in the Dockerfile is safe only while this holds.
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript && !p.dev)
      .map(([k]) => k);
    expect(withScripts).toEqual([]);
    expect(DOCKERFILE).toMatch(/npm ci [^\n]*--ignore-scripts/);
  });
});

// --- Running the image's CMD ----------------------------------------------------------------------

let slack: SlackSim;
const started: ChildProcess[] = [];

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
});
afterEach(() => {
  // Whatever a failed test left running (only processes this file started).
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await slack?.stop();
});

/** Unprivileged user + PID namespaces: `unshare` makes the command PID 1, as in a container. */
const CAN_BE_PID1 = spawnSync('unshare', ['--user', '--map-root-user', '--pid', '--fork', '--kill-child', 'true']).status === 0;

interface Launched {
  child: ChildProcess;
  /** The process that runs the command (node itself), as seen from here. */
  commandPid(): number;
  exited: Promise<number | null>;
  out(): string;
  /** The parsed log line with this message, once it appears. */
  line(msg: string): Promise<Record<string, unknown>>;
}

/**
 * Runs `command` (argv, `node` first) from the repository root with exactly `env`, either as a
 * plain child or as PID 1 of a new PID namespace. Signals go to the command's own process.
 */
function launch(command: string[], env: Record<string, string>, asPid1: boolean): Launched {
  const argv = [process.execPath, ...command.slice(1)];
  const child = asPid1
    ? spawn('unshare', ['--user', '--map-root-user', '--pid', '--fork', '--kill-child', ...argv], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const line = (msg: string) =>
    new Promise<Record<string, unknown>>((resolveLine, reject) => {
      const check = () => {
        const found = out.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
        if (!found) return;
        waiters.delete(check);
        resolveLine(JSON.parse(found) as Record<string, unknown>);
      };
      waiters.add(check);
      check();
      exited.then(() => reject(new Error(`exited before logging "${msg}": ${out.slice(-2000)}`)), reject);
    });
  const commandPid = () => {
    if (!asPid1) return child.pid!;
    // unshare --fork: the command is unshare's only child.
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(children).toHaveLength(1);
    return children[0]!;
  };
  return { child, commandPid, exited, out: () => out, line };
}

/** The container's environment: the image's ENV, with the data folder and port moved for the test. */
function containerEnv(dataDir: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dataDir,
    ...IMAGE_ENV,
    OPSBOT_DATA_DIR: dataDir,
    PORT: '0',
    ...extra,
  };
}

function httpModeEnv(dataDir: string, configYaml: string): Record<string, string> {
  const configFile = join(dataDir, 'opsbot.yaml');
  writeFileSync(configFile, configYaml);
  return containerEnv(dataDir, { OPSBOT_CONFIG: configFile, SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
}

async function waitForHealth(port: number, status: number, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === status) return;
    if (Date.now() > deadline) throw new Error(`/healthz never answered ${status} (last: ${res?.status ?? 'no answer'})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const LAUNCHERS = [
  { name: 'as a plain process', asPid1: false, skip: false },
  { name: 'as PID 1 of its own PID namespace (like in a container)', asPid1: true, skip: !CAN_BE_PID1 },
];

describe.each(LAUNCHERS)("the image's CMD, $name", ({ asPid1, skip }) => {
  it.skipIf(skip)("runs on the same Node major as the image's", () => {
    expect(`node:${process.versions.node.split('.')[0]}-bookworm-slim`).toBe(FINAL.from);
  });

  it.skipIf(skip)('starts in HTTP mode, answers /healthz, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-image-'));
    const bot = launch(CMD, httpModeEnv(dataDir, '{}\n'), asPid1);
    const ready = await bot.line('opsbot is ready');
    // node is the process itself (PID 1 in the namespace), not a child of a shell or npm.
    expect(ready.pid).toBe(asPid1 ? 1 : bot.child.pid);
    await waitForHealth(ready.port as number, 200);
    process.kill(bot.commandPid(), 'SIGTERM');
    await bot.line('opsbot stopped');
    expect(await bot.exited).toBe(0);
  });

  it.skipIf(skip)('SIGTERM during a relay: /healthz turns 503 (out of the Service), the relay finishes, then exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-image-'));
    const uploads = join(dataDir, 'relayed');
    const bot = launch(CMD, httpModeEnv(dataDir, `uploads:\n  - keyword: "!fileupload"\n    destination: file://${uploads}/\n`), asPid1);
    const ready = await bot.line('opsbot is ready');
    const port = ready.port as number;

    // A file whose download stops halfway until the test lets it go on.
    let letItFinish!: () => void;
    const gate = new Promise<void>((r) => (letItFinish = r));
    let downloadStarted!: () => void;
    const downloading = new Promise<void>((r) => (downloadStarted = r));
    const half = 64 * 1024;
    const file = slack.addFile({
      name: 'drain.bin',
      actualSize: 2 * half,
      content: async function* () {
        downloadStarted();
        yield Buffer.alloc(half, 1);
        await gate;
        yield Buffer.alloc(half, 2);
      },
    });
    const ts = `1763700000.${String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0')}`;
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: `EvIMG${ts.replace('.', '')}`,
      team_id: 'T0TEST',
      event: { type: 'message', subtype: 'file_share', channel: 'C0IMAGE', channel_type: 'channel', user: 'U0ALICE', text: '!fileupload', ts, event_ts: ts, files: [file] },
    });
    const acked = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackBody(TEST_SIGNING_SECRET, body) },
      body,
    });
    expect(acked.status).toBe(200);
    await downloading;

    process.kill(bot.commandPid(), 'SIGTERM');
    await bot.line('shutting down: finishing work in flight');
    // Readiness fails while the bot drains, so Kubernetes stops routing to it; it keeps running.
    await waitForHealth(port, 503);
    expect(bot.child.exitCode).toBeNull();

    letItFinish();
    await bot.line('opsbot stopped');
    expect(await bot.exited).toBe(0);
    expect(bot.out()).not.toContain('work still in flight at shutdown was aborted');
    const stored = readdirSync(uploads, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(stored.map((d) => d.name)).toEqual(['drain.bin']);
    expect(statSync(join(stored[0]!.parentPath, 'drain.bin')).size).toBe(2 * half);
  });
});

describe.skipIf(!CAN_BE_PID1)('the PID 1 harness reproduces a container', () => {
  it('a PID 1 without a SIGTERM handler ignores SIGTERM (which is why opsbot must handle it itself)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-pid1-'));
    const echo = "process.stdin.on('data', (d) => process.stdout.write(d)); process.stdout.write('up\\n');";
    const proc = launch(['node', '-e', echo], containerEnv(dataDir, {}), true);
    await new Promise<void>((r) => proc.child.stdout!.once('data', () => r()));
    process.kill(proc.commandPid(), 'SIGTERM');
    // The signal was queued before this write; had it been fatal, no echo would come back.
    const echoed = new Promise<void>((r) => proc.child.stdout!.once('data', () => r()));
    proc.child.stdin!.write('still here\n');
    await echoed;
    expect(proc.out()).toContain('still here');
    process.kill(proc.commandPid(), 'SIGKILL');
    await proc.exited;
  });
});
