import type { ComponentType } from 'react';
import { BranchesScreen } from './screens/admin/BranchesScreen';
import { FeesScreen } from './screens/admin/FeesScreen';
import { OperatorsScreen } from './screens/admin/OperatorsScreen';
import { PartiesScreen } from './screens/admin/PartiesScreen';
import { ProductsScreen } from './screens/admin/ProductsScreen';
import { ReaderAgentsScreen } from './screens/admin/ReaderAgentsScreen';
import { StaffScreen } from './screens/admin/StaffScreen';
import { TerminalsScreen } from './screens/admin/TerminalsScreen';
import { CardholdersScreen } from './screens/counter/CardholdersScreen';
import { CardServiceScreen } from './screens/counter/CardServiceScreen';
import { DrawerScreen } from './screens/counter/DrawerScreen';
import { IssueScreen } from './screens/counter/IssueScreen';
import { ExceptionsScreen } from './screens/finance/ExceptionsScreen';
import { QuarantineScreen } from './screens/finance/QuarantineScreen';
import { RunsScreen } from './screens/finance/RunsScreen';
import { AuditScreen } from './screens/supervisor/AuditScreen';
import { CorrectionsScreen } from './screens/supervisor/CorrectionsScreen';
import { DrawersScreen } from './screens/supervisor/DrawersScreen';
import { WorkstationSettings } from './screens/WorkstationSettings';

export interface ScreenProps {
  readonly query: URLSearchParams;
}

const screens: Readonly<Record<string, ComponentType<ScreenProps>>> = {
  '/counter/drawer': DrawerScreen,
  '/counter/cardholders': CardholdersScreen,
  '/counter/issue': IssueScreen,
  '/counter/card': CardServiceScreen,
  '/supervisor/drawers': DrawersScreen,
  '/supervisor/corrections': CorrectionsScreen,
  '/supervisor/audit': AuditScreen,
  '/finance/runs': RunsScreen,
  '/finance/quarantine': QuarantineScreen,
  '/finance/exceptions': ExceptionsScreen,
  '/admin/operators': OperatorsScreen,
  '/admin/fees': FeesScreen,
  '/admin/parties': PartiesScreen,
  '/admin/terminals': TerminalsScreen,
  '/admin/products': ProductsScreen,
  '/admin/staff': StaffScreen,
  '/admin/branches': BranchesScreen,
  '/admin/reader-agents': ReaderAgentsScreen,
  '/settings': WorkstationSettings,
};

export function screenFor(path: string): ComponentType<ScreenProps> | undefined {
  return screens[path];
}
