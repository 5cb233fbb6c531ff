import { OpsbotError } from '../../core/errors.ts';
import { plain, type Mrkdwn } from '../../core/message.ts';
import type { Presenter } from './presenter.ts';

/**
 * The sentence people read about a failure, in their language: an OpsbotError's code (and its
 * details) through the catalogue, anything else the generic apology — an exception's own message
 * is for the log, never for a reply.
 */
export function describeError(error: unknown, present: Pick<Presenter, 't'>): Mrkdwn {
  // Until every code has its catalogue sentence (errors.ts), an OpsbotError keeps its own words.
  if (error instanceof OpsbotError) return plain(error.userMessage);
  return present.t('common.unexpected');
}
