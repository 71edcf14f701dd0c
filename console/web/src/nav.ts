import type { Role } from './api/types';
import type { MessageKey } from './i18n/i18n';

export interface NavItem {
  readonly path: string;
  readonly label: MessageKey;
  readonly roles: readonly Role[];
}

export interface NavGroup {
  readonly label: MessageKey;
  readonly items: readonly NavItem[];
}

const EVERYONE: readonly Role[] = ['clerk', 'supervisor', 'finance', 'auditor', 'admin'];
const COUNTER: readonly Role[] = ['clerk', 'supervisor'];
const FINANCE_READERS: readonly Role[] = ['finance', 'auditor', 'admin'];
const BRANCH_READERS: readonly Role[] = ['admin', 'supervisor', 'auditor'];

/** Who sees what: the same roles the services enforce, so a link never leads to a refusal. */
export const NAV: readonly NavGroup[] = [
  {
    label: 'nav.counter',
    items: [
      { path: '/counter/drawer', label: 'nav.drawer', roles: COUNTER },
      { path: '/counter/cardholders', label: 'nav.cardholders', roles: COUNTER },
      { path: '/counter/issue', label: 'nav.issue', roles: COUNTER },
      { path: '/counter/card', label: 'nav.card', roles: COUNTER },
    ],
  },
  {
    label: 'nav.supervision',
    items: [
      {
        path: '/supervisor/drawers',
        label: 'nav.drawers',
        roles: ['supervisor', 'auditor', 'admin'],
      },
      {
        path: '/supervisor/corrections',
        label: 'nav.corrections',
        roles: ['supervisor', 'auditor'],
      },
      { path: '/supervisor/audit', label: 'nav.audit', roles: ['supervisor', 'auditor', 'admin'] },
    ],
  },
  {
    label: 'nav.finance',
    items: [
      { path: '/finance/runs', label: 'nav.runs', roles: FINANCE_READERS },
      { path: '/finance/quarantine', label: 'nav.quarantine', roles: FINANCE_READERS },
      { path: '/finance/exceptions', label: 'nav.exceptions', roles: FINANCE_READERS },
    ],
  },
  {
    label: 'nav.admin',
    items: [
      { path: '/admin/operators', label: 'nav.operators', roles: ['admin', 'finance', 'auditor'] },
      { path: '/admin/fees', label: 'nav.fees', roles: FINANCE_READERS },
      { path: '/admin/parties', label: 'nav.parties', roles: FINANCE_READERS },
      { path: '/admin/terminals', label: 'nav.terminals', roles: ['admin', 'finance', 'auditor'] },
      { path: '/admin/products', label: 'nav.products', roles: ['admin'] },
      { path: '/admin/staff', label: 'nav.staff', roles: ['admin'] },
      { path: '/admin/branches', label: 'nav.branches', roles: BRANCH_READERS },
      { path: '/admin/reader-agents', label: 'nav.readerAgents', roles: BRANCH_READERS },
    ],
  },
  {
    label: 'nav.workstation',
    items: [{ path: '/settings', label: 'nav.settings', roles: EVERYONE }],
  },
];

export function allowedItems(roles: readonly Role[]): NavItem[] {
  return NAV.flatMap((g) => g.items).filter((i) => i.roles.some((r) => roles.includes(r)));
}

export function canOpen(path: string, roles: readonly Role[]): boolean {
  return allowedItems(roles).some((i) => i.path === path);
}
