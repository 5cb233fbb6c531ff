import type { OpsbotError } from '../../core/errors.ts';
import type { StatusCounts } from '../../services/inventory/host-index.ts';
import type { HostStatus, InventoryHost } from '../../services/inventory/types.ts';
import type { HostScope, LookupResult, LookupUsage, Miss, NotFoundHint } from '../../services/lookup/types.ts';
import { bold, code, context, EMPTY, joinMd, link, linesToSections, md, plain, section, type ChatMessage, type MessageBlock, type Mrkdwn } from '../../core/message.ts';
import { warning } from '../command-registry.ts';
import { HOST_STATUS_GLYPHS, OUTCOME_GLYPHS } from '../present/glyphs.ts';
import { eitherOf as alternatives, listOf } from '../present/list.ts';
import type { Presenter } from '../present/presenter.ts';
import { mackerelLinks } from './format.ts';

/** What the renderers need besides the result. */
export interface RenderContext {
  /** The team's language and formatters. */
  present: Presenter;
  /** Mackerel org page; without it replies carry no links. */
  orgUrl?: string;
  /** Epoch seconds, for host ages. */
  now: number;
  /** "Mackerel" or the inventory file name. */
  origin: string;
  /** Seconds since the inventory was loaded. */
  ageSeconds: number;
  /** Set when the data is stale because refreshing failed: the failure, worded by `present.error`. */
  refreshError?: OpsbotError;
  /** Hosts listed in full before "and N more" (default 20). */
  maxListed?: number;
}

type Links = ReturnType<typeof mackerelLinks>;

const NOT_FOUND_GLYPH = ':mag:';

const STATUS_WORDS = {
  working: 'lookup.status.working',
  standby: 'lookup.status.standby',
  maintenance: 'lookup.status.maintenance',
  poweroff: 'lookup.status.poweroff',
} as const satisfies Record<HostStatus, string>;

const STATUSES = Object.keys(HOST_STATUS_GLYPHS) as HostStatus[];

/** A host status in the team's language: "standby", 「スタンバイ」. */
export function statusWord(status: HostStatus, present: Presenter): string {
  return present.text(STATUS_WORDS[status]);
}

/** "`a`, `b`, or `c`" / 「`a`、`b`、または `c`」. */
const eitherOf = (names: readonly string[], present: Presenter): Mrkdwn =>
  alternatives(
    names.map((n) => code(n)),
    present,
  );
/** "web-01 (Web 1)" / 「web-01（Web 1）」: a host's name with its display name. */
const nameWithDisplayName = (host: InventoryHost, present: Presenter, name: Mrkdwn | string = host.name): Mrkdwn =>
  host.displayName ? present.t('common.aside', { text: name, note: host.displayName }) : joinMd([name]);
/** A list, or "(none)". */
const listOrNone = (items: readonly (Mrkdwn | string)[], present: Presenter): Mrkdwn => (items.length ? listOf(items, present) : present.t('lookup.none'));

function rolesOf(host: InventoryHost, links: Links): Mrkdwn[] {
  return Object.entries(host.roles).flatMap(([service, roles]) => roles.map((role) => link(links.role(service, role), `${service}:${role}`)));
}

function ipsOf(host: InventoryHost): string[] {
  return host.interfaces.flatMap((i) => [...i.ipv4Addresses, ...i.ipv6Addresses]);
}

/** One status line: "🟢 30 working · 🟡 2 standby"; statuses with no hosts are left out. */
export function renderCounts(counts: StatusCounts, present: Presenter): Mrkdwn {
  const parts = STATUSES.filter((s) => counts[s] > 0).map((s) => present.t('lookup.count', { glyph: HOST_STATUS_GLYPHS[s], count: counts[s], status: statusWord(s, present) }));
  return parts.length ? joinMd(parts, ' · ') : present.t('lookup.noHosts');
}

/** Seconds since the host was created, known only when Mackerel gave a real creation time (0 or a time in the future is not one). */
function ageOf(host: InventoryHost, now: number): number | undefined {
  return host.createdAt !== undefined && host.createdAt > 0 && host.createdAt <= now ? now - host.createdAt : undefined;
}

