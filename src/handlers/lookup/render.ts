import type { StatusCounts } from '../../services/inventory/host-index.ts';
import type { InventoryHost } from '../../services/inventory/types.ts';
import type { HostScope, LookupResult, Miss } from '../../services/lookup/types.ts';
import { bold, code, context, joinMd, link, linesToSections, md, plain, section, type ChatMessage, type MessageBlock, type Mrkdwn } from '../../core/message.ts';
import { formatAge, mackerelLinks, STATUS_GLYPHS } from './format.ts';

/** What the renderers need besides the result. */
export interface RenderContext {
  /** Mackerel org page; without it replies carry no links. */
  orgUrl?: string;
  /** Epoch seconds, for host ages. */
  now: number;
  /** "Mackerel" or the inventory file name. */
  origin: string;
  /** Seconds since the inventory was loaded. */
  ageSeconds: number;
  /** Set when the data is stale because refreshing failed. */
  refreshError?: string;
  /** Hosts listed in full before "and N more" (default 20). */
  maxListed?: number;
}

type Links = ReturnType<typeof mackerelLinks>;

function rolesOf(host: InventoryHost, links: Links): Mrkdwn[] {
  return Object.entries(host.roles).flatMap(([service, roles]) => roles.map((role) => link(links.role(service, role), `${service}:${role}`)));
}

function ipsOf(host: InventoryHost): string[] {
  return host.interfaces.flatMap((i) => [...i.ipv4Addresses, ...i.ipv6Addresses]);
}

/** One status line: "🟢 30 working · 🟡 2 standby"; statuses with no hosts are left out. */
export function renderCounts(counts: StatusCounts): Mrkdwn {
  const parts = (Object.keys(STATUS_GLYPHS) as (keyof StatusCounts)[]).filter((s) => counts[s] > 0).map((s) => `${STATUS_GLYPHS[s]} ${counts[s]} ${s}`);
  return plain(parts.join(' · ') || 'no hosts');
}

/** Known only when Mackerel gave a real creation time (0 or a time in the future is not one). */
function ageOf(host: InventoryHost, now: number): string | undefined {
  return host.createdAt !== undefined && host.createdAt > 0 && host.createdAt <= now ? formatAge(now - host.createdAt) : undefined;
}

function hostLine(host: InventoryHost, links: Links, now: number): Mrkdwn {
  const ips = ipsOf(host);
  const roles = rolesOf(host, links);
  const age = ageOf(host, now);
  const parts: Mrkdwn[] = [md`${STATUS_GLYPHS[host.status]} ${bold(link(links.host(host.id), host.name))}${host.displayName ? md` (${host.displayName})` : ''}`];
  if (roles.length) parts.push(joinMd(roles, ', '));
  if (ips.length) parts.push(plain(ips.slice(0, 2).join(', ') + (ips.length > 2 ? ` +${ips.length - 2}` : '')));
  if (age) parts.push(plain(age));
  return joinMd(parts, ' · ');
}

function freshness(ctx: RenderContext): MessageBlock[] {
  if (ctx.refreshError) return [context(md`${ctx.refreshError} Showing data from ${formatAge(ctx.ageSeconds)} ago.`)];
  return [];
}

/** `text` is the plain notification fallback; Slack parses it too, so it is escaped (`plain`). */
function message(text: string, blocks: MessageBlock[], ctx: RenderContext): ChatMessage {
  return { text: plain(text), blocks: [...blocks, ...freshness(ctx)] };
}

/** Full details of one host. */
export function renderHost(host: InventoryHost, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const title = md`${STATUS_GLYPHS[host.status]} ${bold(link(links.host(host.id), host.name))}${host.displayName ? md` — ${host.displayName}` : ''}`;
  const roles = rolesOf(host, links);
  const addresses = host.interfaces.filter((i) => i.ipv4Addresses.length + i.ipv6Addresses.length).map((i) => md`${i.name}: ${[...i.ipv4Addresses, ...i.ipv6Addresses].join(', ')}`);
  const fields: Mrkdwn[] = [
    md`*Status*\n${STATUS_GLYPHS[host.status]} ${host.status}`,
    md`*Roles*\n${roles.length ? joinMd(roles, ', ') : '(none)'}`,
    md`*IP addresses*\n${addresses.length ? joinMd(addresses, '\n') : '(none)'}`,
    md`*Host ID*\n${code(host.id)}`,
  ];
  const age = ageOf(host, ctx.now);
  if (age) fields.push(md`*Age*\n${age}`);
  if (host.customIdentifier) fields.push(md`*Custom identifier*\n${code(host.customIdentifier)}`);
  if (host.memo) fields.push(md`*Memo*\n${host.memo}`);
  const blocks: MessageBlock[] = [section(title, fields)];
  const url = links.host(host.id);
  if (url) blocks.push(context(link(url, 'Open in Mackerel')));
  return message(`${host.name}${host.displayName ? ` (${host.displayName})` : ''}: ${host.status}, ${ipsOf(host).join(', ') || 'no IP'}`, blocks, ctx);
}

