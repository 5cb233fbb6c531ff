import { Writable } from 'node:stream';

/** Collects JSON log lines so tests can assert on them (e.g. that no secret is logged). */
export function createLogSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}
