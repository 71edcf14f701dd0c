import type { ReaderFeedback } from '@citycard/core/card';
import { apdu } from '../apdu/index.js';

/** Readers that take the ACR122U LED/buzzer pseudo-APDU (the ACR1252U shares it). */
export function hasAcr122Feedback(readerName: string): boolean {
  return /acr12[25]/i.test(readerName);
}

/**
 * FF 00 40: LED state byte (bit 7/6 blink masks, 5/4 initial blink states, 3/2 update masks,
 * 1/0 final states for green/red), then T1 and T2 in 100 ms units, repetitions, buzzer link
 * (1 = beep during T1).
 */
export function acr122FeedbackApdu(kind: ReaderFeedback): Buffer {
  switch (kind) {
    case 'ok':
      return apdu.acr122Led(0xa8, 0x01, 0x01, 0x01, 0x01);
    case 'fail':
      return apdu.acr122Led(0x54, 0x02, 0x01, 0x03, 0x01);
    case 'attention':
      return apdu.acr122Led(0xfc, 0x01, 0x01, 0x02, 0x00);
  }
}
