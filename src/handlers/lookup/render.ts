import type { KnownBlock } from '@slack/types';
import type { StatusCounts } from '../../services/inventory/host-index.ts';
import type { InventoryHost } from '../../services/inventory/types.ts';
import type { HostScope, LookupResult, Miss } from '../../services/lookup/types.ts';
import type { ChatMessage } from '../chat-port.ts';
import { escapeMrkdwn } from '../../core/mrkdwn.ts';
import { code, formatAge, link, mackerelLinks, STATUS_GLYPHS } from './format.ts';
import { context, fitBlocks, linesToSections, MAX_FALLBACK_TEXT, section, truncate } from './limits.ts';

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

function rolesOf(host: InventoryHost, links: Links): string[] {
  return Object.entries(host.roles).flatMap(([service, roles]) => roles.map((role) => link(links.role(service, role), `${service}:${role}`)));
}

function ipsOf(host: InventoryHost): string[] {
  return host.interfaces.flatMap((i) => [...i.ipv4Addresses, ...i.ipv6Addresses]);
}

/** One status line: "🟢 30 working · 🟡 2 standby"; statuses with no hosts are left out. */
export function renderCounts(counts: StatusCounts): string {
  const parts = (Object.keys(STATUS_GLYPHS) as (keyof StatusCounts)[]).filter((s) => counts[s] > 0).map((s) => `${STATUS_GLYPHS[s]} ${counts[s]} ${s}`);
  return parts.join(' · ') || 'no hosts';
}

function hostLine(host: InventoryHost, links: Links, now: number): string {
  const ips = ipsOf(host);
  const parts = [
    `${STATUS_GLYPHS[host.status]} *${link(links.host(host.id), host.name)}*${host.displayName ? ` (${escapeMrkdwn(host.displayName)})` : ''}`,
    rolesOf(host, links).join(', ') || undefined,
    ips.length ? escapeMrkdwn(ips.slice(0, 2).join(', ') + (ips.length > 2 ? ` +${ips.length - 2}` : '')) : undefined,
    host.createdAt !== undefined ? formatAge(now - host.createdAt) : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

function freshness(ctx: RenderContext): KnownBlock[] {
  if (ctx.refreshError) return [context(`${ctx.refreshError} Showing data from ${formatAge(ctx.ageSeconds)} ago.`)];
  return [];
}

/** `text` is the plain notification fallback; Slack parses it too, so it is escaped here. */
function message(text: string, blocks: KnownBlock[], ctx: RenderContext): ChatMessage {
  return { text: truncate(escapeMrkdwn(text), MAX_FALLBACK_TEXT), blocks: fitBlocks([...blocks, ...freshness(ctx)]) };
}

/** Full details of one host. */
export function renderHost(host: InventoryHost, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const title = `${STATUS_GLYPHS[host.status]} *${link(links.host(host.id), host.name)}*${host.displayName ? ` — ${escapeMrkdwn(host.displayName)}` : ''}`;
  const fields: string[] = [
    `*Status*\n${STATUS_GLYPHS[host.status]} ${host.status}`,
    `*Roles*\n${rolesOf(host, links).join(', ') || '(none)'}`,
    `*IP addresses*\n${host.interfaces.filter((i) => i.ipv4Addresses.length + i.ipv6Addresses.length).map((i) => `${escapeMrkdwn(i.name)}: ${escapeMrkdwn([...i.ipv4Addresses, ...i.ipv6Addresses].join(', '))}`).join('\n') || '(none)'}`,
    `*Host ID*\n${code(host.id)}`,
  ];
  if (host.createdAt !== undefined) fields.push(`*Age*\n${formatAge(ctx.now - host.createdAt)}`);
  if (host.customIdentifier) fields.push(`*Custom identifier*\n${code(host.customIdentifier)}`);
  if (host.memo) fields.push(`*Memo*\n${escapeMrkdwn(host.memo)}`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(title, 3000) }, fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: truncate(text, 2000) })) },
  ];
  const url = links.host(host.id);
  if (url) blocks.push(context(`<${url}|Open in Mackerel>`));
  return message(`${host.name}${host.displayName ? ` (${host.displayName})` : ''}: ${host.status}, ${ipsOf(host).join(', ') || 'no IP'}`, blocks, ctx);
}

