import { VirtualClassicCard } from '@citycard/core/card';
import {
  classicCardApplication,
  VpcdCard,
  type VpcdCardApplication,
  type VpcdCardOptions,
} from '../vpcd/index.js';
import { VPCD_READERS, type VpcdReaderName } from './vpcd-readers.js';

/** Connects a card to a vpcd reader (the card enters that reader's field). */
export async function startVpcdCard(
  card: VirtualClassicCard | VpcdCardApplication,
  reader: VpcdReaderName = 'Virtual PCD 00 00',
  options: Omit<VpcdCardOptions, 'port'> = {},
): Promise<VpcdCard> {
  const app = card instanceof VirtualClassicCard ? classicCardApplication(card) : card;
  const vpcd = new VpcdCard(app, { ...options, port: VPCD_READERS[reader] });
  await vpcd.insert();
  return vpcd;
}
