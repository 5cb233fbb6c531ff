import type { ChildProcess } from 'node:child_process';

/**
 * The next IPC message of `type` from a forked child (benches run their simulators in one);
 * rejects if the child exits first.
 */
export function nextMessage<M extends { type: string }, T extends M['type']>(child: ChildProcess, type: T): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: M) => {
      if (msg.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(msg as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`simulator child exited (code ${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
