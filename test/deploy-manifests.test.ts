import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';

/**
 * The example deployment in deploy/ is checked here as far as it can be without a cluster: every
 * YAML document parses, references between objects resolve (selectors, ports, volumes, Secret
 * keys, the ConfigMap), the properties the README promises hold (3 replicas, no unavailability
 * during a rollout, probes on /healthz, a drain that fits the grace period, non-root), no
 * credential is written into a manifest, and the ConfigMap's opsbot.yaml loads through opsbot's
 * own config loader with the environment the Deployment gives the pod.
 */

const ROOT = resolve(import.meta.dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const K8S = join(DEPLOY, 'kubernetes');
const SQLITE = join(K8S, 'single-replica-sqlite');
/** opsbot's drain after SIGTERM (README, "Running in production"). */
const DRAIN_SECONDS = 25;

// A loose shape: manifests are checked field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, asserted as it is read
type Obj = Record<string, any>;
interface Doc {
  file: string;
  obj: Obj;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

const FILES = yamlFiles(DEPLOY);
const DOCS: Doc[] = FILES.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true, prettyErrors: false }).flatMap((doc) => {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw new Error(`${relative(ROOT, file)}: ${problem.message}`);
    const obj = doc.toJS() as Obj | null;
    return obj ? [{ file: relative(DEPLOY, file), obj }] : [];
  }),
);
const K8S_DOCS = DOCS.filter((d) => d.obj.kind !== 'Kustomization');

function only(kind: string, where: (d: Doc) => boolean = () => true): Obj {
  const found = K8S_DOCS.filter((d) => d.obj.kind === kind && where(d));
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0]!.obj;
}

const inFolder = (folder: string) => (d: Doc) => dirname(join(DEPLOY, d.file)) === folder;
const MULTI = only('Deployment', inFolder(K8S));
const SINGLE = only('Deployment', inFolder(SQLITE));
const SECRET = only('Secret');
const SECRET_TEXT = readFileSync(join(K8S, 'secret.example.yaml'), 'utf8');
const CONFIGMAP = only('ConfigMap');
const SERVICE = only('Service');
const PDB = only('PodDisruptionBudget');
const PVC = only('PersistentVolumeClaim');

const VARIANTS = [
  { name: 'several replicas (PostgreSQL)', deployment: MULTI },
  { name: 'single replica (SQLite)', deployment: SINGLE },
] as const;

