import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.ts';
import { createLogSink } from './helpers/log-sink.ts';

describe('logger', () => {
  it('writes JSON lines with secrets removed by field and by value', async () => {
    const sink = createLogSink();
    const log = createLogger({ secrets: ['mkr-api-key-123456'], destination: sink.stream });
    log.info({ headers: { authorization: 'Bearer abc' }, url: 'https://x/?key=mkr-api-key-123456' }, 'calling with xoxb-1234-abcd');
    log.error({ err: new Error('bad token xapp-1-A0-99') }, 'failed');
    await new Promise((r) => setTimeout(r, 50));
    const text = sink.lines.join('\n');
    expect(sink.lines.map((l) => JSON.parse(l).msg)).toEqual(['calling with [REDACTED]', 'failed']);
    expect(text).not.toMatch(/mkr-api-key-123456|xoxb-1234|xapp-1-A0|Bearer abc/);
  });
});