function hostLine(host: InventoryHost, links: Links, ctx: RenderContext): Mrkdwn {
  const { present } = ctx;
  const ips = ipsOf(host);
  const roles = rolesOf(host, links);
  const age = ageOf(host, ctx.now);
  const parts: Mrkdwn[] = [md`${HOST_STATUS_GLYPHS[host.status]} ${nameWithDisplayName(host, present, bold(link(links.host(host.id), host.name)))}`];
  if (roles.length) parts.push(listOf(roles, present));
  if (ips.length) parts.push(md`${listOf(ips.slice(0, 2), present)}${ips.length > 2 ? ` +${ips.length - 2}` : ''}`);
  if (age !== undefined) parts.push(present.t('lookup.createdAgo', { age: present.duration(age) }));
  return joinMd(parts, ' · ');
}

function freshness(ctx: RenderContext): MessageBlock[] {
  if (ctx.refreshError === undefined) return [];
  const { present } = ctx;
  return [context(warning(present.t('lookup.stale', { error: present.error(ctx.refreshError), age: present.duration(ctx.ageSeconds) })))];
}

/** `text` is the notification fallback (mrkdwn, like the blocks); a stale-data note goes under the blocks. */
function message(text: Mrkdwn, blocks: MessageBlock[], ctx: RenderContext): ChatMessage {
  return { text, blocks: [...blocks, ...freshness(ctx)] };
}

/** Full details of one host; its addresses one line per interface, with the interface's name. */
export function renderHost(host: InventoryHost, ctx: RenderContext): ChatMessage {
  const { present } = ctx;
  const links = mackerelLinks(ctx.orgUrl);
  const glyph = HOST_STATUS_GLYPHS[host.status];
  const status = statusWord(host.status, present);
  const field = (
    label: 'lookup.field.status' | 'lookup.field.roles' | 'lookup.field.hostId' | 'lookup.field.created' | 'lookup.field.customIdentifier' | 'lookup.field.memo',
    value: Mrkdwn,
  ) => md`${bold(present.text(label))}\n${value}`;
  const title = md`${glyph} ${bold(link(links.host(host.id), host.name))}${host.displayName ? md` — ${host.displayName}` : ''}`;
  const fields: Mrkdwn[] = [
    field('lookup.field.status', md`${glyph} ${status}`),
    field('lookup.field.roles', listOrNone(rolesOf(host, links), present)),
    field('lookup.field.hostId', code(host.id)),
  ];
  const age = ageOf(host, ctx.now);
  if (age !== undefined) fields.push(field('lookup.field.created', present.t('lookup.ago', { age: present.duration(age) })));
  if (host.customIdentifier) fields.push(field('lookup.field.customIdentifier', code(host.customIdentifier)));
  if (host.memo) fields.push(field('lookup.field.memo', plain(host.memo)));
  const interfaces = host.interfaces.filter((i) => i.ipv4Addresses.length + i.ipv6Addresses.length);
  const addresses = interfaces.length
    ? joinMd(
        interfaces.map((i) => md`• ${i.name}: ${listOf([...i.ipv4Addresses, ...i.ipv6Addresses], present)}`),
        '\n',
      )
    : present.t('lookup.none');
  const blocks: MessageBlock[] = [section(title, fields), section(md`${bold(present.text('lookup.field.addresses'))}\n${addresses}`)];
  const url = links.host(host.id);
  if (url) blocks.push(context(link(url, present.text('lookup.openInMackerel'))));
  const ips = ipsOf(host);
  const text = present.t('lookup.host.summary', {
    host: nameWithDisplayName(host, present),
    status,
    addresses: ips.length ? listOf(ips, present) : present.t('lookup.noAddress'),
  });
  return message(text, blocks, ctx);
}