function scopeLabel(scope: HostScope, links: Links): { label: string; url?: string; plain: string } {
  switch (scope.kind) {
    case 'role':
      return { label: `in ${link(links.role(scope.service, scope.role), `${scope.service}:${scope.role}`)}`, url: links.role(scope.service, scope.role), plain: `in ${scope.service}:${scope.role}` };
    case 'service':
      return { label: `in ${link(links.service(scope.service), scope.service)}`, url: links.service(scope.service), plain: `in ${scope.service}` };
    case 'pattern':
      return { label: `matching ${code(scope.pattern)}`, url: links.hosts(), plain: `matching ${scope.pattern}` };
    case 'terms':
      return { label: `for ${scope.terms.map(code).join(' ')}`, url: links.hosts(), plain: `for ${scope.terms.join(' ')}` };
    case 'all':
      return { label: 'in the inventory', url: links.hosts(), plain: 'in the inventory' };
  }
}

function missLines(misses: Miss[]): string[] {
  return misses.map((m) => `No host matches ${code(m.term)}${m.suggestions.length ? ` — did you mean ${m.suggestions.map(code).join(' or ')}?` : '.'}`);
}

/** A list of hosts: counts per status, the first N, and a link for the rest. */
export function renderHosts(result: Extract<LookupResult, { kind: 'hosts' }>, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const max = ctx.maxListed ?? 20;
  const scope = scopeLabel(result.scope, links);
  const filter = result.statuses.length ? ` (${result.statuses.join(', ')})` : '';
  const n = result.hosts.length;
  const heading = `*${n} host${n === 1 ? '' : 's'}* ${scope.label}${escapeMrkdwn(filter)}\n${renderCounts(result.counts)}`;
  const blocks: KnownBlock[] = [section(heading), ...linesToSections(result.hosts.slice(0, max).map((h) => hostLine(h, links, ctx.now)))];
  if (n > max) {
    const rest = scope.url ? ` ${link(scope.url, 'See all in Mackerel')}.` : '';
    const narrow = result.statuses.length ? '' : ' Add a status to narrow it, e.g. `standby`.';
    blocks.push(context(`Showing the first ${max} of ${n}.${rest}${narrow}`));
  }
  if (result.misses.length) blocks.push(context(missLines(result.misses).join('\n')));
  const names = result.hosts.slice(0, max).map((h) => h.name).join(', ');
  return message(`${n} host${n === 1 ? '' : 's'} ${scope.plain}${filter}${names ? `: ${names}${n > max ? ', …' : ''}` : ''}`, blocks, ctx);
}

export function renderRoles(result: Extract<LookupResult, { kind: 'roles' }>, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const svc = result.service;
  const lines = result.roles.map((r) => `• ${link(links.role(svc.name, r.name), r.name)} — ${r.total} host${r.total === 1 ? '' : 's'} (${renderCounts(r.counts)})`);
  const heading = `*${link(links.service(svc.name), svc.name)}*${svc.memo ? ` — ${escapeMrkdwn(svc.memo)}` : ''}: ${result.roles.length} role${result.roles.length === 1 ? '' : 's'}`;
  return message(`Roles of ${svc.name}: ${result.roles.map((r) => r.name).join(', ') || '(none)'}`, [section(heading), ...linesToSections(lines.length ? lines : ['(no roles)'])], ctx);
}

export function renderServices(result: Extract<LookupResult, { kind: 'services' }>, ctx: RenderContext): ChatMessage {
  const links = mackerelLinks(ctx.orgUrl);
  const lines = result.services.map(
    (s) => `• *${link(links.service(s.name), s.name)}*${s.memo ? ` (${escapeMrkdwn(s.memo)})` : ''} — ${s.total} host${s.total === 1 ? '' : 's'} · roles: ${s.roles.map((r) => link(links.role(s.name, r), r)).join(', ') || '(none)'}`,
  );
  const heading = `*${result.services.length} service${result.services.length === 1 ? '' : 's'}* in ${escapeMrkdwn(ctx.origin)}`;
  return message(`Services: ${result.services.map((s) => s.name).join(', ') || '(none)'}`, [section(heading), ...linesToSections(lines.length ? lines : ['(no services)'])], ctx);
}

/** "No host named `wbe-01`. Did you mean `web-01`?" */
export function renderNotFound(result: Extract<LookupResult, { kind: 'not-found' }>, ctx: RenderContext): ChatMessage {
  const what = result.what === 'host' ? 'host matches' : `${result.what} named`;
  const did = result.suggestions.length ? ` Did you mean ${result.suggestions.map(code).join(' or ')}?` : '';
  const text = `:mag: No ${what} ${code(result.query)}.${did}${result.hint ? `\n${escapeMrkdwn(result.hint)}` : ''}`;
  return message(`No ${what} ${result.query}.${result.suggestions.length ? ` Did you mean ${result.suggestions.join(' or ')}?` : ''}`, [section(text)], ctx);
}

export function renderUsage(messageText: string, ctx: RenderContext): ChatMessage {
  return message(messageText, [section(`:information_source: ${escapeMrkdwn(messageText)}`)], ctx);
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