function container(deployment: Obj): Obj {
  const containers = deployment.spec.template.spec.containers as Obj[];
  expect(containers).toHaveLength(1);
  return containers[0]!;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The container port a probe, Service or annotation names (by name or number), or undefined. */
function containerPort(deployment: Obj, port: string | number): Obj | undefined {
  return (container(deployment).ports as Obj[]).find((p) => p.name === port || p.containerPort === port || String(p.containerPort) === port);
}

const SECRET_NAME = /TOKEN|SECRET|APIKEY|API_KEY|PASSWORD|DATABASE_URL|ACCESS_KEY|SESSION/;

describe('deploy/: every file parses', () => {
  it('holds the expected objects, each with a name, in the opsbot namespace', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(10);
    const kinds = K8S_DOCS.map((d) => d.obj.kind);
    for (const kind of ['Namespace', 'Secret', 'ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'PersistentVolumeClaim', 'ServiceMonitor', 'Ingress']) {
      expect(kinds, kind).toContain(kind);
    }
    const apiVersions: Record<string, string> = {
      Namespace: 'v1',
      Secret: 'v1',
      ConfigMap: 'v1',
      Service: 'v1',
      PersistentVolumeClaim: 'v1',
      Deployment: 'apps/v1',
      PodDisruptionBudget: 'policy/v1',
      Ingress: 'networking.k8s.io/v1',
      ServiceMonitor: 'monitoring.coreos.com/v1',
    };
    for (const { file, obj } of K8S_DOCS) {
      expect(obj.apiVersion, `${file} ${obj.kind}`).toBe(apiVersions[obj.kind]);
      expect(obj.metadata?.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (obj.kind !== 'Namespace') expect(obj.metadata.namespace, `${file} ${obj.kind}`).toBe('opsbot');
      expect(obj.metadata.labels?.['app.kubernetes.io/name'], `${file} ${obj.kind}`).toBe('opsbot');
    }
  });

  it('kustomizations list files that exist, never the Secret, and build when kubectl is at hand', () => {
    const kustomizations = DOCS.filter((d) => d.obj.kind === 'Kustomization');
    expect(kustomizations.map((k) => k.file).sort()).toEqual(['kubernetes/kustomization.yaml', 'kubernetes/single-replica-sqlite/kustomization.yaml']);
    for (const k of kustomizations) {
      const dir = dirname(join(DEPLOY, k.file));
      for (const resource of k.obj.resources as string[]) {
        expect(existsSync(join(dir, resource)), `${k.file}: ${resource}`).toBe(true);
        expect(resource).not.toMatch(/secret/);
      }
    }
    // The single-replica variant has no PDB: on one pod it would only block node drains.
    expect(kustomizations.find((k) => k.file.includes('single'))!.obj.resources).not.toContain('pdb.yaml');
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kubectl.status !== 0) return;
    for (const k of kustomizations) {
      const built = spawnSync('kubectl', ['kustomize', dirname(join(DEPLOY, k.file))], { encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
    }
  });
});

describe.each(VARIANTS)('Deployment: $name', ({ deployment }) => {
  const pod = deployment.spec.template.spec as Obj;
  const labels = deployment.spec.template.metadata.labels as Record<string, string>;

  it('selects its own pods, and runs the image as it is (no command override)', () => {
    expect(matches(deployment.spec.selector.matchLabels, labels)).toBe(true);
    const c = container(deployment);
    expect(c.image).toMatch(/^[^:]+:[^:]+$/);
    expect(c.image).not.toMatch(/:latest$/);
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
  });

  it('probes GET /healthz on the container port; liveness outlasts a drain', () => {
    const c = container(deployment);
    for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const probe = c[kind] as Obj;
      expect(probe?.httpGet?.path, kind).toBe('/healthz');
      expect(containerPort(deployment, probe.httpGet.port), `${kind} port`).toBeDefined();
      expect(probe.timeoutSeconds, kind).toBeLessThan(probe.periodSeconds);
    }
    const seconds = (p: Obj) => p.periodSeconds * p.failureThreshold;
    // Slack can take a while to connect at startup (503 until then): minutes, not seconds.
    expect(seconds(c.startupProbe)).toBeGreaterThanOrEqual(120);
    // A draining pod answers 503; liveness must not restart it before the grace period ends.
    expect(seconds(c.livenessProbe)).toBeGreaterThan(pod.terminationGracePeriodSeconds);
    // Readiness reacts much faster than liveness.
    expect(seconds(c.readinessProbe)).toBeLessThan(seconds(c.livenessProbe));
  });

  it('gives the drain time: grace period > preStop + 25 s drain + a margin', () => {
    const c = container(deployment);
    const preStop = c.lifecycle?.preStop?.exec?.command as string[] | undefined;
    const preStopSeconds = preStop ? Number(preStop[1]) : 0;
    if (preStop) expect(preStop[0]).toBe('sleep');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + DRAIN_SECONDS + 10);
  });

  it('runs as the non-root node user with a read-only root filesystem; /data and /tmp are writable volumes', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(1000);
    expect(pod.securityContext.fsGroup).toBe(1000);
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = container(deployment);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
    const mounts = new Map((c.volumeMounts as Obj[]).map((m) => [m.mountPath as string, m]));
    for (const m of mounts.values()) expect(volumes.has(m.name), `volume ${m.name}`).toBe(true);
    for (const path of ['/data', '/tmp']) {
      expect(mounts.get(path), path).toBeDefined();
      expect(mounts.get(path)!.readOnly).not.toBe(true);
    }
    const env = new Map((c.env as Obj[]).map((e) => [e.name as string, e]));
    expect(env.get('OPSBOT_DATA_DIR')!.value).toBe('/data');
  });

  it('mounts opsbot.yaml from the ConfigMap where OPSBOT_CONFIG points', () => {
    const c = container(deployment);
    const env = new Map((c.env as Obj[]).map((e) => [e.name as string, e]));
    const configPath = env.get('OPSBOT_CONFIG')!.value as string;
    const mount = (c.volumeMounts as Obj[]).find((m) => configPath.startsWith(`${m.mountPath}/`))!;
    expect(mount.readOnly).toBe(true);
    const volume = (pod.volumes as Obj[]).find((v) => v.name === mount.name)!;
    expect(volume.configMap.name).toBe(CONFIGMAP.metadata.name);
    const item = (volume.configMap.items as Obj[]).find((i) => `${mount.mountPath}/${i.path}` === configPath)!;
    expect(Object.keys(CONFIGMAP.data)).toContain(item.key);
  });

  it('takes every credential from the Secret; no literal token anywhere', () => {
    const c = container(deployment);
    for (const e of c.env as Obj[]) {
      if (SECRET_NAME.test(e.name)) {
        expect(e.value, e.name).toBeUndefined();
        expect(e.valueFrom?.secretKeyRef?.name, e.name).toBe(SECRET.metadata.name);
        expect(e.valueFrom.secretKeyRef.key, e.name).toBe(e.name);
        // Required keys are in the example Secret; optional ones are at least shown there.
        if (e.valueFrom.secretKeyRef.optional) expect(SECRET_TEXT, e.name).toContain(`${e.name}:`);
        else expect(Object.keys(SECRET.stringData), e.name).toContain(e.name);
      } else {
        expect(e.valueFrom, e.name).toBeUndefined();
      }
    }
    expect(c.envFrom).toBeUndefined();
    const names = (c.env as Obj[]).map((e) => e.name as string);
    expect(names).toContain('SLACK_BOT_TOKEN');
    expect(names).toContain('MACKEREL_APIKEY');
  });

  it('exports metrics on the container port for annotation-based scraping', () => {
    const annotations = deployment.spec.template.metadata.annotations as Record<string, string>;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(containerPort(deployment, annotations['prometheus.io/port']!)).toBeDefined();
  });

  it('sets memory for a relay (~180 MB peak) with headroom', () => {
    const r = container(deployment).resources;
    expect(r.requests.memory).toBe('256Mi');
    expect(r.limits.memory).toBe('512Mi');
  });

  it('is what the Service and the PDB select', () => {
    expect(matches(SERVICE.spec.selector, labels)).toBe(true);
    for (const p of SERVICE.spec.ports as Obj[]) expect(containerPort(deployment, p.targetPort), `targetPort ${p.targetPort}`).toBeDefined();
    expect(matches(PDB.spec.selector.matchLabels, labels)).toBe(true);
  });
});

