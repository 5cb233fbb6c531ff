import type { Translation } from '../catalogue.ts';

/**
 * The lookup commands (`host`, `hosts`, `role`, `roles`, `services`), `help` and the replies to an
 * unknown command or an empty mention. English is the reference; Japanese is written as a Japanese
 * SRE team would say it. Help summaries are keyed by command name (`help.summary.<name>`): every
 * registered command has one (test/lookup-render-snapshots.test.ts checks it).
 */
export const en = {
  // Host statuses, as Mackerel names them.
  'lookup.status.working': 'working',
  'lookup.status.standby': 'standby',
  'lookup.status.maintenance': 'maintenance',
  'lookup.status.poweroff': 'poweroff',
  /** One status's count: "🟢 30 working". */
  'lookup.count': '{glyph} {count} {status}',
  'lookup.noHosts': 'no hosts',
  /** A status filter after a heading: " (standby, maintenance)". */
  'lookup.filter': ' ({statuses})',

  // Lists of hosts, by what selected them.
  'lookup.hosts.role': { one: '*{count} host* in {role}{filter}', other: '*{count} hosts* in {role}{filter}' },
  'lookup.hosts.service': { one: '*{count} host* in {service}{filter}', other: '*{count} hosts* in {service}{filter}' },
  'lookup.hosts.pattern': { one: '*{count} host* matching {pattern}{filter}', other: '*{count} hosts* matching {pattern}{filter}' },
  'lookup.hosts.terms': { one: '*{count} host* for {terms}{filter}', other: '*{count} hosts* for {terms}{filter}' },
  'lookup.hosts.all': { one: '*{count} host* in the inventory{filter}', other: '*{count} hosts* in the inventory{filter}' },
  'lookup.more': 'Showing the first {shown} of {total}.',
  'lookup.seeAll': 'See all in Mackerel',
  'lookup.narrow': 'Add a status to narrow it, e.g. `standby`.',
  'lookup.createdAgo': 'created {age} ago',

  // One host in full.
  'lookup.field.status': 'Status',
  'lookup.field.roles': 'Roles',
  'lookup.field.addresses': 'IP addresses',
  'lookup.field.hostId': 'Host ID',
  'lookup.field.created': 'Created',
  'lookup.field.customIdentifier': 'Custom identifier',
  'lookup.field.memo': 'Memo',
  'lookup.ago': '{age} ago',
  'lookup.none': '(none)',
  'lookup.openInMackerel': 'Open in Mackerel',
  'lookup.host.summary': '{host}: {status}, {addresses}',
  'lookup.noAddress': 'no IP address',

  // Roles and services.
  'lookup.roles.heading': { one: '{service}{memo}: {count} role', other: '{service}{memo}: {count} roles' },
  'lookup.roles.line': { one: '• {role} — {count} host ({counts})', other: '• {role} — {count} hosts ({counts})' },
  'lookup.noRoles': '(no roles)',
  'lookup.rolesOf': 'Roles of {service}: {roles}',
  'lookup.services.heading': { one: '*{count} service* in {origin}', other: '*{count} services* in {origin}' },
  'lookup.services.line': { one: '• {service}{memo} — {count} host · roles: {roles}', other: '• {service}{memo} — {count} hosts · roles: {roles}' },
  'lookup.services.text': 'Services: {names}',
  'lookup.noServices': '(no services)',

  // Nothing found, and what may help.
  'lookup.notFound.host': 'No host matches {query}.',
  'lookup.notFound.host.didYouMean': 'No host matches {query}. Did you mean {suggestions}?',
  'lookup.notFound.service': 'No service named {query}.',
  'lookup.notFound.service.didYouMean': 'No service named {query}. Did you mean {suggestions}?',
  'lookup.notFound.role': 'No role named {query}.',
  'lookup.notFound.role.didYouMean': 'No role named {query}. Did you mean {suggestions}?',
  'lookup.hint.noAddress': 'No interface of any host has that address.',
  'lookup.hint.noPatternMatch': 'No host name matches that pattern.',
  'lookup.hint.scopeExpected': 'Give a service, a service:role, or a name pattern like `web-*`.',

  // A question the words typed cannot answer.
  'lookup.usage.hostMissing': 'Which host? For example `host web-01`, `host 10.1.2.3` or `host web-*`.',
  'lookup.usage.hostRequired': 'Which host? Give a name, display name, host id, IP address or a pattern matching one host.',
  'lookup.usage.roleMissing': 'Which role? Write it as service:role, for example `role shop:web`.',
  'lookup.usage.roleOfService': 'Which role of {service}? For example {example}. Roles: {roles}.',
  'lookup.usage.serviceMissing': 'Roles of which service? For example `roles shop`; `services` lists them all.',
  'lookup.usage.status': '{word} is not a host status. Statuses: {statuses}.',
  'lookup.usage.status.didYouMean': '{word} is not a host status (did you mean {suggestions}?). Statuses: {statuses}.',
  'lookup.usage.patternTooLong': 'That pattern is {length} characters long; patterns can be at most {max}. Narrow it, e.g. `web-*`.',
  'lookup.usage.patternReversedRange': '{set} has a reversed range: {low}-{high} ({low} comes after {high}). Write ranges low to high, like `[a-z]` or `[0-9]`.',
  'lookup.usage.patternTooExpensive': 'The pattern {pattern} takes too much work to match against every host. Narrow it: fewer `*` and more fixed letters, e.g. `web-*` or `db-0?`.',

  // When the data cannot be had, or is old.
  'lookup.inventoryUnavailable': 'The host inventory is not available right now. Try again in a minute.',
  'lookup.stale': '{error} Showing data from {age} ago.',

  // help
  'help.intro': '*What I can do* (mention me in a channel or thread, or DM me):',
  'help.unknown': 'No command {command}. These are the commands:',
  'help.example': 'e.g. {examples}',
  'help.summary.help': 'List the commands, or explain one',
  'help.summary.host': 'Find hosts by name, display name, host id, IP address (IPv4 or IPv6) or a pattern like `web-*`',
  'help.summary.hosts': 'List the hosts of a service, a role or a name pattern, optionally only some statuses (`working`, `standby`, `maintenance`, `poweroff`)',
  'help.summary.role': 'List the hosts in a role',
  'help.summary.roles': 'List the roles of a service with their host counts',
  'help.summary.services': 'List the services with their roles and host counts',
  'help.summary.uploads': 'List the recent file relays in this channel (who, file, where, size, SHA-256, result)',
  'help.summary.alerts': 'Open Mackerel alerts with the forecast time to their limit, soonest first',
  'help.summary.forecast':
    "When the host's disks (or its memory, or one metric) reach their limit, with the band and why. The host is given as `host` takes it: name, display name, id or IP address",
  'help.summary.graph': 'A graph of a host metric; for disks and memory with the forecast to the limit. The host is given as `host` takes it: name, display name, id or IP address',
  'help.summary.alert': 'Replay a Mackerel webhook payload (a demo fixture name or a JSON file) as if it had just arrived',

  // The dispatcher's replies when no command matches.
  'help.unknownCommand': "I don't know the command {command}. Try `@opsbot help` for the list.",
  'help.unknownCommand.didYouMean': "I don't know the command {command}. Did you mean {suggestions}? Try `@opsbot help` for the list.",
  'help.emptyMention': 'Hi! Try `@opsbot help` to see what I can do.',
} as const;

