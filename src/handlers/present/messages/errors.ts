import type { Translation } from '../catalogue.ts';

/**
 * What people read about a failure (src/handlers/present/describe-error.ts picks one from the
 * error's code and details). Each says what happened, whether anything was stored, and what to
 * do. English is the reference; Japanese is written as a Japanese SRE team would say it.
 * `{status}` is an HTTP status as "HTTP 403" in both languages.
 */
export const en = {
  // Relaying a file.
  'errors.tooBig': 'This file is {size}, more than the {max} allowed here, so it was not uploaded. Compress or split it, or ask an admin to raise the limit for this keyword.',
  'errors.tooBigUnknownSize': 'This file is larger than the {max} allowed here, so it was not uploaded. Compress or split it, or ask an admin to raise the limit for this keyword.',
  'errors.sizeMismatch': 'The download ended after {bytes}, but Slack said the file has {expected}, so it was not kept. Please share the file again.',
  'errors.relayAborted': 'opsbot stopped while relaying this file, so nothing was stored. Please share it again.',
  'errors.relayFailed': 'Relaying the file failed unexpectedly, so nothing was stored. Please try again; if it keeps failing, tell the opsbot admins.',
  'errors.relayInterrupted': 'opsbot restarted while relaying this file and cannot fetch it again, so nothing was stored. Please share it again.',
  'errors.fileChanged': '{file} changed after it was shared, so nothing was stored. Upload it again.',
  'errors.destinationExists': 'A file with that name already exists at the destination and was not overwritten. Please share the file again.',
  'errors.fileWriteFailed': 'Writing the file to the destination folder failed, so nothing was stored. Please tell the opsbot admins.',
  'errors.s3Unconfigured': 'This keyword points at S3, but opsbot has no S3 access configured. Tell the opsbot admins.',
  'errors.s3AccessDenied': 'S3 refused the upload (access denied), so nothing was stored. The bot may lack write access to the bucket; tell the opsbot admins.',
  'errors.s3NoBucket': 'The configured S3 bucket does not exist, so nothing was stored. Tell the opsbot admins.',
  'errors.s3Exists': 'An object with that name already exists in S3 and was not overwritten, so nothing was stored. Please share the file again.',
  'errors.s3Unreachable': 'The connection to S3 failed during the upload, so nothing was stored. Please try again later; if it keeps failing, tell the opsbot admins.',
  'errors.s3Refused': 'S3 refused the upload ({status}), so nothing was stored. Please try again later; if it keeps failing, tell the opsbot admins.',
  'errors.s3RefusedNoStatus': 'S3 refused the upload, so nothing was stored. Please try again later; if it keeps failing, tell the opsbot admins.',
  'errors.s3Mismatch': 'S3 reports a different size than was sent, so the upload was removed. Please share the file again.',
  // Slack's files.
  'errors.slackUnreachableDownload': 'Could not reach Slack to download the file. Please share it again in a few minutes.',
  'errors.slackDownloadBrokeOff': 'The download from Slack broke off, so nothing was stored. Please share the file again.',
  'errors.slackUnreachable': 'Could not reach Slack. Please try again in a few minutes.',
  'errors.slackRedirects': 'Slack kept redirecting the download, so the file could not be fetched. Please try again later.',
  'errors.slackLoginPage':
    'Slack sent its sign-in page instead of the file, so nothing was stored. The app probably lacks the `files:read` scope (or is not in this channel); ask an admin to add it and reinstall the app, then share the file again.',
  'errors.slackBadUrl': 'Slack gave a file link opsbot cannot use, so the file was not relayed.',
  'errors.slackNoUrl': 'Slack gave no download link for this file (an external or not-yet-processed file?). Nothing was stored.',
  'errors.slackFileGone': 'Slack no longer has this file (it may have been deleted). Nothing was stored.',
  'errors.slackDownloadDenied': 'Slack refused the download ({status}). Check that the app has the `files:read` scope and is in this channel, then share the file again.',
  'errors.slackDownloadRefused': 'Slack refused the download ({status}). Please share the file again in a few minutes.',
  'errors.slackApiRefused': 'Slack refused {method} ({slackError}).',
  'errors.slackNoFileInfo': 'Slack returned no information about this file.',
  'errors.slackDeleteUnconfigured': 'Deleting the Slack copy needs `SLACK_USER_TOKEN` (a user token with `files:write`).',
  // Host data.
  'errors.mackerelUnreachable': ':warning: Mackerel is not answering. Try again in a minute.',
  'errors.mackerelKeyRefused': ':no_entry: Mackerel refused the API key ({status}). Check `MACKEREL_APIKEY` and any IP restriction on the organization.',
  'errors.mackerelNotFound': ':grey_question: Mackerel does not know that ({status}).',
  'errors.mackerelRateLimited': ':hourglass: Mackerel is rate-limiting the bot. Try again in a minute.',
  'errors.mackerelTrouble': ':warning: Mackerel is having trouble ({status}). Try again in a minute.',
  'errors.mackerelRejected': ':warning: Mackerel rejected the request ({status}).',
  'errors.inventoryFile': ':warning: The inventory file {file} is not valid: {problem}. See `docs/inventory.md`.',
  'errors.inventoryLoadFailed': ':warning: The host inventory could not be loaded (details are in the bot log).',
  'errors.inventoryUnavailable': '{problem} There is no cached inventory to answer from yet.',
} as const;

