/**
 * Response shapes of Mackerel's HTTP API, as documented (see the research notes).
 * Optional fields are optional because the API omits them, not because we are unsure.
 */

export const HOST_STATUSES = ['working', 'standby', 'maintenance', 'poweroff'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

export interface MackerelOrg {
  name: string;
  displayName?: string;
}

export interface MackerelInterface {
  name: string;
  macAddress?: string;
  /** Single IPv4 (legacy form); `ipv4Addresses` wins when both are present. */
  ipAddress?: string;
  ipv4Addresses?: string[];
  ipv6Address?: string;
  ipv6Addresses?: string[];
}

export interface MackerelHost {
  id: string;
  name: string;
  displayName?: string;
  customIdentifier?: string | null;
  status: HostStatus;
  memo?: string;
  isRetired?: boolean;
  /** Epoch seconds; absent when the API sent none, 0 or something unusable (unknown age). */
  createdAt?: number;
  retiredAt?: number | null;
  /** Service name → role names. */
  roles: Record<string, string[]>;
  interfaces?: MackerelInterface[];
  size?: string;
  meta?: Record<string, unknown>;
}

export interface MackerelService {
  name: string;
  memo?: string;
  /** Role names, sorted. */
  roles: string[];
}

export interface MackerelRole {
  name: string;
  memo?: string;
}

export type AlertStatus = 'OK' | 'CRITICAL' | 'WARNING' | 'UNKNOWN';

export interface MackerelAlert {
  id: string;
  status: AlertStatus;
  monitorId: string;
  type: string;
  hostId?: string;
  value?: number;
  message?: string;
  reason?: string;
  /** Epoch seconds. */
  openedAt: number;
  closedAt?: number;
  series?: { name: string; labels: Record<string, string> };
  memo?: string;
}

export interface AlertPage {
  alerts: MackerelAlert[];
  /** Present only when older alerts exist; pass it back as `nextId`. */
  nextId?: string;
}

/** A monitor definition; the fields beyond the common ones depend on `type`. */
export interface MackerelMonitor {
  id: string;
  type: string;
  name: string;
  memo?: string;
  isMute?: boolean;
  notificationInterval?: number;
  metric?: string;
  operator?: '>' | '<';
  warning?: number | null;
  critical?: number | null;
  duration?: number;
  maxCheckAttempts?: number;
  scopes?: string[];
  excludeScopes?: string[];
  expression?: string;
  service?: string;
  url?: string;
  [key: string]: unknown;
}

export interface MackerelCheckMonitor {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface MetricPoint {
  /** Epoch seconds. */
  time: number;
  value: number;
}

/** hostId → metric name → latest point; a missing metric is absent (or null from the API, dropped here). */
export type LatestMetrics = Record<string, Record<string, MetricPoint>>;
