import type { Translation } from '../catalogue.ts';

/** The relay messages. English is the reference; Japanese is written as a Japanese SRE team would say it. */
export const en = {} as const;

export const ja: Translation<typeof en> = {};
