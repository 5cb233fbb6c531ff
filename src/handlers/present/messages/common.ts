import type { Translation } from '../catalogue.ts';

/** Words every job shares. English is the reference; Japanese is written as a Japanese SRE team would say it. */
export const en = {
  'common.unexpected': 'Something went wrong while handling that. The details are in the bot log.',
  'common.listSeparator': ', ',
  /** A note after a word: "web-01 (Web server 1)", "help (e.g. `@opsbot help`)". */
  'common.aside': '{text} ({note})',
} as const;

export const ja: Translation<typeof en> = {
  'common.unexpected': '処理中に問題が発生しました。詳細はボットのログを確認してください。',
  'common.listSeparator': '、',
  'common.aside': '{text}（{note}）',
};
