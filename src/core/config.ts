import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

/** The repository root: embedded defaults (demo inventory, demo data) live here. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const positiveInt = z.number().int().positive();
const timeRange = z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'expected "HH:MM-HH:MM", e.g. "09:00-18:00"');

const uploadRuleSchema = z.strictObject({
  keyword: z.string().min(1).refine((s) => !/\s/.test(s), 'a keyword is one word, e.g. "!fileupload"'),
  destination: z.string().regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|file:\/\/\/.*)$/, 'expected s3://bucket/prefix/ or file:///absolute/dir/'),
  maxBytes: positiveInt.optional(),
  channels: z.array(z.string().min(1)).optional(),
  users: z.array(z.string().min(1)).optional(),
  /** Seconds a presigned download link stays valid; 0 or absent: no link. */
  presignSeconds: z.number().int().min(0).max(604800).optional(),
  /** Delete the Slack copy after a verified upload (needs SLACK_USER_TOKEN with files:write). */
  deleteFromSlack: z.boolean().optional(),
});

const calendarSchema = z.strictObject({
  timezone: z.string().min(1).default('UTC'),
  workdays: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
  hours: timeRange.default('09:00-18:00'),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')).default([]),
});

const fileSchema = z.strictObject({
  uploads: z.array(uploadRuleSchema).optional(),
  alerts: z
    .strictObject({
      channel: z.string().min(1).optional(),
      pollSeconds: z.number().int().min(0).default(60),
      mention: z.string().optional(),
      mentionOnCritical: z.boolean().default(true),
      /** Mention when the limit comes before the next working period plus this margin. */
      marginMinutes: z.number().int().min(0).default(60),
      /** During working hours, mention when the limit is nearer than this. */
      urgentWithinMinutes: z.number().int().min(0).default(120),
      /** How often the forecast of an open alert is refreshed. */
      refreshMinutes: z.number().int().min(0).default(30),
      calendar: calendarSchema.default({ timezone: 'UTC', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays: [] }),
    })
    .optional(),
  inventory: z.strictObject({ file: z.string().min(1).optional(), ttlSeconds: positiveInt.optional() }).optional(),
  s3: z
    .strictObject({
      endpoint: z.string().url().optional(),
      forcePathStyle: z.boolean().optional(),
      region: z.string().optional(),
      requestChecksumCalculation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
      partSizeBytes: z.number().int().min(5 * 1024 * 1024).optional(),
      queueSize: z.number().int().min(1).max(16).optional(),
    })
    .optional(),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional() }).optional(),
});

export type UploadRule = z.infer<typeof uploadRuleSchema>;
export type CalendarConfig = z.infer<typeof calendarSchema>;

export interface Config {
  mode: 'socket' | 'http' | 'shell';
  slack: {
    botToken?: string;
    appToken?: string;
    signingSecret?: string;
    userToken?: string;
    apiUrl: string;
  };
  port: number;
  dataDir: string;
  configFile?: string;
  uploads: UploadRule[];
  alerts: {
    channel?: string;
    pollSeconds: number;
    mention?: string;
    mentionOnCritical: boolean;
    marginMinutes: number;
    urgentWithinMinutes: number;
    refreshMinutes: number;
    calendar: CalendarConfig;
  };
  mackerel: {
    apiKey?: string;
    apiUrl: string;
    webhookToken?: string;
    ttlSeconds: number;
  };
  inventoryFile: string;
  s3: {
    endpoint?: string;
    forcePathStyle: boolean;
    region: string;
    requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
    partSizeBytes: number;
    queueSize: number;
    /** Static keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; unset: the AWS SDK's own chain. */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
  logLevel: string;
  /** Every secret value, for scrubbing logs and replies. */
  secrets: string[];
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Force the local shell whatever the environment says. */
  shell?: boolean;
}

function envBool(env: NodeJS.ProcessEnv, key: string): boolean | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(key, `expected true or false, got "${raw}"`);
}

function envUrl(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const raw = env[key] || fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(key, `expected an http(s) URL, got "${raw}"`);
  }
  return raw.endsWith('/') ? raw : `${raw}/`;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('OPSBOT_CONFIG', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError('OPSBOT_CONFIG', `${path} is not valid YAML: ${(error as Error).message}`);
  }
}

function parseFile(raw: unknown): z.infer<typeof fileSchema> {
  const result = fileSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(top level)';
  const detail = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
  throw new ConfigError(key, detail);
}

