/**
 * Per-channel pacing of message edits: Slack tolerates about one write per second per channel.
 * `tryTake` says whether an edit may go out now; skipped edits are simply dropped (the next
 * one carries fresher numbers anyway).
 */
export interface EditThrottle {
  tryTake(channel: string): boolean;
}

export function createEditThrottle(options: { minIntervalMs?: number; nowMs?: () => number } = {}): EditThrottle {
  const interval = options.minIntervalMs ?? 1000;
  const nowMs = options.nowMs ?? Date.now;
  const last = new Map<string, number>();
  return {
    tryTake(channel) {
      const t = nowMs();
      const previous = last.get(channel);
      if (previous !== undefined && t - previous < interval) return false;
      last.set(channel, t);
      if (last.size > 1000) last.delete(last.keys().next().value!);
      return true;
    },
  };
}
