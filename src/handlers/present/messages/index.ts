import type { Language } from '../../../core/language.ts';
import type { Entries, Translation } from '../catalogue.ts';
import * as alerts from './alerts.ts';
import * as common from './common.ts';
import * as errors from './errors.ts';
import * as forecast from './forecast.ts';
import * as graph from './graph.ts';
import * as lookup from './lookup.ts';
import * as metrics from './metrics.ts';
import * as relay from './relay.ts';
import * as shell from './shell.ts';

/**
 * The whole message catalogue: one module per job (keys prefixed by it), English and Japanese side
 * by side in each, so a sentence and its translation are edited together.
 */
export const en = { ...common.en, ...lookup.en, ...relay.en, ...alerts.en, ...metrics.en, ...forecast.en, ...graph.en, ...shell.en, ...errors.en } as const;
export type Catalogue = typeof en;
export type MessageKey = keyof Catalogue;

export const ja: Translation<Catalogue> = { ...common.ja, ...lookup.ja, ...relay.ja, ...alerts.ja, ...metrics.ja, ...forecast.ja, ...graph.ja, ...shell.ja, ...errors.ja };

export const CATALOGUES: Readonly<Record<Language, Entries>> = { en, ja };
