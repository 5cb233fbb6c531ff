import type { Language } from '../../core/language.ts';
import type { ForecastMethod } from '../forecast/index.ts';
import type { GraphUnit, GraphWords } from './spec.ts';

/** What a graph is of; the labels word its title and value axis from it. */
export type GraphSubject =
  /** A resource with a limit: `resource` is its short name (`/dev/xvda1`, `memory`), `used` its used metric, `percent` when drawn as used/size. */
  | { kind: 'resource'; host: string; resource: string; used: string; percent: boolean }
  /** Any other host metric (`loadavg5`, `cpu.user.percentage`). */
  | { kind: 'metric'; host: string; metric: string };

/**
 * The words of a graph, given by the caller in the team's language (the handlers' presenter:
 * src/handlers/present/graph-labels.ts). Services that build graph specs take it as a
 * collaborator and choose no words themselves.
 */
export interface GraphLabels {
  readonly language: Language;
  /** "web-01 /dev/xvda1 used"; with the span when the person chose it ("…, last 7 days"). */
  title(subject: GraphSubject, options?: { historySeconds?: number }): string;
  /** The metrics drawn and how the forecast was made: "filesystem.xvda1.used / filesystem.xvda1.size · linear fit". */
  subtitle(input: { used: string; size?: string; method: ForecastMethod | null }): string;
  /** Axis titles (the time axis with the zone at `now`), legend names and inline labels. */
  words(input: { subject: GraphSubject; unit: GraphUnit; timeZone: string; now: number }): GraphWords;
  /** The ETA marker: "full ~Sat 01:40 JST (in 12 h)". */
  eta(input: { time: number; secondsToLimit: number }): string;
}
