import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpsbot, type RunningOpsbot } from '../../src/app/start-opsbot.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { SlackSim } from '../sim/slack-sim.ts';
import { SocketModeSim } from '../sim/socket-mode-sim.ts';
import { TEST_BOT_TOKEN } from './start-test-bot.ts';

/** The real bot in Socket Mode: a Slack Web API simulator, a Socket Mode simulator in front of it, and opsbot connected to both. */
export interface SocketModeWorld {
  slack: SlackSim;
  socket: SocketModeSim;
  bot: RunningOpsbot;
  stop(): Promise<void>;
}

/** Starts the world and waits until opsbot's Socket Mode connection is open. */
export async function startSocketModeWorld(options: { appToken: string; dataDirPrefix: string }): Promise<SocketModeWorld> {
  const slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  const socket = await new SocketModeSim({ appToken: options.appToken, forwardTo: slack.apiUrl }).start();
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix));
  const bot = await startOpsbot({
    env: { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_APP_TOKEN: options.appToken, SLACK_API_URL: socket.apiUrl, PORT: '0', OPSBOT_DATA_DIR: dataDir },
    cwd: dataDir,
    log: createSilentLogger(),
  });
  await socket.waitForConnection();
  return {
    slack,
    socket,
    bot,
    async stop() {
      await bot.stop(2000);
      await socket.stop();
      await slack.stop();
    },
  };
}
