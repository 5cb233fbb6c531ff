import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/core/state/sqlite-store.ts';
import type { StateStore } from '../../src/core/state/types.ts';
import { createSilentLogger, type Logger } from '../../src/core/logger.ts';
import type { SharedFile } from '../../src/handlers/chat-port.ts';
import { createFileDestination } from '../../src/services/relay/file-destination.ts';
import { createRelayService, type RelayService } from '../../src/services/relay/relay-service.ts';
import { createS3Client, createS3Destination } from '../../src/services/relay/s3-destination.ts';
import { createSlackFileDownloader, createSlackFileOpener, trustSlackAndApiHost, type TrustPredicate } from '../../src/services/slack-files/slack-file-downloader.ts';
import { createSlackFilesApi } from '../../src/services/slack-files/slack-files-api.ts';
import { SlackSim, type SimFileInput } from '../sim/slack-sim.ts';
import { startTestS3, type TestS3 } from './s3rver.ts';

export const SIM_BOT_TOKEN = 'xoxb-relay-sim-bot-424242';
export const SIM_USER_TOKEN = 'xoxp-relay-sim-user-434343';

/** Slack simulator + s3rver + a data folder, shared by the relay tests. */
export interface RelayWorld {
  sim: SlackSim;
  s3: TestS3;
  dataDir: string;
  log: Logger;
  /** A new connection to the world's state database (a new one = a restarted process). */
  openStore(options?: { now?: () => number }): Promise<StateStore>;
  /** A relay service on `store` (default: a new connection) as run `owner` (default: a fresh name). */
  service(options?: { store?: StateStore; owner?: string; leaseSeconds?: number; trust?: TrustPredicate; log?: Logger }): Promise<RelayService>;
  /** Registers a file in the simulator and returns it as the handlers see it (opened through the real downloader). */
  sharedFile(input: SimFileInput, trust?: TrustPredicate): SharedFile;
  stop(): Promise<void>;
}

export async function startRelayWorld(): Promise<RelayWorld> {
  const sim = await new SlackSim({ botToken: SIM_BOT_TOKEN, userToken: SIM_USER_TOKEN }).start();
  const s3 = await startTestS3();
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-relay-'));
  const log = createSilentLogger();
  const stores: StateStore[] = [];
  let owners = 0;
  const clients: { destroy(): void }[] = [];
  const world: RelayWorld = {
    sim,
    s3,
    dataDir,
    log,
    async openStore(options = {}) {
      const store = await openSqliteStore({ path: join(dataDir, 'opsbot.sqlite'), ...(options.now ? { now: options.now } : {}) });
      stores.push(store);
      return store;
    },
    async service(options = {}) {
      const store = options.store ?? (await world.openStore());
      const client = createS3Client(s3.config, { credentials: s3.credentials });
      clients.push(client);
      const slackFiles = createSlackFilesApi({ apiUrl: sim.apiUrl, botToken: SIM_BOT_TOKEN, userToken: SIM_USER_TOKEN, log });
      return createRelayService({
        relays: store.relays,
        owner: options.owner ?? `test-run-${++owners}`,
        ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
        s3: createS3Destination({ client, partSizeBytes: s3.config.partSizeBytes, queueSize: s3.config.queueSize, log: options.log ?? log, aborts: store.aborts }),
        files: createFileDestination({ log }),
        deleteSlackFile: (id) => slackFiles.deleteFile(id),
        log: options.log ?? log,
      });
    },
    sharedFile(input, trust = trustSlackAndApiHost(sim.apiUrl)) {
      const object = sim.addFile(input) as { id: string; name: string; size: number; mimetype: string; url_private_download: string };
      const open = createSlackFileOpener(createSlackFileDownloader({ token: SIM_BOT_TOKEN, log, trustedHost: trust }));
      return { id: object.id, name: object.name, size: object.size, mimetype: object.mimetype, open: (signal) => open(object, signal) };
    },
    async stop() {
      for (const client of clients) client.destroy();
      for (const store of stores) await store.close().catch(() => undefined);
      await sim.stop();
      await s3.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