/**
 * Loads the configuration from the environment and the YAML file, validates it, and fills in
 * the embedded defaults. Throws ConfigError naming the bad key. Nothing else reads process.env.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = env.OPSBOT_CONFIG
    ? resolve(cwd, env.OPSBOT_CONFIG)
    : existsSync(resolve(cwd, 'opsbot.yaml'))
      ? resolve(cwd, 'opsbot.yaml')
      : undefined;
  const file = parseFile(configFile ? readConfigFile(configFile) : {});
  const dataDir = resolve(cwd, env.OPSBOT_DATA_DIR || 'data');

  const botToken = env.SLACK_BOT_TOKEN || undefined;
  const appToken = env.SLACK_APP_TOKEN || undefined;
  const signingSecret = env.SLACK_SIGNING_SECRET || undefined;
  const mode: Config['mode'] = options.shell || !botToken ? 'shell' : appToken ? 'socket' : 'http';
  if (botToken && !/^xox[bp]-/.test(botToken)) throw new ConfigError('SLACK_BOT_TOKEN', 'expected a bot token starting with xoxb-');
  if (mode === 'socket' && !appToken!.startsWith('xapp-')) throw new ConfigError('SLACK_APP_TOKEN', 'expected an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)');
  if (mode === 'http' && !signingSecret) throw new ConfigError('SLACK_SIGNING_SECRET', 'required in HTTP mode (no SLACK_APP_TOKEN); find it under Basic Information → Signing Secret');

  const portRaw = env.PORT || '3000';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT', `expected a port number, got "${portRaw}"`);

  const s3Endpoint = env.S3_ENDPOINT || file.s3?.endpoint;
  if (env.S3_ENDPOINT) envUrl(env, 'S3_ENDPOINT', env.S3_ENDPOINT);
  const checksumEnv = env.S3_REQUEST_CHECKSUM_CALCULATION;
  if (checksumEnv && checksumEnv !== 'WHEN_SUPPORTED' && checksumEnv !== 'WHEN_REQUIRED') {
    throw new ConfigError('S3_REQUEST_CHECKSUM_CALCULATION', `expected WHEN_SUPPORTED or WHEN_REQUIRED, got "${checksumEnv}"`);
  }

  const userToken = env.SLACK_USER_TOKEN || undefined;
  file.uploads?.forEach((rule, i) => {
    if (rule.deleteFromSlack && mode !== 'shell' && !userToken) {
      throw new ConfigError(`uploads[${i}].deleteFromSlack`, 'needs SLACK_USER_TOKEN (a user token with files:write): a bot token cannot delete files people shared');
    }
  });
  const alerts = file.alerts ?? fileSchema.shape.alerts.unwrap().parse({});
  const uploads = file.uploads ?? [{ keyword: '!fileupload', destination: `file://${resolve(dataDir, 'uploads')}/` }];

  const config: Config = {
    mode,
    slack: {
      botToken,
      appToken,
      signingSecret,
      userToken,
      apiUrl: envUrl(env, 'SLACK_API_URL', 'https://slack.com/api/'),
    },
    port,
    dataDir,
    configFile,
    uploads,
    alerts,
    mackerel: {
      apiKey: env.MACKEREL_APIKEY || undefined,
      apiUrl: envUrl(env, 'MACKEREL_API_URL', 'https://api.mackerelio.com/'),
      webhookToken: env.MACKEREL_WEBHOOK_TOKEN || undefined,
      ttlSeconds: file.inventory?.ttlSeconds ?? 300,
    },
    inventoryFile: file.inventory?.file
      ? resolve(configFile ? dirname(configFile) : cwd, file.inventory.file)
      : resolve(PROJECT_ROOT, 'demo/inventory.yaml'),
    s3: {
      endpoint: s3Endpoint,
      forcePathStyle: envBool(env, 'S3_FORCE_PATH_STYLE') ?? file.s3?.forcePathStyle ?? Boolean(s3Endpoint),
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || file.s3?.region || 'us-east-1',
      requestChecksumCalculation:
        (checksumEnv as Config['s3']['requestChecksumCalculation'] | undefined) ??
        file.s3?.requestChecksumCalculation ??
        (s3Endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED'),
      partSizeBytes: file.s3?.partSizeBytes ?? 5 * 1024 * 1024,
      queueSize: file.s3?.queueSize ?? 4,
      ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: env.AWS_ACCESS_KEY_ID,
              secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
    },
    logLevel: env.LOG_LEVEL || file.log?.level || 'info',
    secrets: [],
  };
  config.secrets = [
    botToken, appToken, signingSecret, config.slack.userToken, config.mackerel.apiKey, config.mackerel.webhookToken,
    env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN,
  ].filter((s): s is string => Boolean(s));
  return config;
}
