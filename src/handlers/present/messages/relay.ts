import type { Translation } from '../catalogue.ts';

/** The relay messages. English is the reference; Japanese is written as a Japanese SRE team would say it. */
export const en = {
  // A stored file: the thread reply (and the progress message's last state).
  'relay.done': '{file} is stored at {location}',
  'relay.done.size': 'Size: {size} ({bytes} bytes) · SHA-256: {sha256}',
  'relay.done.link': '{link} (valid until {expiry})',
  'relay.done.linkLabel': 'Download link',
  'relay.done.deletedFromSlack': 'The Slack copy was deleted, as this keyword is set up to do.',
  'relay.done.summary': 'Stored {file} at {location} ({size}, sha256 {sha256})',

  // A re-share of a file already stored at this destination.
  'relay.alreadyStored': '{file} was already stored at {location} ({size}, SHA-256 {sha256}); it was not uploaded again.',
  'relay.alreadyStored.summary': '{file} was already stored at {location}',
  'relay.alreadyRelaying': "{file} is already being relayed from an earlier share; that share's thread will say where it landed. It is not uploaded twice.",
  'relay.alreadyRelaying.summary': '{file} is already being relayed',

  // A failed relay: the headline, then the error's sentence.
  'relay.failed': 'Could not relay {file}.',
  'relay.failed.summary': 'Could not relay {file}: {reason}',
  'relay.retry.button': 'Retry',
  'relay.retrying': 'Retrying {file}, as {user} asked.',
  'relay.retrying.summary': 'Retrying {file} (asked by {user})',

  // What pressing Retry did, told to the presser alone.
  'relay.retry.unavailable': 'Retrying is not available here.',
  'relay.retry.unreadable': 'That Retry button is not one opsbot can read. Please share the file again.',
  'relay.retry.unknown': 'opsbot has no record of this relay any more. Please share the file again.',
  'relay.retry.alreadyStored': 'It is already stored at {location}.',
  'relay.retry.alreadyStoredSomewhere': 'It is already stored.',
  'relay.retry.inProgress': 'It is being relayed right now; the outcome follows in the thread.',
  'relay.retry.ruleGone': 'The upload rule this file was shared for is gone from the configuration, so it cannot be retried.',
  'relay.retry.alreadyRetrying': 'It is being retried already; the outcome follows in the thread.',
  'relay.retry.handled': 'It was handled meanwhile; see the thread.',

  // A keyword the rules do not allow here.
  'relay.notAllowed.channel':
    '{keyword} is not allowed in this channel, so the file was not uploaded. Ask the opsbot admins to add this channel to the rule, or use a channel where it is allowed.',
  'relay.notAllowed.user': '{keyword} is not allowed for you, so the file was not uploaded. Ask the opsbot admins to add you to the rule, or use a channel where it is allowed.',

  // The progress message edited during a large or slow transfer.
  'relay.progress': 'Uploading {file}: {percent} ({done} of {total}, {rate})',

  // `@opsbot uploads`.
  'relay.uploads.empty': 'No file relays in {channel} yet. Share a file with a relay keyword (e.g. `!fileupload`) in the comment.',
  'relay.uploads.emptySummary': 'No file relays in this channel yet.',
  'relay.uploads.header': 'Recent file relays',
  'relay.uploads.summary': 'Recent file relays in this channel: {count}',
  'relay.uploads.done': '{when} · by {user} · {file} → {location} · {size} · SHA-256 {sha256}',
  'relay.uploads.failed': '{when} · by {user} · {file} → {destination} · failed ({reason})',
  // The short reason a failed relay shows in the list, by error code.
  'relay.uploads.reason.tooBig': 'too big',
  'relay.uploads.reason.sizeMismatch': 'incomplete download',
  'relay.uploads.reason.slackGone': 'gone from Slack',
  'relay.uploads.reason.slackDownload': 'download from Slack failed',
  'relay.uploads.reason.slackDelete': 'Slack copy not deleted',
  /** s3_refused (denied, no bucket, or S3 unreachable — the list keeps only the code) and s3_mismatch. */
  'relay.uploads.reason.s3': 'upload to S3 failed',
  'relay.uploads.reason.s3Unconfigured': 'no S3 access configured',
  'relay.uploads.reason.exists': 'name taken at the destination',
  'relay.uploads.reason.write': 'could not write the file',
  'relay.uploads.reason.changed': 'file changed while shared',
  'relay.uploads.reason.interrupted': 'interrupted by a restart',
  'relay.uploads.reason.other': 'error',

  // Said by the Slack edge: files it cannot relay, buttons it cannot handle, graphs it cannot show privately.
  'relay.skipped': "I can't relay {file}: {reason}",
  'relay.skipped.external': 'it is an external file (a link to another service), not a file stored in Slack. Upload the file itself.',
  'relay.skipped.noInfo': 'Slack would not give me its details (`files.info` failed; is the app in this channel, with `files:read`?). Nothing was stored.',
  'relay.slack.inertButton': 'That button does nothing in this opsbot.',
  'relay.slack.graphNotPrivate': '{title}: a graph cannot be shown privately. Ask `@opsbot` in a channel or thread to have it posted there.',
} as const;

