import { describe, expect, it } from 'vitest';
import { code, escapeText as escapeMrkdwn, link, toSlackMessage, type ChatMessage } from '../src/core/message.ts';
import { OpsbotError } from '../src/core/errors.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { renderHost, renderHosts, renderLookupResult, renderServices, type RenderContext } from '../src/handlers/lookup/render.ts';
import { countByStatus } from '../src/services/inventory/host-index.ts';
import type { InventoryHost } from '../src/services/inventory/types.ts';

const present = createPresenter({ language: 'en', timeZone: 'UTC', now: () => 1_000_000 });
const ctx: RenderContext = { present, orgUrl: 'https://mackerel.io/orgs/acme', now: 1_000_000, origin: 'Mackerel', ageSeconds: 5 };

function host(i: number, extra: Partial<InventoryHost> = {}): InventoryHost {
  return {
    id: `id${i}`,
    name: `web-${String(i).padStart(4, '0')}`,
    status: (['working', 'standby', 'maintenance', 'poweroff'] as const)[i % 4]!,
    roles: { shop: ['web'] },
    interfaces: [{ name: 'eth0', ipv4Addresses: [`10.0.${i >> 8}.${i & 255}`], ipv6Addresses: [] }],
    createdAt: 1_000_000 - i * 3600,
    ...extra,
  };
}

function texts(built: ChatMessage): string[] {
  const message = toSlackMessage(built);
  const out = [message.text];
  for (const b of (message.blocks ?? []) as { text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[]) {
    if (b.text) out.push(b.text.text);
    for (const f of b.fields ?? []) out.push(f.text);
    for (const e of b.elements ?? []) out.push(e.text);
  }
  return out;
}

describe('lookup renderers', () => {
  it('escapes &, < and > everywhere, including link labels and code spans', () => {
    expect(escapeMrkdwn('a & <b> c')).toBe('a &amp; &lt;b&gt; c');
    expect(link('https://x/y', 'a|b<c>').text).toBe('<https://x/y|a¦b&lt;c&gt;>');
    expect(link(undefined, '<!here>').text).toBe('&lt;!here&gt;');
    expect(code('x`<y>').text).toBe('`xˋ&lt;y&gt;`');
    const message = renderHost(host(1, { displayName: '<!channel> <@U1> & <https://evil|click>', memo: '<b>' }), ctx);
    for (const t of texts(message)) {
      expect(t).not.toMatch(/<!channel>|<@U1>|<https:\/\/evil/);
    }
  });

  it('shows status glyph, roles linked to the role page, IPs, id, age and the host link', () => {
    const all = texts(renderHost(host(6, { interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.0.6'], ipv6Addresses: ['fd00::6'] }] }), ctx)).join('\n');
    expect(all).toContain(':wrench: *<https://mackerel.io/orgs/acme/hosts/id6|web-0006>*');
    expect(all).toContain('<https://mackerel.io/orgs/acme/services/shop#role=web|shop:web>');
    expect(all).toContain('*IP addresses*\n• eth0: 10.0.0.6, fd00::6');
    expect(all).toContain('`id6`');
    expect(all).toContain('*Created*\n6 h ago');
  });

  it('keeps a 10,000-host list within Slack limits: counts, the first N, and a link for the rest', () => {
    const hosts = Array.from({ length: 10_000 }, (_, i) => host(i, { displayName: 'x'.repeat(200) }));
    const message = renderHosts(
      { kind: 'hosts', scope: { kind: 'role', service: 'shop', role: 'web' }, statuses: [], hosts, counts: countByStatus(hosts), misses: [] },
      { ...ctx, maxListed: 40 },
    );
    expect(toSlackMessage(message).blocks!.length).toBeLessThanOrEqual(50);
    for (const t of texts(message)) expect(t.length).toBeLessThanOrEqual(3000);
    const all = texts(message).join('\n');
    expect(all).toContain(':large_green_circle: 2,500 working · :large_yellow_circle: 2,500 standby · :wrench: 2,500 maintenance · :black_circle: 2,500 poweroff');
    expect(all).toContain('Showing the first 40 of 10,000.');
    expect(all).toContain('<https://mackerel.io/orgs/acme/services/shop#role=web|See all in Mackerel>');
    expect(all).toContain('web-0039');
    expect(all).not.toContain('web-0040');
  });

  it('leaves links out when the inventory has no Mackerel org URL', () => {
    const { orgUrl: _drop, ...local } = ctx;
    const all = texts(renderServices({ kind: 'services', services: [{ name: 'shop', roles: ['web'], counts: countByStatus([]), total: 0 }] }, local)).join('\n');
    expect(all).not.toContain('https://');
    expect(all).toContain('*shop*');
  });

  it('says how old the data is when a refresh failed', () => {
    const message = renderLookupResult({ kind: 'host', host: host(1) }, { ...ctx, ageSeconds: 1800, refreshError: new OpsbotError('mackerel', { status: 0 }) });
    expect(texts(message).join('\n')).toContain(':warning: Mackerel is not answering. Try again in a minute. Showing data from 30 min ago.');
  });

  it('renders not-found with suggestions and usage messages escaped', () => {
    const nf = renderLookupResult({ kind: 'not-found', what: 'service', query: '<shpo>', suggestions: ['shop'] }, ctx);
    expect(texts(nf).join('\n')).toContain('No service named `&lt;shpo&gt;`. Did you mean `shop`?');
    const usage = renderLookupResult({ kind: 'usage', usage: { code: 'unknown-status', word: '<x>', suggestions: [], statuses: ['working', 'standby'] } }, ctx);
    expect(texts(usage).join('\n')).toContain('`&lt;x&gt;` is not a host status. Statuses: `working`, `standby`.');
  });
});

describe('lookup wording', () => {
  it('words host ages with the one duration wording, in either language', () => {
    const line = (p: typeof present) =>
      texts(
        renderHosts({ kind: 'hosts', scope: { kind: 'all' }, statuses: [], hosts: [host(72), host(73)], counts: countByStatus([host(72), host(73)]), misses: [] }, { ...ctx, present: p }),
      ).join('\n');
    expect(line(present)).toContain('created 3 days ago');
    const ja = createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo', now: () => 1_000_000 });
    expect(line(ja)).toContain('3日前に作成');
    expect(line(ja)).not.toContain('created');
  });
});