/** The heading of a host list, by what selected it, and the Mackerel page that shows the whole list. */
function scopeHeading(scope: HostScope, count: number, filter: Mrkdwn, links: Links, present: Presenter): { heading: Mrkdwn; url?: string | undefined } {
  switch (scope.kind) {
    case 'role':
      return {
        heading: present.t('lookup.hosts.role', { count, role: link(links.role(scope.service, scope.role), `${scope.service}:${scope.role}`), filter }),
        url: links.role(scope.service, scope.role),
      };
    case 'service':
      return { heading: present.t('lookup.hosts.service', { count, service: link(links.service(scope.service), scope.service), filter }), url: links.service(scope.service) };
    case 'pattern':
      return { heading: present.t('lookup.hosts.pattern', { count, pattern: code(scope.pattern), filter }), url: links.hosts() };
    case 'terms':
      return {
        heading: present.t('lookup.hosts.terms', {
          count,
          terms: joinMd(
            scope.terms.map((t) => code(t)),
            ' ',
          ),
          filter,
        }),
        url: links.hosts(),
      };
    case 'all':
      return { heading: present.t('lookup.hosts.all', { count, filter }), url: links.hosts() };
  }
}

/** "No host matches `x`. Did you mean `y`?" for a host, service or role. */
function notFoundSentence(what: 'host' | 'service' | 'role', query: string, suggestions: readonly string[], present: Presenter): Mrkdwn {
  const q = code(query);
  if (suggestions.length === 0) return present.t(`lookup.notFound.${what}`, { query: q });
  return present.t(`lookup.notFound.${what}.didYouMean`, { query: q, suggestions: eitherOf(suggestions, present) });
}

function missLines(misses: Miss[], present: Presenter): Mrkdwn[] {
  return misses.map((m) => notFoundSentence('host', m.term, m.suggestions, present));
}

/** A list of hosts: counts per status, the first N, and a link for the rest. */
export function renderHosts(result: Extract<LookupResult, { kind: 'hosts' }>, ctx: RenderContext): ChatMessage {
  const { present } = ctx;
  const links = mackerelLinks(ctx.orgUrl);
  const max = ctx.maxListed ?? 20;
  const n = result.hosts.length;
  const filter = result.statuses.length
    ? present.t('lookup.filter', {
        statuses: listOf(
          result.statuses.map((s) => statusWord(s, present)),
          present,
        ),
      })
    : EMPTY;
  const { heading, url } = scopeHeading(result.scope, n, filter, links, present);
  const shown = result.hosts.slice(0, max);
  const blocks: MessageBlock[] = [section(md`${heading}\n${renderCounts(result.counts, present)}`), ...linesToSections(shown.map((h) => hostLine(h, links, ctx)))];
  if (n > max) {
    const more: Mrkdwn[] = [present.t('lookup.more', { shown: present.number(max), total: present.number(n) })];
    if (url) more.push(link(url, present.text('lookup.seeAll')));
    if (!result.statuses.length) more.push(present.t('lookup.narrow'));
    blocks.push(context(...more));
  }
  if (result.misses.length) blocks.push(context(joinMd(missLines(result.misses, present), '\n')));
  const names = shown.map((h) => h.name);
  return message(names.length ? md`${heading}: ${listOf(n > max ? [...names, '…'] : names, present)}` : heading, blocks, ctx);
}

export function renderRoles(result: Extract<LookupResult, { kind: 'roles' }>, ctx: RenderContext): ChatMessage {
  const { present } = ctx;
  const links = mackerelLinks(ctx.orgUrl);
  const svc = result.service;
  const lines = result.roles.map((r) => present.t('lookup.roles.line', { role: link(links.role(svc.name, r.name), r.name), count: r.total, counts: renderCounts(r.counts, present) }));
  const heading = present.t('lookup.roles.heading', { service: bold(link(links.service(svc.name), svc.name)), memo: svc.memo ? md` — ${svc.memo}` : EMPTY, count: result.roles.length });
  const text = present.t('lookup.rolesOf', {
    service: svc.name,
    roles: listOrNone(
      result.roles.map((r) => r.name),
      present,
    ),
  });
  return message(text, [section(heading), ...linesToSections(lines.length ? lines : [present.t('lookup.noRoles')])], ctx);
}

