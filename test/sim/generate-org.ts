import type { HostStatus, MackerelHost, MackerelService } from '../../src/services/mackerel/types.ts';
import { seededRandom } from '../../scripts/seeded-random.ts';

export interface GeneratedOrg {
  orgName: string;
  hosts: MackerelHost[];
  services: MackerelService[];
}

/** service → roles; role names are unique across services so host names stay unique. */
export const GENERATED_ROLES: Record<string, string[]> = {
  shop: ['web', 'app', 'db', 'cache', 'batch'],
  blog: ['front', 'writer', 'mysql'],
  api: ['gw', 'worker', 'queue'],
  infra: ['bastion', 'proxy', 'dns', 'monitor'],
};

const ID_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

function hostId(i: number): string {
  // 7 scrambled characters then the index in base 56: unique, and looks like a Mackerel id.
  let id = '';
  let h = (i * 2654435761) >>> 0;
  for (let k = 0; k < 7; k++) {
    id += ID_CHARS[h % ID_CHARS.length];
    h = Math.floor(h / ID_CHARS.length) + k * 977;
  }
  let n = i;
  for (let k = 0; k < 4; k++) {
    id += ID_CHARS[n % ID_CHARS.length];
    n = Math.floor(n / ID_CHARS.length);
  }
  return id;
}

function pickStatus(r: number): HostStatus {
  if (r < 0.85) return 'working';
  if (r < 0.93) return 'standby';
  if (r < 0.97) return 'maintenance';
  return 'poweroff';
}

/**
 * Builds `count` hosts deterministically: names like `web-0001` (numbered per role), roles over
 * four services, mixed statuses, IPv4 on every host, IPv6 on every third, a second interface
 * on every fifth, display names on every seventh. `createdAt` spreads over the year before `now`.
 */
export function generateOrg(options: { hosts: number; seed?: number; orgName?: string; now?: number }): GeneratedOrg {
  const random = seededRandom(options.seed ?? 42);
  const now = options.now ?? 1_760_000_000;
  const fullRoles = Object.entries(GENERATED_ROLES).flatMap(([service, roles]) => roles.map((role) => ({ service, role })));
  const perRole = new Map<string, number>();
  const hosts: MackerelHost[] = [];
  for (let i = 0; i < options.hosts; i++) {
    const { service, role } = fullRoles[Math.floor(random() * fullRoles.length)]!;
    const seq = (perRole.get(role) ?? 0) + 1;
    perRole.set(role, seq);
    const name = `${role}-${String(seq).padStart(4, '0')}`;
    const a = (i >> 16) & 255;
    const b = (i >> 8) & 255;
    const c = i & 255;
    const interfaces: MackerelHost['interfaces'] = [
      {
        name: 'eth0',
        ipAddress: `10.${a}.${b}.${c}`,
        ipv4Addresses: [`10.${a}.${b}.${c}`],
        macAddress: `02:00:00:${a.toString(16).padStart(2, '0')}:${b.toString(16).padStart(2, '0')}:${c.toString(16).padStart(2, '0')}`,
        ...(i % 3 === 0 ? { ipv6Addresses: [`fd00:${a.toString(16)}::${(i + 1).toString(16)}`] } : {}),
      },
    ];
    if (i % 5 === 0) interfaces.push({ name: 'eth1', ipv4Addresses: [`192.168.${b}.${c}`] });
    const host: MackerelHost = {
      id: hostId(i),
      name,
      status: pickStatus(random()),
      memo: '',
      isRetired: false,
      createdAt: now - Math.floor(random() * 365 * 86400),
      roles: { [service]: [role] },
      interfaces,
      size: 'standard',
      meta: { 'agent-version': '0.80.0' },
    };
    if (i % 7 === 0) host.displayName = `${service} ${role} #${seq}`;
    hosts.push(host);
  }
  const services = Object.entries(GENERATED_ROLES).map(([name, roles]) => ({ name, memo: `${name} service`, roles: [...roles].sort() }));
  return { orgName: options.orgName ?? 'sim-org', hosts, services };
}