export const ja: Translation<typeof en> = {
  'relay.done': '{file} を {location} に保存しました',
  'relay.done.size': 'サイズ: {size}（{bytes} バイト） · SHA-256: {sha256}',
  'relay.done.link': '{link}（{expiry} まで有効）',
  'relay.done.linkLabel': 'ダウンロードリンク',
  'relay.done.deletedFromSlack': 'このキーワードの設定に従い、Slack 上のファイルは削除しました。',
  'relay.done.summary': '{file} を {location} に保存しました（{size}、SHA-256 {sha256}）',

  'relay.alreadyStored': '{file} はすでに {location} に保存されています（{size}、SHA-256 {sha256}）。再アップロードはしていません。',
  'relay.alreadyStored.summary': '{file} はすでに {location} に保存されています',
  'relay.alreadyRelaying': '{file} は以前の共有から転送中です。保存先はそちらのスレッドでお知らせします。二重にはアップロードしません。',
  'relay.alreadyRelaying.summary': '{file} は転送中です',

  'relay.failed': '{file} を保存できませんでした。',
  'relay.failed.summary': '{file} を保存できませんでした。{reason}',
  'relay.retry.button': '再試行',
  'relay.retrying': '{user} さんの依頼で {file} を再試行します。',
  'relay.retrying.summary': '{file} を再試行します（{user} さんの依頼）',

  'relay.retry.unavailable': 'ここでは再試行できません。',
  'relay.retry.unreadable': 'この再試行ボタンの内容を読み取れませんでした。ファイルをもう一度共有してください。',
  'relay.retry.unknown': 'この転送の記録が opsbot に残っていません。ファイルをもう一度共有してください。',
  'relay.retry.alreadyStored': 'すでに {location} に保存されています。',
  'relay.retry.alreadyStoredSomewhere': 'すでに保存されています。',
  'relay.retry.inProgress': '現在転送中です。結果はスレッドでお知らせします。',
  'relay.retry.ruleGone': 'このファイルを共有したときのアップロードルールが設定からなくなったため、再試行できません。',
  'relay.retry.alreadyRetrying': 'すでに再試行中です。結果はスレッドでお知らせします。',
  'relay.retry.handled': 'その間に処理が済んでいます。スレッドを確認してください。',

  'relay.notAllowed.channel':
    'このチャンネルでは {keyword} が許可されていないため、ファイルはアップロードしていません。opsbot の管理者にこのチャンネルをルールへ追加してもらうか、許可されているチャンネルで共有してください。',
  'relay.notAllowed.user':
    'あなたには {keyword} が許可されていないため、ファイルはアップロードしていません。opsbot の管理者にルールへの追加を依頼するか、許可されているチャンネルで共有してください。',

  'relay.progress': '{file} をアップロード中: {percent}（{total} 中 {done}、{rate}）',

  'relay.uploads.empty': '{channel} ではまだファイル転送がありません。コメントに転送用キーワード（例: `!fileupload`）を付けてファイルを共有してください。',
  'relay.uploads.emptySummary': 'このチャンネルではまだファイル転送がありません。',
  'relay.uploads.header': '最近のファイル転送',
  'relay.uploads.summary': 'このチャンネルの最近のファイル転送: {count}件',
  'relay.uploads.done': '{when} · {user} · {file} → {location} · {size} · SHA-256 {sha256}',
  'relay.uploads.failed': '{when} · {user} · {file} → {destination} · 失敗（{reason}）',
  'relay.uploads.reason.tooBig': 'サイズ超過',
  'relay.uploads.reason.sizeMismatch': 'ダウンロード不完全',
  'relay.uploads.reason.slackGone': 'Slack 上で削除済み',
  'relay.uploads.reason.slackDownload': 'Slack からのダウンロード失敗',
  'relay.uploads.reason.slackDelete': 'Slack 上のファイルを削除できず',
  'relay.uploads.reason.s3': 'S3 へのアップロード失敗',
  'relay.uploads.reason.s3Unconfigured': 'S3 のアクセス設定なし',
  'relay.uploads.reason.exists': '保存先に同名のファイルあり',
  'relay.uploads.reason.write': 'ファイルの書き込み失敗',
  'relay.uploads.reason.changed': '共有後にファイルが変更された',
  'relay.uploads.reason.interrupted': '再起動で中断',
  'relay.uploads.reason.other': 'エラー',

  'relay.skipped': '{file} は転送できません: {reason}',
  'relay.skipped.external': '外部ファイル（他サービスへのリンク）で、Slack に保存されたファイルではありません。ファイル自体をアップロードしてください。',
  'relay.skipped.noInfo':
    'Slack からファイルの詳細を取得できませんでした（`files.info` が失敗。アプリがこのチャンネルに参加していて `files:read` 権限があるか確認してください）。何も保存していません。',
  'relay.slack.inertButton': 'この opsbot ではこのボタンは使えません。',
  'relay.slack.graphNotPrivate': '{title}: グラフは自分だけに見える形では表示できません。チャンネルかスレッドで `@opsbot` に依頼すると、そこに投稿します。',
};