export function renderServices(result: Extract<LookupResult, { kind: 'services' }>, ctx: RenderContext): ChatMessage {
  const { present } = ctx;
  const links = mackerelLinks(ctx.orgUrl);
  const lines = result.services.map((s) =>
    present.t('lookup.services.line', {
      service: bold(link(links.service(s.name), s.name)),
      memo: s.memo ? md` (${s.memo})` : EMPTY,
      count: s.total,
      roles: listOrNone(
        s.roles.map((r) => link(links.role(s.name, r), r)),
        present,
      ),
    }),
  );
  const heading = present.t('lookup.services.heading', { count: result.services.length, origin: ctx.origin });
  const text = present.t('lookup.services.text', {
    names: listOrNone(
      result.services.map((s) => s.name),
      present,
    ),
  });
  return message(text, [section(heading), ...linesToSections(lines.length ? lines : [present.t('lookup.noServices')])], ctx);
}

function hintText(hint: NotFoundHint, present: Presenter): Mrkdwn {
  switch (hint.code) {
    case 'no-address':
      return present.t('lookup.hint.noAddress');
    case 'no-pattern-match':
      return present.t('lookup.hint.noPatternMatch');
    case 'scope-expected':
      return present.t('lookup.hint.scopeExpected');
    case 'roles-of':
      return present.t('lookup.rolesOf', { service: hint.service, roles: listOrNone(hint.roles, present) });
  }
}

/** "No host matches `wbe-01`. Did you mean `web-01`?", and what may help. */
export function renderNotFound(result: Extract<LookupResult, { kind: 'not-found' }>, ctx: RenderContext): ChatMessage {
  const { present } = ctx;
  const sentence = notFoundSentence(result.what, result.query, result.suggestions, present);
  const text = md`${NOT_FOUND_GLYPH} ${sentence}${result.hint ? md`\n${hintText(result.hint, present)}` : ''}`;
  return message(sentence, [section(text)], ctx);
}

/** Patterns longer than this are shown cut in a reply. */
const SHOWN_PATTERN = 60;

/** The sentence explaining why a query cannot be answered as typed. */
export function usageText(usage: LookupUsage, present: Presenter): Mrkdwn {
  switch (usage.code) {
    case 'host-missing':
      return present.t('lookup.usage.hostMissing');
    case 'host-required':
      return present.t('lookup.usage.hostRequired');
    case 'role-missing':
      return present.t('lookup.usage.roleMissing');
    case 'role-of-service':
      return present.t('lookup.usage.roleOfService', { service: usage.service, example: code(`role ${usage.service}:${usage.roles[0] ?? 'web'}`), roles: listOrNone(usage.roles, present) });
    case 'service-missing':
      return present.t('lookup.usage.serviceMissing');
    case 'unknown-status': {
      const statuses = listOf(
        usage.statuses.map((s) => code(s)),
        present,
      );
      if (usage.suggestions.length === 0) return present.t('lookup.usage.status', { word: code(usage.word), statuses });
      return present.t('lookup.usage.status.didYouMean', { word: code(usage.word), suggestions: eitherOf(usage.suggestions, present), statuses });
    }
    case 'pattern-too-long':
      return present.t('lookup.usage.patternTooLong', { length: present.number(usage.length), max: present.number(usage.max) });
    case 'pattern-reversed-range':
      return present.t('lookup.usage.patternReversedRange', { set: code(usage.set), low: usage.low, high: usage.high });
    case 'pattern-too-expensive': {
      const shown = usage.pattern.length > SHOWN_PATTERN ? `${usage.pattern.slice(0, SHOWN_PATTERN)}…` : usage.pattern;
      return present.t('lookup.usage.patternTooExpensive', { pattern: code(shown) });
    }
  }
}

export function renderUsage(usage: LookupUsage, ctx: RenderContext): ChatMessage {
  const sentence = usageText(usage, ctx.present);
  return message(sentence, [section(md`${OUTCOME_GLYPHS.info} ${sentence}`)], ctx);
}

/** Renders any lookup result. */
export function renderLookupResult(result: LookupResult, ctx: RenderContext): ChatMessage {
  switch (result.kind) {
    case 'host':
      return renderHost(result.host, ctx);
    case 'hosts':
      return renderHosts(result, ctx);
    case 'roles':
      return renderRoles(result, ctx);
    case 'services':
      return renderServices(result, ctx);
    case 'not-found':
      return renderNotFound(result, ctx);
    case 'usage':
      return renderUsage(result.usage, ctx);
  }
}