export const ja: Translation<typeof en> = {
  'lookup.status.working': '稼働中',
  'lookup.status.standby': 'スタンバイ',
  'lookup.status.maintenance': 'メンテナンス',
  'lookup.status.poweroff': '電源オフ',
  'lookup.count': '{glyph} {status} {count}台',
  'lookup.noHosts': 'ホストなし',
  'lookup.filter': '（{statuses}）',

  'lookup.hosts.role': '{role} のホスト *{count}台*{filter}',
  'lookup.hosts.service': '{service} のホスト *{count}台*{filter}',
  'lookup.hosts.pattern': '{pattern} に一致するホスト *{count}台*{filter}',
  'lookup.hosts.terms': '{terms} に一致するホスト *{count}台*{filter}',
  'lookup.hosts.all': 'ホスト *{count}台*{filter}',
  'lookup.more': '全{total}台のうち最初の{shown}台を表示しています。',
  'lookup.seeAll': 'Mackerel ですべて表示',
  'lookup.narrow': '`standby` のようにステータスを付けると絞り込めます。',
  'lookup.createdAgo': '{age}前に作成',

  'lookup.field.status': 'ステータス',
  'lookup.field.roles': 'ロール',
  'lookup.field.addresses': 'IPアドレス',
  'lookup.field.hostId': 'ホストID',
  'lookup.field.created': '作成',
  'lookup.field.customIdentifier': 'カスタム識別子',
  'lookup.field.memo': 'メモ',
  'lookup.ago': '{age}前',
  'lookup.none': '（なし）',
  'lookup.openInMackerel': 'Mackerel で開く',
  'lookup.host.summary': '{host}: {status}、{addresses}',
  'lookup.noAddress': 'IPアドレスなし',

  'lookup.roles.heading': '{service}{memo}: ロール {count}件',
  'lookup.roles.line': '• {role} — {count}台（{counts}）',
  'lookup.noRoles': '（ロールはありません）',
  'lookup.rolesOf': '{service} のロール: {roles}',
  'lookup.services.heading': '{origin} のサービス *{count}件*',
  'lookup.services.line': '• {service}{memo} — {count}台 · ロール: {roles}',
  'lookup.services.text': 'サービス: {names}',
  'lookup.noServices': '（サービスはありません）',

  'lookup.notFound.host': '{query} に一致するホストはありません。',
  'lookup.notFound.host.didYouMean': '{query} に一致するホストはありません。もしかして {suggestions} ですか？',
  'lookup.notFound.service': '{query} という名前のサービスはありません。',
  'lookup.notFound.service.didYouMean': '{query} という名前のサービスはありません。もしかして {suggestions} ですか？',
  'lookup.notFound.role': '{query} というロールはありません。',
  'lookup.notFound.role.didYouMean': '{query} というロールはありません。もしかして {suggestions} ですか？',
  'lookup.hint.noAddress': 'そのアドレスを持つインターフェースはどのホストにもありません。',
  'lookup.hint.noPatternMatch': 'このパターンに一致するホスト名はありません。',
  'lookup.hint.scopeExpected': 'サービス、サービス:ロール、または `web-*` のような名前のパターンを指定してください。',

  'lookup.usage.hostMissing': 'どのホストですか？ `host web-01`、`host 10.1.2.3`、`host web-*` のように指定してください。',
  'lookup.usage.hostRequired': 'どのホストですか？ ホスト名、表示名、ホストID、IPアドレス、または1台だけに一致するパターンで指定してください。',
  'lookup.usage.roleMissing': 'どのロールですか？ `role shop:web` のように「サービス:ロール」の形で指定してください。',
  'lookup.usage.roleOfService': '{service} のどのロールですか？ {example} のように指定してください。ロール: {roles}',
  'lookup.usage.serviceMissing': 'どのサービスのロールですか？ `roles shop` のように指定してください。サービスの一覧は `services` で確認できます。',
  'lookup.usage.status': '{word} はホストのステータスではありません。指定できるのは {statuses} です。',
  'lookup.usage.status.didYouMean': '{word} はホストのステータスではありません。もしかして {suggestions} ですか？ 指定できるのは {statuses} です。',
  'lookup.usage.patternTooLong': 'パターンが長すぎます（{length}文字）。{max}文字以内で、`web-*` のように絞り込んでください。',
  'lookup.usage.patternReversedRange': '{set} の範囲 {low}-{high} が逆順です（{low} は {high} より後の文字です）。`[a-z]` や `[0-9]` のように小さい方から書いてください。',
  'lookup.usage.patternTooExpensive': 'パターン {pattern} は全ホストと照合するには重すぎます。`*` を減らして固定の文字を増やしてください（例: `web-*`、`db-0?`）。',

  'lookup.inventoryUnavailable': 'いまはホスト一覧を取得できません。1分ほどしてからもう一度お試しください。',
  'lookup.stale': '{error}{age}前のデータを表示しています。',

  'help.intro': '*できること*（チャンネルやスレッドでメンションするか、DM でどうぞ）:',
  'help.unknown': '{command} というコマンドはありません。使えるコマンドは次のとおりです:',
  'help.example': '例: {examples}',
  'help.summary.help': 'コマンドの一覧、または1つのコマンドの説明を表示します',
  'help.summary.host': 'ホスト名、表示名、ホストID、IPアドレス（IPv4・IPv6）、または `web-*` のようなパターンでホストを探します',
  'help.summary.hosts': 'サービス、ロール、名前のパターンでホストを一覧します。ステータス（`working`、`standby`、`maintenance`、`poweroff`）で絞り込めます',
  'help.summary.role': 'ロールに属するホストを一覧します',
  'help.summary.roles': 'サービスのロールをホスト数とともに一覧します',
  'help.summary.services': 'サービスをロールとホスト数とともに一覧します',
  'help.summary.uploads': 'このチャンネルで最近転送したファイルを一覧します（投稿者、ファイル、転送先、サイズ、SHA-256、結果）',
  'help.summary.alerts': '発生中の Mackerel アラートを、上限に達する予測の早い順に表示します',
  'help.summary.forecast':
    'ホストのディスク（またはメモリ、指定したメトリック）がいつ上限に達するかを、予測の幅と根拠とともに示します。ホストは `host` と同じく、名前・表示名・ID・IPアドレスで指定できます',
  'help.summary.graph': 'ホストのメトリックをグラフで表示します。ディスクとメモリは上限までの予測も描きます。ホストは `host` と同じく、名前・表示名・ID・IPアドレスで指定できます',
  'help.summary.alert': 'Mackerel からの通知（デモ用のフィクスチャ名か `.json` ファイル）を、いま届いたものとして再生します',

  'help.unknownCommand': '{command} というコマンドはありません。`@opsbot help` で一覧を確認できます。',
  'help.unknownCommand.didYouMean': '{command} というコマンドはありません。もしかして {suggestions} ですか？ `@opsbot help` で一覧を確認できます。',
  'help.emptyMention': 'こんにちは！ `@opsbot help` でできることを確認できます。',
};