function scopeLabel(scope: HostScope, links: Links): { label: Mrkdwn; url?: string | undefined; plain: string } {
  switch (scope.kind) {
    case 'role':
      return {
        label: md`in ${link(links.role(scope.service, scope.role), `${scope.service}:${scope.role}`)}`,
        url: links.role(scope.service, scope.role),
        plain: `in ${scope.service}:${scope.role}`,
      };
    case 'service':
      return { label: md`in ${link(links.service(scope.service), scope.service)}`, url: links.service(scope.service), plain: `in ${scope.service}` };
    case 'pattern':
      return { label: md`matching ${code(scope.pattern)}`, url: links.hosts(), plain: `matching ${scope.pattern}` };
    case 'terms':
      return {
        label: md`for ${joinMd(
          scope.terms.map((t) => code(t)),
          ' ',
        )}`,
        url: links.hosts(),
        plain: `for ${scope.terms.join(' ')}`,
      };
    case 'all':
      return { label: md`in the inventory`, url: links.hosts(), plain: 'in the inventory' };
  }
}

const suggestionList = (names: readonly string[]) =>
  joinMd(
    names.map((n) => code(n)),
    ' or ',
  );

function missLines(misses: Miss[]): Mrkdwn[] {
  return misses.map((m) => md`No host matches ${code(m.term)}${m.suggestions.length ? md` — did you mean ${suggestionList(m.suggestions)}?` : '.'}`);
}

/** A list of hosts: counts per status, the first N, and a link for the rest. */
export function renderHosts(result: Extract<LookupResult, { kind: 'hosts' }>, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const max = ctx.maxListed ?? 20;
  const scope = scopeLabel(result.scope, links);
  const filter = result.statuses.length ? ` (${result.statuses.join(', ')})` : '';
  const n = result.hosts.length;
  const heading = md`*${n} host${n === 1 ? '' : 's'}* ${scope.label}${filter}\n${renderCounts(result.counts)}`;
  const blocks: MessageBlock[] = [section(heading), ...linesToSections(result.hosts.slice(0, max).map((h) => hostLine(h, links, ctx.now)))];
  if (n > max) {
    const rest = scope.url ? md` ${link(scope.url, 'See all in Mackerel')}.` : '';
    const narrow = result.statuses.length ? '' : md` Add a status to narrow it, e.g. \`standby\`.`;
    blocks.push(context(md`Showing the first ${max} of ${n}.${rest}${narrow}`));
  }
  if (result.misses.length) blocks.push(context(joinMd(missLines(result.misses), '\n')));
  const names = result.hosts
    .slice(0, max)
    .map((h) => h.name)
    .join(', ');
  return message(`${n} host${n === 1 ? '' : 's'} ${scope.plain}${filter}${names ? `: ${names}${n > max ? ', …' : ''}` : ''}`, blocks, ctx);
}

export function renderRoles(result: Extract<LookupResult, { kind: 'roles' }>, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const svc = result.service;
  const lines = result.roles.map((r) => md`• ${link(links.role(svc.name, r.name), r.name)} — ${r.total} host${r.total === 1 ? '' : 's'} (${renderCounts(r.counts)})`);
  const heading = md`${bold(link(links.service(svc.name), svc.name))}${svc.memo ? md` — ${svc.memo}` : ''}: ${result.roles.length} role${result.roles.length === 1 ? '' : 's'}`;
  return message(`Roles of ${svc.name}: ${result.roles.map((r) => r.name).join(', ') || '(none)'}`, [section(heading), ...linesToSections(lines.length ? lines : [md`(no roles)`])], ctx);
}

export function renderServices(result: Extract<LookupResult, { kind: 'services' }>, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const lines = result.services.map(
    (s) =>
      md`• ${bold(link(links.service(s.name), s.name))}${s.memo ? md` (${s.memo})` : ''} — ${s.total} host${s.total === 1 ? '' : 's'} · roles: ${
        s.roles.length
          ? joinMd(
              s.roles.map((r) => link(links.role(s.name, r), r)),
              ', ',
            )
          : '(none)'
      }`,
  );
  const heading = md`*${result.services.length} service${result.services.length === 1 ? '' : 's'}* in ${ctx.origin}`;
  return message(`Services: ${result.services.map((s) => s.name).join(', ') || '(none)'}`, [section(heading), ...linesToSections(lines.length ? lines : [md`(no services)`])], ctx);
}

/** "No host named `wbe-01`. Did you mean `web-01`?" */
export function renderNotFound(result: Extract<LookupResult, { kind: 'not-found' }>, ctx: RenderContext): ChatMessage {
  const what = result.what === 'host' ? 'host matches' : `${result.what} named`;
  const did = result.suggestions.length ? md` Did you mean ${suggestionList(result.suggestions)}?` : '';
  const text = md`:mag: No ${what} ${code(result.query)}.${did}${result.hint ? md`\n${result.hint}` : ''}`;
  return message(`No ${what} ${result.query}.${result.suggestions.length ? ` Did you mean ${result.suggestions.join(' or ')}?` : ''}`, [section(text)], ctx);
}

export function renderUsage(messageText: string, ctx: RenderContext): ChatMessage {
  return message(messageText, [section(md`:information_source: ${messageText}`)], ctx);
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
      return renderUsage(result.message, ctx);
  }
}
