import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseSync } from '../../src/core/database.ts';
import { createSilentLogger, type Logger } from '../../src/core/logger.ts';
import type { SharedFile } from '../../src/handlers/chat-port.ts';
import { createFileDestination } from '../../src/services/relay/file-destination.ts';
import { createRelayLedger, type RelayLedger } from '../../src/services/relay/relay-ledger.ts';
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
  /** A fresh ledger on the world's database file (a new instance = a restarted process). */
  openLedger(options?: { now?: () => number; staleAfterSeconds?: number }): { db: DatabaseSync; ledger: RelayLedger };
  service(options?: { ledger?: RelayLedger; trust?: TrustPredicate; log?: Logger }): RelayService;
  /** Registers a file in the simulator and returns it as the handlers see it (opened through the real downloader). */
  sharedFile(input: SimFileInput, trust?: TrustPredicate): SharedFile;
  stop(): Promise<void>;
}

export async function startRelayWorld(): Promise<RelayWorld> {
  const sim = await new SlackSim({ botToken: SIM_BOT_TOKEN, userToken: SIM_USER_TOKEN }).start();
  const s3 = await startTestS3();
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-relay-'));
  const log = createSilentLogger();
  const dbs: DatabaseSync[] = [];
  const clients: { destroy(): void }[] = [];
  const world: RelayWorld = {
    sim,
    s3,
    dataDir,
    log,
    openLedger(options = {}) {
      const db = openDatabase(join(dataDir, 'opsbot.sqlite'));
      dbs.push(db);
      return { db, ledger: createRelayLedger({ db, ...options }) };
    },
    service(options = {}) {
      const client = createS3Client(s3.config, { credentials: s3.credentials });
      clients.push(client);
      const slackFiles = createSlackFilesApi({ apiUrl: sim.apiUrl, botToken: SIM_BOT_TOKEN, userToken: SIM_USER_TOKEN, log });
      return createRelayService({
        ledger: options.ledger ?? world.openLedger().ledger,
        s3: createS3Destination({ client, partSizeBytes: s3.config.partSizeBytes, queueSize: s3.config.queueSize, log: options.log ?? log }),
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
      for (const db of dbs) if (db.isOpen) db.close();
      await sim.stop();
      await s3.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
