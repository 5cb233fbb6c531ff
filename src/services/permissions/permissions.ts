import type { PermissionAction, Permissions } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';

/**
 * Who may press which button (and so act from Slack), from `permissions` in the config: member
 * IDs (`U…`/`W…`) and user group IDs (`S…`). An action without a list is open to anyone who can
 * see the post, except `closeAlert`, which nobody may press unless a list names them.
 *
 * User group members come from Slack (`usergroups.users.list`, scope `usergroups:read`) and are
 * cached; when Slack cannot say, the press is refused (never allowed on a guess).
 */
export interface PermissionCheck {
  /** `allowed`, or refused and why (the act handler words it for the person, ephemerally). */
  check(action: PermissionAction, userId: string): Promise<{ allowed: true } | { allowed: false; why: PermissionRefusal }>;
}

/**
 * Why a press was refused: nobody is listed for an action closed by default, or the person is not
 * listed (`groupsUnknown`: Slack could not say who is in an allowed user group).
 */
export type PermissionRefusal = { code: 'nobody_listed'; action: PermissionAction } | { code: 'not_listed'; action: PermissionAction; groupsUnknown: boolean };

export interface PermissionOptions {
  permissions: Permissions;
  /** Members of a user group (Slack: usergroups.users.list). */
  groupMembers?: (groupId: string) => Promise<string[]>;
  log: Logger;
  /** How long a group's members are cached (seconds); default 300. */
  cacheSeconds?: number;
  now?: () => number;
}

/** Actions nobody may take unless the config names them. */
const CLOSED_BY_DEFAULT: ReadonlySet<PermissionAction> = new Set(['closeAlert']);

export function createPermissionCheck(options: PermissionOptions): PermissionCheck {
  const { permissions, log } = options;
  const ttl = (options.cacheSeconds ?? 300) * 1000;
  const now = options.now ?? (() => Date.now());
  const groups = new Map<string, { at: number; members: Promise<Set<string>> }>();

  const membersOf = (groupId: string): Promise<Set<string>> => {
    const cached = groups.get(groupId);
    if (cached && now() - cached.at < ttl) return cached.members;
    const members = (options.groupMembers ? options.groupMembers(groupId) : Promise.reject(new Error('no user group look-up'))).then((ids) => new Set(ids));
    groups.set(groupId, { at: now(), members });
    // A failed look-up is not cached: the next press asks again.
    members.catch(() => {
      if (groups.get(groupId)?.members === members) groups.delete(groupId);
    });
    return members;
  };

  return {
    async check(action, userId) {
      const list = permissions[action];
      if (!list) {
        if (!CLOSED_BY_DEFAULT.has(action)) return { allowed: true };
        return { allowed: false, why: { code: 'nobody_listed', action } };
      }
      if (list.includes(userId)) return { allowed: true };
      let unknown = false;
      for (const id of list.filter((p) => p.startsWith('S'))) {
        try {
          if ((await membersOf(id)).has(userId)) return { allowed: true };
        } catch (error) {
          unknown = true;
          log.warn({ err: error, group: id }, 'could not read a user group for a permission check');
        }
      }
      return { allowed: false, why: { code: 'not_listed', action, groupsUnknown: unknown } };
    },
  };
}
