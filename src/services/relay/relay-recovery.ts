import type { Logger } from '../../core/logger.ts';
import type { Lease, RelayJob, RelayStore } from '../../core/state/types.ts';

export interface RelayRecoveryOptions {
  relays: RelayStore;
  /** This run of the bot, in leases. */
  owner: string;
  /** Lease of a taken-over job (the relay service renews it while it works). */
  leaseSeconds: number;
  /** How often expired jobs are looked for (after the sweep at start). */
  intervalMs: number;
  /** Finishes (or reports) one taken-over job; never throws. */
  resume: (job: RelayJob & { lease: Lease }) => Promise<void>;
  /** Retries multipart-upload aborts that failed earlier. */
  sweepAborts?: () => Promise<number>;
  log: Logger;
}

export interface RelayRecovery {
  /** Sweeps now (at startup), then every interval. */
  start(): void;
  stop(): void;
  /** One sweep: takes over expired jobs and retries due aborts; resolves when the jobs taken are done. */
  sweepOnce(): Promise<number>;
}

/**
 * Every run of the bot (every replica) sweeps: a relay whose run died (its lease expired) is
 * taken over and finished or reported, and multipart uploads that could not be aborted are
 * aborted, so no file is silently dropped and no upload is left billed.
 */
export function createRelayRecovery(options: RelayRecoveryOptions): RelayRecovery {
  const { relays, owner, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<number> | undefined;

  async function sweep(): Promise<number> {
    let taken = 0;
    try {
      if (options.sweepAborts) {
        const aborted = await options.sweepAborts();
        if (aborted > 0) log.info({ aborted }, 'pending multipart uploads aborted');
      }
      const jobs = await relays.takeExpired(owner, options.leaseSeconds, 10);
      taken = jobs.length;
      if (jobs.length > 0) log.info({ jobs: jobs.map((j) => ({ file: j.fileId, destination: j.destination, attempts: j.attempts })) }, 'taking over relays a previous run did not finish');
      await Promise.all(jobs.map((job) => options.resume(job)));
    } catch (error) {
      log.warn({ err: error }, 'relay recovery sweep failed; will try again');
    }
    return taken;
  }

  const sweepOnce = () => (sweeping ??= sweep().finally(() => (sweeping = undefined)));

  return {
    start() {
      // sweep() logs its own failures; this .catch is for anything that escapes it.
      const sweepInBackground = () => {
        sweepOnce().catch((error: unknown) => log.error({ err: error }, 'relay recovery sweep failed'));
      };
      sweepInBackground();
      timer = setInterval(sweepInBackground, options.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
    sweepOnce,
  };
}