export const ja: Translation<typeof en> = {
  'errors.tooBig':
    'このファイルは {size} で、ここで許可されている {max} を超えているためアップロードしませんでした。圧縮・分割するか、管理者にこのキーワードの上限を上げてもらってください。',
  'errors.tooBigUnknownSize': 'このファイルはここで許可されている {max} を超えているためアップロードしませんでした。圧縮・分割するか、管理者にこのキーワードの上限を上げてもらってください。',
  'errors.sizeMismatch': 'ダウンロードは {bytes} で終わりましたが、Slack 上のサイズは {expected} だったため保存しませんでした。もう一度ファイルを共有してください。',
  'errors.relayAborted': '転送中に opsbot が停止したため、何も保存されていません。もう一度共有してください。',
  'errors.relayFailed': 'ファイルの転送が予期せず失敗したため、何も保存されていません。もう一度お試しください。繰り返し失敗する場合は opsbot の管理者に連絡してください。',
  'errors.relayInterrupted': '転送中に opsbot が再起動し、ファイルを取得し直せないため、何も保存されていません。もう一度共有してください。',
  'errors.fileChanged': '{file} は共有後に変更されたため、何も保存されていません。もう一度アップロードしてください。',
  'errors.destinationExists': '転送先に同じ名前のファイルがすでにあるため、上書きしませんでした。もう一度ファイルを共有してください。',
  'errors.fileWriteFailed': '転送先フォルダへの書き込みに失敗したため、何も保存されていません。opsbot の管理者に連絡してください。',
  'errors.s3Unconfigured': 'このキーワードの転送先は S3 ですが、opsbot に S3 へのアクセスが設定されていません。opsbot の管理者に連絡してください。',
  'errors.s3AccessDenied':
    'S3 にアップロードを拒否されたため（アクセス拒否）、何も保存されていません。ボットにバケットへの書き込み権限がない可能性があります。opsbot の管理者に連絡してください。',
  'errors.s3NoBucket': '設定された S3 バケットが存在しないため、何も保存されていません。opsbot の管理者に連絡してください。',
  'errors.s3Exists': 'S3 に同じ名前のオブジェクトがすでにあり、上書きしなかったため、何も保存されていません。もう一度ファイルを共有してください。',
  'errors.s3Unreachable':
    'アップロード中に S3 との接続が切れたため、何も保存されていません。しばらくしてからもう一度お試しください。繰り返し失敗する場合は opsbot の管理者に連絡してください。',
  'errors.s3Refused':
    'S3 にアップロードを拒否されたため（{status}）、何も保存されていません。しばらくしてからもう一度お試しください。繰り返し失敗する場合は opsbot の管理者に連絡してください。',
  'errors.s3RefusedNoStatus': 'S3 にアップロードを拒否されたため、何も保存されていません。しばらくしてからもう一度お試しください。繰り返し失敗する場合は opsbot の管理者に連絡してください。',
  'errors.s3Mismatch': 'S3 上のサイズが送信したサイズと一致しなかったため、アップロードしたファイルを削除しました。もう一度ファイルを共有してください。',
  'errors.slackUnreachableDownload': 'ファイルをダウンロードするための Slack への接続に失敗しました。数分後にもう一度共有してください。',
  'errors.slackDownloadBrokeOff': 'Slack からのダウンロードが途中で切れたため、何も保存されていません。もう一度ファイルを共有してください。',
  'errors.slackUnreachable': 'Slack に接続できませんでした。数分後にもう一度お試しください。',
  'errors.slackRedirects': 'Slack のダウンロードでリダイレクトが続いたため、ファイルを取得できませんでした。しばらくしてからもう一度お試しください。',
  'errors.slackLoginPage':
    'Slack からファイルではなくサインインページが返されたため、何も保存されていません。アプリに `files:read` スコープがない（またはこのチャンネルに参加していない）可能性があります。管理者にスコープを追加してアプリを再インストールしてもらい、もう一度ファイルを共有してください。',
  'errors.slackBadUrl': 'Slack から opsbot が扱えないファイルリンクが返されたため、ファイルを転送しませんでした。',
  'errors.slackNoUrl': 'Slack からこのファイルのダウンロードリンクが返されませんでした（外部ファイルか、まだ処理中のファイルかもしれません）。何も保存されていません。',
  'errors.slackFileGone': 'このファイルはもう Slack 上にありません（削除された可能性があります）。何も保存されていません。',
  'errors.slackDownloadDenied':
    'Slack にダウンロードを拒否されました（{status}）。アプリに `files:read` スコープがあり、このチャンネルに参加していることを確認してから、もう一度ファイルを共有してください。',
  'errors.slackDownloadRefused': 'Slack にダウンロードを拒否されました（{status}）。数分後にもう一度ファイルを共有してください。',
  'errors.slackApiRefused': 'Slack に {method} を拒否されました（{slackError}）。',
  'errors.slackNoFileInfo': 'Slack からこのファイルの情報が返されませんでした。',
  'errors.slackDeleteUnconfigured': 'Slack 上のコピーを削除するには `SLACK_USER_TOKEN`（`files:write` 権限を持つユーザートークン）が必要です。',
  'errors.mackerelUnreachable': ':warning: Mackerel から応答がありません。1分ほどしてからもう一度お試しください。',
  'errors.mackerelKeyRefused': ':no_entry: Mackerel に API キーを拒否されました（{status}）。`MACKEREL_APIKEY` と、オーガニゼーションの IP 制限を確認してください。',
  'errors.mackerelNotFound': ':grey_question: Mackerel に該当するものがありません（{status}）。',
  'errors.mackerelRateLimited': ':hourglass: Mackerel のレート制限にかかっています。1分ほどしてからもう一度お試しください。',
  'errors.mackerelTrouble': ':warning: Mackerel で問題が起きています（{status}）。1分ほどしてからもう一度お試しください。',
  'errors.mackerelRejected': ':warning: Mackerel にリクエストを拒否されました（{status}）。',
  'errors.inventoryFile': ':warning: インベントリファイル {file} が正しくありません: {problem}。`docs/inventory.md` を確認してください。',
  'errors.inventoryLoadFailed': ':warning: ホストのインベントリを読み込めませんでした（詳細はボットのログにあります）。',
  'errors.inventoryUnavailable': '{problem}キャッシュされたインベントリもまだないため、回答できません。',
};