describe('several replicas on PostgreSQL', () => {
  it('3 replicas, rolling updates that never go below 3 ready pods', () => {
    expect(MULTI.spec.replicas).toBe(3);
    expect(MULTI.spec.strategy.type).toBe('RollingUpdate');
    expect(MULTI.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(MULTI.spec.strategy.rollingUpdate.maxSurge).toBe(1);
    // Socket Mode: every pod holds a connection, and Slack allows 10 per app.
    expect(MULTI.spec.replicas + MULTI.spec.strategy.rollingUpdate.maxSurge).toBeLessThanOrEqual(10);
  });

  it('requires OPSBOT_DATABASE_URL: without it each pod would keep state of its own', () => {
    const url = (container(MULTI).env as Obj[]).find((e) => e.name === 'OPSBOT_DATABASE_URL')!;
    expect(url.valueFrom.secretKeyRef.optional).not.toBe(true);
    expect(SECRET.stringData.OPSBOT_DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
  });

  it('spreads pods across nodes', () => {
    const spread = MULTI.spec.template.spec.topologySpreadConstraints as Obj[];
    const byHost = spread.find((s) => s.topologyKey === 'kubernetes.io/hostname')!;
    expect(byHost.maxSkew).toBe(1);
    expect(matches(byHost.labelSelector.matchLabels, MULTI.spec.template.metadata.labels)).toBe(true);
  });

  it('the PDB lets one pod go at a time and never blocks every disruption', () => {
    const replicas = MULTI.spec.replicas as number;
    const allowed = PDB.spec.maxUnavailable ?? replicas - PDB.spec.minAvailable;
    expect(allowed).toBe(1);
    expect(PDB.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });
});

describe('single replica on SQLite', () => {
  it('one replica, Recreate, its state on a PersistentVolumeClaim at /data, no database URL', () => {
    expect(SINGLE.spec.replicas).toBe(1);
    expect(SINGLE.spec.strategy.type).toBe('Recreate');
    const pod = SINGLE.spec.template.spec as Obj;
    const dataMount = (container(SINGLE).volumeMounts as Obj[]).find((m) => m.mountPath === '/data')!;
    const volume = (pod.volumes as Obj[]).find((v) => v.name === dataMount.name)!;
    expect(volume.persistentVolumeClaim.claimName).toBe(PVC.metadata.name);
    expect(PVC.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect((container(SINGLE).env as Obj[]).map((e) => e.name)).not.toContain('OPSBOT_DATABASE_URL');
    expect(readFileSync(join(SQLITE, 'deployment.yaml'), 'utf8')).toMatch(/SINGLE-REPLICA VARIANT/);
  });

  it('has no PDB of its own', () => {
    expect(
      K8S_DOCS.filter((d) => inFolder(SQLITE)(d))
        .map((d) => d.obj.kind)
        .sort(),
    ).toEqual(['Deployment', 'PersistentVolumeClaim']);
  });
});

describe('the Secret example', () => {
  it('holds placeholders only', () => {
    for (const [key, value] of Object.entries(SECRET.stringData as Record<string, string>)) {
      expect(value, key).toContain('REPLACE-ME');
    }
    expect(SECRET.data).toBeUndefined();
  });

  it('no manifest carries anything that looks like a real credential', () => {
    // Placeholders are REPLACE-ME (or … in command examples).
    const credential = /xox[abpre]-(?!REPLACE-ME)[A-Za-z0-9-]{6,}|xapp-(?!REPLACE-ME)[A-Za-z0-9-]{6,}|postgres(ql)?:\/\/[^:\s]+:(?!REPLACE-ME@|…@)[^@\s]+@|AKIA[0-9A-Z]{16}/;
    for (const file of FILES) expect(readFileSync(file, 'utf8'), relative(ROOT, file)).not.toMatch(credential);
  });
});

describe('the ConfigMap opsbot.yaml', () => {
  /** The environment a pod of `deployment` gets: plain values, and Secret keys from the example. */
  function podEnv(deployment: Obj, secrets: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of container(deployment).env as Obj[]) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      else if (secrets[e.valueFrom.secretKeyRef.key] !== undefined) env[e.name] = secrets[e.valueFrom.secretKeyRef.key]!;
    }
    return env;
  }

  /** Loads the ConfigMap's file through opsbot's loader, with the pod's paths moved to a temp folder. */
  function load(deployment: Obj, secrets: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-deploy-'));
    const configFile = join(dir, 'opsbot.yaml');
    writeFileSync(configFile, CONFIGMAP.data['opsbot.yaml']);
    const env = { ...podEnv(deployment, secrets), OPSBOT_CONFIG: configFile, OPSBOT_DATA_DIR: join(dir, 'data') };
    return loadConfig({ env, cwd: dir });
  }

  it.each(VARIANTS)('loads without a ConfigError with the environment of the $name Deployment (HTTP mode)', ({ deployment }) => {
    let config: ReturnType<typeof loadConfig> | undefined;
    try {
      config = load(deployment, SECRET.stringData);
    } catch (error) {
      if (error instanceof ConfigError) throw new Error(`ConfigError: ${error.message}`);
      throw error;
    }
    expect(config.mode).toBe('http');
    expect(config.port).toBe(3000);
    expect(config.uploads[0]!.destination).toMatch(/^s3:\/\//);
    expect(config.alerts.channel).toMatch(/^C/);
    expect(config.mackerel.apiKey).toBe(SECRET.stringData.MACKEREL_APIKEY);
    expect(config.mackerel.webhookToken).toBe(SECRET.stringData.MACKEREL_WEBHOOK_TOKEN);
  });

  it('with SLACK_APP_TOKEN in the Secret, the same pod runs in Socket Mode', () => {
    const config = load(MULTI, { ...SECRET.stringData, SLACK_APP_TOKEN: 'xapp-REPLACE-ME' });
    expect(config.mode).toBe('socket');
  });

  it('is a file name the mount and the Deployment agree on', () => {
    expect(basename(container(MULTI).env.find((e: Obj) => e.name === 'OPSBOT_CONFIG').value)).toBe('opsbot.yaml');
  });
});

describe('optional objects', () => {
  it('the ServiceMonitor scrapes /metrics through a named port of the Service', () => {
    const sm = only('ServiceMonitor');
    expect(matches(sm.spec.selector.matchLabels, SERVICE.metadata.labels)).toBe(true);
    const endpoint = sm.spec.endpoints[0] as Obj;
    expect(endpoint.path).toBe('/metrics');
    expect((SERVICE.spec.ports as Obj[]).map((p) => p.name)).toContain(endpoint.port);
  });

  it('the Ingress exposes only the Slack and Mackerel routes, through the Service', () => {
    const ingress = only('Ingress');
    const paths = (ingress.spec.rules as Obj[]).flatMap((r) => r.http.paths as Obj[]);
    expect(paths.map((p) => p.path).sort()).toEqual(['/slack/events', '/webhooks/mackerel']);
    for (const p of paths) {
      expect(p.backend.service.name).toBe(SERVICE.metadata.name);
      expect((SERVICE.spec.ports as Obj[]).map((sp) => sp.name)).toContain(p.backend.service.port.name);
    }
  });

  it('the S3 lifecycle example aborts incomplete multipart uploads', () => {
    const lifecycle = JSON.parse(readFileSync(join(DEPLOY, 's3/lifecycle.json'), 'utf8')) as Obj;
    const rule = (lifecycle.Rules as Obj[])[0]!;
    expect(rule.Status).toBe('Enabled');
    expect(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation).toBeGreaterThanOrEqual(1);
    // Same prefix as the ConfigMap's upload destination.
    expect(CONFIGMAP.data['opsbot.yaml']).toContain(`/${rule.Filter.Prefix}`);
  });
});

describe('docs/running-several-replicas.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/running-several-replicas.md'), 'utf8');

  it('links only to files that exist', () => {
    const links = [...doc.matchAll(/\]\((\.\.\/[^)#]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(resolve(ROOT, 'docs', link)), link).toBe(true);
  });

  it('names every manifest file', () => {
    for (const file of FILES.filter((f) => f.startsWith(K8S))) {
      const name = relative(K8S, file);
      const inFolderName = name.startsWith('single-replica-sqlite/') ? 'single-replica-sqlite/' : name;
      expect(doc, name).toContain(inFolderName);
    }
  });
});
